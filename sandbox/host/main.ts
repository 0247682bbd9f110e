// `node sandbox/host/main.ts`: the local sandbox host on 127.0.0.1 (SANDBOX_HOST_PORT, SANDBOX_SECRET, SANDBOX_ROOT).

import { resolve } from "node:path";
import { bwrapAvailable } from "./exec.ts";
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
const host = await startSandboxHost({ port, secret, root, allowNetwork: process.env.SANDBOX_ALLOW_NETWORK === "1" });
if (!bwrapAvailable())
  console.warn("sandbox: bubblewrap is missing; commands will be refused (apt-get install -y bubblewrap)");
console.log(`sandbox host on ${host.url}, workspaces in ${root}`);
