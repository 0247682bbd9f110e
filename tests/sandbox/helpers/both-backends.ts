// Both sandbox backends over one set of limits, for suites that run against each: the local host (bubblewrap) and
// the Cloudflare backend over container-like roots (one per session id, as the SDK gives one container a session).

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalSandboxClient } from "../../../sandbox/client.ts";
import { CloudflareSandbox } from "../../../sandbox/cloudflare.ts";
import type { Limits } from "../../../sandbox/host/limits.ts";
import { type SandboxHost, startSandboxHost } from "../../../sandbox/host/server.ts";
import type { SandboxBackend } from "../../../sandbox/types.ts";
import { containerLike, TEST_RUNNER } from "./container-like.ts";

export interface BothBackends {
  host: SandboxHost;
  local: SandboxBackend;
  container: SandboxBackend;
}

export async function startBothBackends(secret: string, limits: Limits, name: string): Promise<BothBackends> {
  const host = await startSandboxHost({
    port: 0,
    secret,
    root: mkdtempSync(join(tmpdir(), `edgeclaw-${name}-`)),
    limits,
  });
  const containers = new Map<string, ReturnType<typeof containerLike>>();
  const container = new CloudflareSandbox(
    (id) => {
      const made = containers.get(id) ?? containerLike(65534);
      containers.set(id, made);
      return made.sdk;
    },
    { uid: 65534, runner: TEST_RUNNER, limits, graceMs: 2_000 },
  );
  return { host, local: new LocalSandboxClient(host.url, secret), container };
}
