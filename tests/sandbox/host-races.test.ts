// The two races of the security review against the local host (V1, V2): a command swapping a folder for a
// symlink to a host folder while the host restores the workspace or writes a file. The host must not delete,
// write or chown anything outside the workspace, however the race falls.

import { spawn } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalSandboxClient } from "../../sandbox/client.ts";
import { removeTree } from "../../sandbox/host/archive.ts";
import { RUNNER_PATH } from "../../sandbox/host/jail.ts";
import { DEFAULT_LIMITS, SANDBOX_UID } from "../../sandbox/host/limits.ts";
import { type SandboxHost, startSandboxHost } from "../../sandbox/host/server.ts";
import { codeOf } from "../helpers/errors.ts";

const SECRET = "race-secret-0123456789abcdef";
const LINKS = 40;
let host: SandboxHost;
let sandbox: LocalSandboxClient;
let root: string;

/** A host folder outside every workspace, full of files only root could remove. */
function canary(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeclaw-canary-"));
  for (let i = 0; i < 50; i++) writeFileSync(join(dir, `keep-${i}`), "precious");
  return dir;
}

/**
 * A perl loop that makes t0..t<n> (folders with files) and t<i>.lnk -> `target`, prints "ready", then keeps
 * exchanging each t<i> with its link (renameat2 RENAME_EXCHANGE: the name is never missing).
 */
const swapper = (target: string, n: number) =>
  `perl -e 'for $i (0..${n - 1}) { mkdir "t$i"; for $j (0..4) { open F, ">t$i/f$j"; close F } symlink "${target}", "t$i.lnk" } $| = 1; print "ready\\n"; while (1) { for $i (0..${n - 1}) { syscall(316, -100, "t$i", -100, "t$i.lnk", 2) } }'`;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "edgeclaw-race-"));
  host = await startSandboxHost({ port: 0, secret: SECRET, root, limits: { TIMEOUT_MS: 60_000 } });
  sandbox = new LocalSandboxClient(host.url, SECRET);
});

afterAll(async () => {
  await host?.close();
});

/** Starts the swapper in the session and resolves once it swaps; abort() ends it. */
async function startSwapping(id: string, target: string) {
  const abort = new AbortController();
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const running = sandbox
    .exec(
      id,
      { command: swapper(target, LINKS), timeoutMs: 120_000 },
      {
        signal: abort.signal,
        onOutput: (_stream, text) => {
          if (text.includes("ready")) ready();
        },
      },
    )
    .catch(() => undefined);
  await started;
  return {
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

describe("host races (V1, V2)", () => {
  it("refuses a restore while a command runs (409 sandbox_busy), 30 times, and deletes nothing outside", async () => {
    const id = "race-restore";
    await sandbox.writeFile(id, "a.txt", new TextEncoder().encode("before"));
    const archive = new Uint8Array(await new Response(await sandbox.archive(id)).arrayBuffer());
    const outside = canary();
    const swapping = await startSwapping(id, outside);
    for (let i = 0; i < 30; i++) expect(await codeOf(sandbox.restore(id, archive))).toBe("sandbox_busy");
    await swapping.stop();
    expect(readdirSync(outside)).toHaveLength(50);
    // Once the host has seen the command end (its release is asynchronous to our abort), the restore goes through.
    let code = await codeOf(sandbox.restore(id, archive));
    while (code === "sandbox_busy") {
      await new Promise((resolve) => setTimeout(resolve, 20));
      code = await codeOf(sandbox.restore(id, archive));
    }
    expect(code).toBe("ok");
    expect(new TextDecoder().decode(await sandbox.readFile(id, "a.txt"))).toBe("before");
  });

  it("cleans a tree a process is still swapping with host links without following them (30 rounds)", async () => {
    const outside = canary();
    const runner = readFileSync(RUNNER_PATH, "utf8");
    const jail = { limits: DEFAULT_LIMITS, seccompFile: null, runner };
    for (let round = 0; round < 30; round++) {
      const dir = join(root, `old-${round}`);
      mkdirSync(dir);
      chownSync(dir, SANDBOX_UID, SANDBOX_UID);
      // The swapper runs on the host itself as the sandbox user, in the folder being removed: the worst case.
      const child = spawn(
        "setpriv",
        [`--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, "--clear-groups", "bash", "-c", swapper(outside, LINKS)],
        {
          cwd: dir,
          stdio: ["ignore", "pipe", "ignore"],
        },
      );
      await new Promise<void>((resolve) => child.stdout?.on("data", () => resolve()));
      await removeTree(jail, dir).catch(() => undefined);
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("close", resolve));
      expect(readdirSync(outside)).toHaveLength(50);
    }
  });

  it("never writes or chowns outside the workspace while a command swaps the target folder (200 writes)", async () => {
    const id = "race-write";
    const outside = canary();
    const swapping = await startSwapping(id, outside);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        codeOf(sandbox.writeFile(id, `t${i % LINKS}/pwned-${i}`, new TextEncoder().encode("x"))),
      ),
    );
    await swapping.stop();
    expect(readdirSync(outside).filter((name) => name.startsWith("pwned"))).toEqual([]);
    expect(statSync(outside).uid).toBe(0);
    // Some writes landed in the workspace, the rest were refused: never anything else.
    for (const code of results)
      expect(["ok", "path_outside_workspace", "bad_request", "file_not_found"]).toContain(code);
  });
});
