// Starts the stand-in LLM and the local sandbox host for the workerd tests; their URLs reach the worker as bindings.

import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startFakeLlm } from "../devtools/demo-model/server.ts";
import { startSandboxHost } from "../sandbox/host/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    fakeLlmUrl: string;
    sandboxUrl: string;
    sandboxSecret: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startFakeLlm();
  const secret = randomBytes(24).toString("hex");
  const sandbox = await startSandboxHost({
    port: 0,
    secret,
    root: mkdtempSync(join(tmpdir(), "edgeclaw-test-sandbox-")),
    limits: { TIMEOUT_MS: 5_000 },
  });
  project.provide("fakeLlmUrl", fake.url);
  project.provide("sandboxUrl", sandbox.url);
  project.provide("sandboxSecret", secret);
  return async () => {
    await sandbox.close();
    await fake.close();
  };
}
