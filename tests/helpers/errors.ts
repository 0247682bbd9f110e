// The error code a sandbox call failed with, or "ok": lets tests assert refusals in one line.

import { SandboxError } from "../../sandbox/types.ts";

export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return error instanceof SandboxError ? error.code : String(error);
  }
}
