// Runs `npm run dev` as a new user would, from a fresh copy of the repository's files (node_modules linked, no .dev.vars).

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PROBE_SWITCH, PROVIDER_VARIABLES } from "../../../scripts/detect-provider.mjs";
import { captureOutput, freePort, stopGroup, waitUntilUp } from "./dev-server.ts";

export interface NpmDev {
  url: string;
  /** Everything `npm run dev` printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** The files a fresh clone has: tracked and new ones, not ignored ones (.dev.vars, .wrangler, dist). */
function freshCopy(): string {
  const root = resolve(".");
  const copy = mkdtempSync(join(tmpdir(), "edgeclaw-first-run-"));
  // The sandbox user (nobody) must pass through to its workspaces under .wrangler/sandbox.
  chmodSync(copy, 0o711);
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: root })
    .toString("utf8")
    .split("\0")
    .filter((file) => file !== "");
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(root, file), join(copy, file), { errorOnExist: false, force: true });
  }
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
  return copy;
}

/**
 * `npm run dev` in a fresh copy, with no provider variable in its environment. `probeLocal` false turns the
 * local-server probe off, so a developer's own Ollama cannot change the outcome.
 */
export async function startNpmDev(options: { probeLocal: boolean }): Promise<NpmDev> {
  const dir = freshCopy();
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [...PROVIDER_VARIABLES, PROBE_SWITCH]) delete env[name];
  if (!options.probeLocal) env[PROBE_SWITCH] = "0";
  Object.assign(env, {
    PORT: String(port),
    SANDBOX_HOST_PORT: String(await freePort()),
    WRANGLER_SEND_METRICS: "false",
    CI: "true",
    NO_COLOR: "1",
  });
  const args = [
    "run",
    "dev",
    "--",
    "--inspector-port",
    String(await freePort()),
    "--show-interactive-dev-session=false",
  ];
  const child: ChildProcess = spawn("npm", args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const output = captureOutput(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Building the web client comes first, so this waits longer than a bare `wrangler dev`.
    await waitUntilUp(url, child, output, 180_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output, stop };
}
