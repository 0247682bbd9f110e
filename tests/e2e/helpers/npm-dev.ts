// Runs `npm run dev` as a new user would, from a fresh copy of the repository's files (node_modules linked, no .dev.vars).

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PROBE_SWITCH, PROVIDER_VARIABLES } from "../../../scripts/detect-provider.mjs";
import { captureOutput, stopGroup, waitUntilUp } from "./dev-server.ts";

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
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [...PROVIDER_VARIABLES, PROBE_SWITCH]) delete env[name];
  if (!options.probeLocal) env[PROBE_SWITCH] = "0";
  Object.assign(env, {
    // Port 0 for both: they pick free ports themselves, which no other process can take before they bind them.
    PORT: "0",
    SANDBOX_HOST_PORT: "0",
    WRANGLER_SEND_METRICS: "false",
    CI: "true",
    NO_COLOR: "1",
  });
  const args = ["run", "dev", "--", "--inspector-port", "0", "--show-interactive-dev-session=false"];
  const child: ChildProcess = spawn("npm", args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const output = captureOutput(child);
  const stop = async () => {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Building the web client comes first, so this waits longer than a bare `wrangler dev`.
    return { url: await waitUntilUp(child, output, 180_000), output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
