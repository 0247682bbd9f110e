// Chooses the sandbox backend by SANDBOX_MODE: the one place a backend is picked.

import { getSandbox } from "@cloudflare/sandbox";
import { AppError } from "../protocol/errors";
import type { Config } from "../worker/config";
import { LocalSandboxClient } from "./client";
import { CloudflareSandbox, type SdkSandbox } from "./cloudflare";
import type { SandboxBackend } from "./types";

export function createSandbox(env: Env, config: Config): SandboxBackend {
  if (config.sandboxMode === "local") {
    if (!config.sandbox.secret) {
      throw new AppError("config_error", "configuration error: SANDBOX_SECRET is required with SANDBOX_MODE=local");
    }
    return new LocalSandboxClient(config.sandbox.url, config.sandbox.secret);
  }
  // Ids are lower-cased by the SDK (normalizeId) and keep one transport per sandbox.
  return new CloudflareSandbox((sessionId): SdkSandbox => getSandbox(env.SANDBOX, sessionId, { normalizeId: true }));
}
