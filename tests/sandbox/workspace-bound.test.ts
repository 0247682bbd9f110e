// The workspace's size bound, on both backends (the local host and the Cloudflare backend over a container-like
// root): one file, many small files, hard links, sparse files and deleted-but-open files cannot take a workspace
// past it; host writes and restores past it are refused with workspace_full and change nothing. The loops
// below never end on their own and their deadline is far away: only the bound can stop them.

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalSandboxClient } from "../../sandbox/client.ts";
import { DEFAULT_LIMITS } from "../../sandbox/host/limits.ts";
import { type SandboxHost, startSandboxHost } from "../../sandbox/host/server.ts";
import { type SandboxBackend, WORKSPACE_FULL_MARKER } from "../../sandbox/types.ts";
import { codeOf } from "../helpers/errors.ts";
import { startBothBackends } from "./helpers/both-backends.ts";
import { archiveOf } from "./helpers/hostile-archives.ts";

const MIB = 1024 * 1024;
const BOUND = 8 * MIB;
const SECRET = "bound-secret-0123456789abcdef";
/** A deadline no loop below reaches on a loaded machine: the bound, not the clock, ends them. */
const FOREVER_MS = 300_000;
const LIMITS = {
  ...DEFAULT_LIMITS,
  TIMEOUT_MS: 30_000,
  MAX_TIMEOUT_MS: FOREVER_MS,
  MAX_UNPACKED_BYTES: 64 * MIB,
  MAX_WORKSPACE_BYTES: BOUND,
};
let host: SandboxHost;
const backends: Record<string, () => SandboxBackend> = {};
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sid = () => `b-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  const both = await startBothBackends(SECRET, LIMITS, "bound");
  host = both.host;
  backends.local = () => both.local;
  backends.container = () => both.container;
});

afterAll(async () => {
  await host?.close();
});

describe.each(["local", "container"])("workspace bound: %s backend", (name) => {
  const sandbox = () => {
    const made = backends[name];
    if (!made) throw new Error(`no backend ${name}`);
    return made();
  };
  const run = (id: string, command: string, timeoutMs = LIMITS.TIMEOUT_MS) =>
    sandbox().exec(id, { command, timeoutMs });
  /** Bytes the workspace takes on disk (allocated), as `du` counts them. */
  const du = async (id: string) => Number((await run(id, "du -s -B1 . | cut -f1")).stdout.trim());
  /** Expects a command to have been stopped by the bound, not by its deadline. */
  const stoppedByBound = (result: Awaited<ReturnType<SandboxBackend["exec"]>>) => {
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(153);
    expect(result.stderr).toContain(WORKSPACE_FULL_MARKER);
  };

  it("stops one file at the room left (RLIMIT_FSIZE)", async () => {
    const id = sid();
    await run(id, "head -c 5M /dev/zero > five");
    const result = await run(id, "head -c 20M /dev/zero > big; echo status $?");
    expect(result.stdout).toMatch(/status [1-9]/);
    const sizes = (await run(id, "stat -c %s five big")).stdout.trim().split("\n").map(Number);
    expect(sizes[0]).toBe(5 * MIB);
    expect(sizes[1]).toBeLessThanOrEqual(BOUND - 5 * MIB);
    expect(await codeOf(sandbox().writeFile(id, "more.bin", new Uint8Array(MIB)))).toBe("workspace_full");
  });

  it("stops a command writing many small files, and the workspace takes writes again once room is made", async () => {
    const id = sid();
    await sandbox().writeFile(id, "keep.txt", new TextEncoder().encode("kept"));
    stoppedByBound(
      await run(id, "mkdir f; i=0; while :; do head -c 100K /dev/zero > f/$i; i=$((i+1)); done", FOREVER_MS),
    );
    expect(await codeOf(sandbox().writeFile(id, "keep.txt", new Uint8Array(2 * MIB)))).toBe("workspace_full");
    expect(text(await sandbox().readFile(id, "keep.txt"))).toBe("kept");
    expect((await run(id, "rm -rf f; echo gone")).stdout).toContain("gone");
    await sandbox().writeFile(id, "keep.txt", new Uint8Array(2 * MIB));
    expect((await sandbox().readFile(id, "keep.txt")).length).toBe(2 * MIB);
  });

  it("counts a hard-linked file once, and hard links hide no copy", async () => {
    const id = sid();
    const linked = await run(id, "head -c 5M /dev/zero > a; for i in $(seq 50); do ln a l$i; done; echo linked");
    expect(linked.stdout).toContain("linked");
    expect(linked.stderr).not.toContain(WORKSPACE_FULL_MARKER);
    stoppedByBound(
      await run(id, "i=0; while :; do head -c 500K a > c$i; ln c$i h$i; rm c$i; i=$((i+1)); done", FOREVER_MS),
    );
  });

  it("refuses sparse files past the room left and counts sparse files at their size", async () => {
    const id = sid();
    const huge = await run(
      id,
      "truncate -s 1G sparse; echo t $?; dd if=/dev/zero of=seek bs=1 count=1 seek=1G 2>/dev/null; echo d $?",
    );
    expect(huge.stdout).toMatch(/t [1-9]/);
    expect(huge.stdout).toMatch(/d [1-9]/);
    stoppedByBound(await run(id, "i=0; while :; do truncate -s 3M s$i; i=$((i+1)); done", FOREVER_MS));
    expect(await du(id)).toBeLessThan(MIB);
  });

  it("counts files deleted while still open", async () => {
    const id = sid();
    stoppedByBound(
      await run(
        id,
        'i=0; while :; do exec {fd}>"d$i"; rm "d$i"; head -c 1M /dev/zero >&$fd; i=$((i+1)); done',
        FOREVER_MS,
      ),
    );
  });

  it("measures a folder a command made unreadable", async () => {
    const id = sid();
    stoppedByBound(
      await run(
        id,
        "mkdir h; i=0; while :; do chmod 700 h; head -c 500K /dev/zero > h/$i; chmod 300 h; i=$((i+1)); done",
        FOREVER_MS,
      ),
    );
  });

  it("refuses a restore that unpacks past the bound and changes nothing", async () => {
    const id = sid();
    await sandbox().writeFile(id, "keep.txt", new TextEncoder().encode("kept"));
    expect(await codeOf(sandbox().restore(id, archiveOf("big", BOUND + MIB)))).toBe("workspace_full");
    expect(text(await sandbox().readFile(id, "keep.txt"))).toBe("kept");
    await sandbox().restore(id, archiveOf("big", BOUND - MIB));
    expect((await run(id, "stat -c %s big.bin")).stdout.trim()).toBe(String(BOUND - MIB));
  });
});

describe("the default bound", () => {
  it("allows a workspace of 1 GB (sparse files counted at their size, nothing stopped)", async () => {
    expect(DEFAULT_LIMITS.MAX_WORKSPACE_BYTES).toBeGreaterThanOrEqual(1024 * MIB);
    const root = mkdtempSync(join(tmpdir(), "edgeclaw-bound-default-"));
    const roomy = await startSandboxHost({ port: 0, secret: SECRET, root });
    try {
      const client = new LocalSandboxClient(roomy.url, SECRET);
      const result = await client.exec(sid(), {
        command: "for i in $(seq 11); do truncate -s 100M s$i || exit 1; done; head -c 1M /dev/zero > real; echo ok",
      });
      expect(result.stdout).toContain("ok");
      expect(result.stderr).not.toContain(WORKSPACE_FULL_MARKER);
    } finally {
      await roomy.close();
    }
  });

  it("is configured with SANDBOX_MAX_WORKSPACE_BYTES, and a malformed value stops the host naming it", () => {
    const started = spawnSync(process.execPath, ["sandbox/host/main.ts"], {
      env: {
        ...process.env,
        SANDBOX_SECRET: SECRET,
        SANDBOX_HOST_PORT: "0",
        SANDBOX_MAX_WORKSPACE_BYTES: "2GB",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(started.status).toBe(1);
    expect(started.stderr).toContain("SANDBOX_MAX_WORKSPACE_BYTES");
  });
});
