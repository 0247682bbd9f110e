// `node sandbox/host/main.ts`: the local sandbox host on 127.0.0.1 (SANDBOX_HOST_PORT, SANDBOX_SECRET, SANDBOX_ROOT,
// SANDBOX_MAX_WORKSPACE_BYTES).

import { resolve } from "node:path";
import { bwrapAvailable } from "./exec.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { startSandboxHost } from "./server.ts";

const secret = process.env.SANDBOX_SECRET;
if (!secret || secret.length < 16) {
  console.error("configuration error: SANDBOX_SECRET must be set (at least 16 characters)");
  process.exit(1);
}
const port = Number(process.env.SANDBOX_HOST_PORT ?? "8788");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error("configuration error: SANDBOX_HOST_PORT must be a port number");
  process.exit(1);
}
const root = resolve(process.env.SANDBOX_ROOT ?? ".wrangler/sandbox");
const bound = process.env.SANDBOX_MAX_WORKSPACE_BYTES;
const workspaceBytes = bound === undefined || bound === "" ? DEFAULT_LIMITS.MAX_WORKSPACE_BYTES : Number(bound);
if (!Number.isSafeInteger(workspaceBytes) || workspaceBytes < 1024 * 1024) {
  console.error("configuration error: SANDBOX_MAX_WORKSPACE_BYTES must be a whole number of bytes, at least 1048576");
  process.exit(1);
}
const host = await startSandboxHost({
  port,
  secret,
  root,
  allowNetwork: process.env.SANDBOX_ALLOW_NETWORK === "1",
  limits: { MAX_WORKSPACE_BYTES: workspaceBytes },
});
if (!bwrapAvailable())
  console.warn("sandbox: bubblewrap is missing; commands will be refused (apt-get install -y bubblewrap)");
console.log(`sandbox host on ${host.url}, workspaces in ${root}`);
