// The abuse suite, run against both backends: the local host (bubblewrap) and the Cloudflare backend over a
// container-like root (the same runner, as an unprivileged user, in a root-run bubblewrap "container").
// What only a real container can prove is in scripts/check-container-sandbox.sh (run after deploy).

import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../sandbox/host/limits.ts";
import type { SandboxHost } from "../../sandbox/host/server.ts";
import { type SandboxBackend, TRUNCATION_MARKER } from "../../sandbox/types.ts";
import { codeOf } from "../helpers/errors.ts";
import { startBothBackends } from "./helpers/both-backends.ts";
import { archiveOf, HOSTILE } from "./helpers/hostile-archives.ts";

const SECRET = "abuse-secret-0123456789abcdef";
const LIMITS = {
  ...DEFAULT_LIMITS,
  TIMEOUT_MS: 5_000,
  MAX_PROCESSES: 32,
  MAX_MEMORY_BYTES: 256 * 1024 * 1024,
  MAX_TMP_BYTES: 16 * 1024 * 1024,
  MAX_ARCHIVE_ENTRIES: 100,
  MAX_UNPACKED_BYTES: 1024 * 1024,
};
let host: SandboxHost;
let listener: Server;
let listenerPort = 0;
const backends: Record<string, () => SandboxBackend> = {};
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sid = () => `a-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  process.env.EDGECLAW_TEST_SECRET = "sk-live-must-not-leak";
  const both = await startBothBackends(SECRET, LIMITS, "abuse");
  host = both.host;
  backends.local = () => both.local;
  backends.container = () => both.container;
  listener = createServer((socket) => socket.end("hello from the host\n"));
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const address = listener.address();
  listenerPort = typeof address === "object" && address ? address.port : 0;
});

afterAll(async () => {
  await host?.close();
  listener?.close();
});

describe.each(["local", "container"])("abuse suite: %s backend", (name) => {
  const sandbox = () => {
    const made = backends[name];
    if (!made) throw new Error(`no backend ${name}`);
    return made();
  };

  it("runs as an unprivileged user with a clean environment; /proc/1/environ holds no secret", async () => {
    const result = await sandbox().exec(sid(), { command: "id -u; cat /proc/1/environ | tr '\\0' '\\n'; env" });
    expect(result.stdout.split("\n")[0]).toBe("65534");
    expect(result.stdout).not.toContain("sk-live-must-not-leak");
    expect(result.stdout).not.toContain("sk-container-secret");
    expect(result.stdout).not.toContain("EDGECLAW_");
  });

  it("contains a fork bomb and stays responsive", async () => {
    const id = sid();
    const bomb = await sandbox().exec(id, { command: ":(){ :|:& };:; sleep 1; echo survived", timeoutMs: 3000 });
    // Contained either way: the shell survives the process limit and echoes, or the limits (or the deadline)
    // end it; on a loaded machine both happen. What must hold: the call returns, and the sandbox answers next.
    if (bomb.exitCode === 0) expect(bomb.stdout).toContain("survived");
    expect((await sandbox().exec(id, { command: "echo alive" })).stdout).toBe("alive\n");
  });

  it("stops a memory hog and kills an infinite loop at the deadline", async () => {
    const hog = await sandbox().exec(sid(), {
      command: "head -c 600000000 /dev/zero | tr '\\0' x | (v=$(cat); printf %s \"$v\" | wc -c)",
    });
    expect(hog.exitCode).not.toBe(0);
    expect(hog.stdout).not.toContain("600000000");
    const loop = await sandbox().exec(sid(), { command: "while true; do :; done", timeoutMs: 1000 });
    expect(loop).toMatchObject({ timedOut: true, signal: "SIGKILL" });
  });

  it("caps 50 MB of output with a marker", async () => {
    const result = await sandbox().exec(sid(), { command: "head -c 52428800 /dev/zero | tr '\\0' a" });
    expect(result.truncated).toBe(true);
    expect(result.stdout.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(result.stdout.length).toBeLessThan(70 * 1024);
  });

  it("reaches neither loopback nor a public address over /dev/tcp", async () => {
    const loopback = await sandbox().exec(sid(), {
      command: `exec 3<>/dev/tcp/127.0.0.1/${listenerPort} && cat <&3`,
      timeoutMs: 3000,
    });
    expect(loopback.exitCode).not.toBe(0);
    expect(loopback.stdout).not.toContain("hello from the host");
    const ifaces = await sandbox().exec(sid(), { command: "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '" });
    // No interface but loopback: a public address is unreachable by construction.
    expect(ifaces.stdout).toBe("lo\n");
    const world = await sandbox().exec(sid(), { command: "exec 3<>/dev/tcp/1.1.1.1/80", timeoutMs: 3000 });
    expect(world.exitCode).not.toBe(0);
    expect(world.stderr).toMatch(/unreachable/i);
  });

  it("refuses symlink and hard-link escapes through the file operations", async () => {
    const id = sid();
    await sandbox().writeFile(id, "notes/a.txt", new TextEncoder().encode("inside"));
    await sandbox().exec(id, {
      command: "ln -s /etc/passwd link; ln -s /etc dir; ln -s notes/a.txt ok; ln /etc/passwd hard 2>/dev/null; true",
    });
    expect(await codeOf(sandbox().readFile(id, "link"))).toBe("path_outside_workspace");
    expect(await codeOf(sandbox().readFile(id, "dir/passwd"))).toBe("path_outside_workspace");
    expect(await codeOf(sandbox().writeFile(id, "dir/evil", new Uint8Array([1])))).toBe("path_outside_workspace");
    expect(await codeOf(sandbox().readFile(id, "../../etc/passwd"))).toBe("path_outside_workspace");
    expect(text(await sandbox().readFile(id, "ok"))).toBe("inside");
    const hard = await codeOf(sandbox().readFile(id, "hard"));
    if (hard === "ok") expect(text(await sandbox().readFile(id, "hard"))).not.toContain("root:x:0:0");
    else expect(hard).toBe("file_not_found");
    // Deleting a symlink removes the link, not what it points to.
    await sandbox().deleteFile(id, "ok");
    expect(text(await sandbox().readFile(id, "notes/a.txt"))).toBe("inside");
    expect((await sandbox().listFiles(id, ".")).map((e) => `${e.name}:${e.type}`)).toEqual(
      expect.arrayContaining(["dir:symlink", "link:symlink", "notes:dir"]),
    );
  });

  it.each(HOSTILE)("refuses a hostile archive (%s) and changes nothing", async (kind) => {
    const id = sid();
    await sandbox().writeFile(id, "keep.txt", new TextEncoder().encode("kept"));
    expect(await codeOf(sandbox().restore(id, archiveOf(kind)))).toBe("bad_archive");
    expect(text(await sandbox().readFile(id, "keep.txt"))).toBe("kept");
  });

  it("refuses archives over the entry and size limits, and checks the checksum before changing anything", async () => {
    const id = sid();
    await sandbox().writeFile(id, "keep.txt", new TextEncoder().encode("kept"));
    expect(await codeOf(sandbox().restore(id, archiveOf("many-entries", 101)))).toBe("bad_archive");
    expect(await codeOf(sandbox().restore(id, archiveOf("big", 2 * 1024 * 1024)))).toBe("bad_archive");
    expect(await codeOf(sandbox().restore(id, archiveOf("fine"), "0".repeat(64)))).toBe("checksum_mismatch");
    expect(text(await sandbox().readFile(id, "keep.txt"))).toBe("kept");
    const fine = archiveOf("fine");
    const sum = execFileSync("sha256sum", { input: fine }).toString().slice(0, 64);
    await sandbox().restore(id, fine, sum);
    expect(text(await sandbox().readFile(id, "link"))).toBe("hello");
    expect(await codeOf(sandbox().readFile(id, "keep.txt"))).toBe("file_not_found");
  });

  it("round-trips the workspace through a streamed archive", async () => {
    const id = sid();
    await sandbox().exec(id, {
      command: "mkdir -p src && head -c 300000 /dev/urandom > src/blob && echo hi > a.txt && ln -s a.txt l",
    });
    const before = (await sandbox().exec(id, { command: "find . -type f -exec sha256sum {} + | sort" })).stdout;
    const archive = new Uint8Array(await new Response(await sandbox().archive(id)).arrayBuffer());
    await sandbox().exec(id, { command: "rm -rf src; echo changed > a.txt" });
    await sandbox().restore(id, new Blob([archive]).stream());
    expect((await sandbox().exec(id, { command: "find . -type f -exec sha256sum {} + | sort" })).stdout).toBe(before);
  });

  it("refuses a restore while a command runs (sandbox_busy)", async () => {
    const id = sid();
    await sandbox().writeFile(id, "a.txt", new TextEncoder().encode("a"));
    const archive = new Uint8Array(await new Response(await sandbox().archive(id)).arrayBuffer());
    const abort = new AbortController();
    let started: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      started = resolve;
    });
    const running = sandbox()
      .exec(
        id,
        { command: "echo ready; sleep 30", timeoutMs: 60_000 },
        { signal: abort.signal, onOutput: () => started() },
      )
      .catch(() => undefined);
    await ready;
    expect(await codeOf(sandbox().restore(id, archive))).toBe("sandbox_busy");
    abort.abort();
    await running;
  });
});

describe("local backend only: kernel surface and /tmp", () => {
  it("refuses namespaces, mounts, tracing, keyrings, eBPF, perf, userfaultfd and io_uring; clone3 gets ENOSYS", async () => {
    const local = backends.local?.();
    if (!local) throw new Error("no local backend");
    const probe = [
      "import ctypes, os",
      "libc = ctypes.CDLL(None, use_errno=True)",
      // x86-64 numbers, written out rather than taken from the filter's table (a wrong number there must show).
      // From setns on, the arguments are ones the kernel itself refuses with another error (EBADF, EINVAL), so an
      // EPERM (ENOSYS for clone3) is the filter's answer.
      "calls = [",
      '  ("unshare", 272, (0,)), ("mount", 165, (0, 0, 0, 0, 0)), ("ptrace", 101, (9999, 0, 0, 0)),',
      '  ("keyctl", 250, (9999, 0, 0, 0, 0)), ("bpf", 321, (9999, 0, 0)), ("setns", 308, (9999, 0)),',
      '  ("process_vm_readv", 310, (0, 0, 0, 0, 0, 1)), ("process_vm_writev", 311, (0, 0, 0, 0, 0, 1)),',
      '  ("userfaultfd", 323, (3,)), ("io_uring_setup", 425, (0, 0)), ("perf_event_open", 298, (0, 0, -1, -1, -1)),',
      '  ("clone3", 435, (0, 0)),',
      "]",
      "for name, nr, args in calls:",
      "    r = libc.syscall(nr, *args)",
      '    print(name, r, os.strerror(ctypes.get_errno()) if r != 0 else "ok")',
    ].join("\n");
    const result = await local.exec(sid(), {
      command: `grep Seccomp: /proc/self/status; python3 -c '${probe}'; unshare -r true`,
    });
    expect(result.stdout).toContain("Seccomp:\t2");
    for (const name of ["unshare", "mount", "ptrace", "keyctl", "bpf"])
      expect(result.stdout).toContain(`${name} -1 Operation not permitted`);
    for (const name of [
      "setns",
      "process_vm_readv",
      "process_vm_writev",
      "userfaultfd",
      "io_uring_setup",
      "perf_event_open",
    ])
      expect(result.stdout).toContain(`${name} -1 Operation not permitted\n`);
    expect(result.stdout).toContain("clone3 -1 Function not implemented\n");
    expect(result.stderr).toMatch(/unshare failed: Operation not permitted/);
  });

  it("bounds /tmp", async () => {
    const local = backends.local?.();
    if (!local) throw new Error("no local backend");
    const result = await local.exec(sid(), {
      command: "head -c 33554432 /dev/zero > /tmp/fill; echo $?; df -B1 --output=size /tmp | tail -1",
    });
    expect(result.stderr).toMatch(/No space left on device/);
    expect(Number(result.stdout.trim().split("\n").at(-1))).toBe(16 * 1024 * 1024);
  });
});
