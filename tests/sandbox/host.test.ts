// The local sandbox host under attack: limits, isolation, path escapes, secrets, cancel and archives.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalSandboxClient } from "../../sandbox/client.ts";
import { type SandboxHost, startSandboxHost } from "../../sandbox/host/server.ts";
import { TRUNCATION_MARKER } from "../../sandbox/types.ts";
import { codeOf } from "../helpers/errors.ts";

const SECRET = "test-secret-0123456789abcdef";
let host: SandboxHost;
let sandbox: LocalSandboxClient;
let listener: Server;
let listenerPort = 0;

const sid = () => `s-${Math.random().toString(36).slice(2, 10)}`;
/** The pid of a process's parent, or 0 when it is gone. */
function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

/**
 * Live (not zombie) processes of the sandbox user that descend from this test's process (its sandbox host
 * runs here; other test files on the machine run sandboxes as the same user). A sandbox's processes stay
 * below its bubblewrap, whose PID namespace reparents orphans to the namespace's own init. Polls until
 * none is left or 20 s pass (the test's own timeout is the bound; no timing is asserted).
 */
async function processesOfNobody(): Promise<number> {
  const ours = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parentOf(p), hops++) if (p === process.pid) return true;
    return false;
  };
  const count = () =>
    spawnSync("ps", ["-u", "65534", "-o", "pid=,stat="])
      .stdout.toString()
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter(([pid, stat]) => pid && stat && !stat.startsWith("Z") && ours(Number(pid))).length;
  for (let i = 0; i < 200 && count() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return count();
}

beforeAll(async () => {
  process.env.EDGECLAW_TEST_SECRET = "sk-live-must-not-leak";
  const root = mkdtempSync(join(tmpdir(), "edgeclaw-sandbox-"));
  host = await startSandboxHost({
    port: 0,
    secret: SECRET,
    root,
    limits: { TIMEOUT_MS: 5_000, MAX_PROCESSES: 32, MAX_MEMORY_BYTES: 256 * 1024 * 1024 },
  });
  sandbox = new LocalSandboxClient(host.url, SECRET);
  listener = createServer((socket) => socket.end("hello from the host\n"));
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const address = listener.address();
  listenerPort = typeof address === "object" && address ? address.port : 0;
});

afterAll(async () => {
  await host?.close();
  listener?.close();
});

describe("local sandbox host", () => {
  it("runs a command, streaming stdout and stderr in order, with its exit code", async () => {
    const chunks: string[] = [];
    const result = await sandbox.exec(
      sid(),
      { command: "echo one; echo two >&2; sleep 0.1; echo three; exit 3" },
      {
        onOutput: (stream, text) => chunks.push(`${stream}:${text.trim()}`),
      },
    );
    expect(result).toMatchObject({ exitCode: 3, timedOut: false, truncated: false });
    expect(result.stdout).toBe("one\nthree\n");
    expect(result.stderr).toBe("two\n");
    expect(chunks.filter((c) => c.startsWith("stdout"))).toEqual(["stdout:one", "stdout:three"]);
    expect((await sandbox.exec(sid(), { command: "id -u; pwd; ls /" })).stdout).toBe(
      "65534\n/workspace\nbin\ndev\netc\nlib\nlib64\nproc\nsbin\ntmp\nusr\nworkspace\n",
    );
  });

  it("kills an infinite loop at the timeout", async () => {
    const result = await sandbox.exec(sid(), { command: "while true; do :; done", timeoutMs: 1000 });
    expect(result).toMatchObject({ timedOut: true, signal: "SIGKILL" });
  });

  it("contains a fork bomb and stays responsive, leaving no process behind", async () => {
    const result = await sandbox.exec(sid(), { command: ":(){ :|:& };:; sleep 1; echo survived", timeoutMs: 3000 });
    expect(result.exitCode === 0 || result.timedOut).toBe(true);
    expect((await sandbox.exec(sid(), { command: "echo alive" })).stdout).toBe("alive\n");
    expect(await processesOfNobody()).toBe(0);
  });

  it("stops a memory hog at its memory limit", async () => {
    const result = await sandbox.exec(sid(), {
      command: "head -c 600000000 /dev/zero | tr '\\0' x | (v=$(cat); printf %s \"$v\" | wc -c)",
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).not.toContain("600000000");
  });

  it("truncates 50 MB of output with a marker", async () => {
    const result = await sandbox.exec(sid(), { command: "head -c 52428800 /dev/zero | tr '\\0' a" });
    expect(result.stderr).toBe("");
    expect(result.truncated).toBe(true);
    expect(result.stdout.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(result.stdout.length).toBeLessThan(70 * 1024);
  });

  it("has no network, and no secret of the host in its environment", async () => {
    const net = await sandbox.exec(sid(), {
      command: `exec 3<>/dev/tcp/127.0.0.1/${listenerPort} && cat <&3`,
      timeoutMs: 3000,
    });
    expect(net.exitCode).not.toBe(0);
    expect(net.stdout).not.toContain("hello from the host");
    const env = await sandbox.exec(sid(), { command: "env", env: { GREETING: "hi" } });
    expect(env.stdout).not.toContain("sk-live-must-not-leak");
    expect(env.stdout).not.toContain("EDGECLAW_TEST_SECRET");
    expect(env.stdout).toContain("GREETING=hi");
    expect(await codeOf(sandbox.exec(sid(), { command: "true", env: { "BAD NAME": "x" } }))).toBe("bad_request");
  });

  it("refuses paths that leave the workspace: .., absolute, and symlinks made inside", async () => {
    const id = sid();
    await sandbox.writeFile(id, "notes/a.txt", new TextEncoder().encode("inside"));
    expect(new TextDecoder().decode(await sandbox.readFile(id, "notes/a.txt"))).toBe("inside");
    expect(await codeOf(sandbox.readFile(id, "../../etc/passwd"))).toBe("path_outside_workspace");
    expect(await codeOf(sandbox.readFile(id, "/etc/passwd"))).toBe("path_outside_workspace");
    expect(await codeOf(sandbox.writeFile(id, "../escape.txt", new Uint8Array([1])))).toBe("path_outside_workspace");
    await sandbox.exec(id, { command: "ln -s /etc/passwd link; ln -s /etc dir; ln -s notes/a.txt ok" });
    expect(await codeOf(sandbox.readFile(id, "link"))).toBe("path_outside_workspace");
    expect(await codeOf(sandbox.readFile(id, "dir/passwd"))).toBe("path_outside_workspace");
    expect(await codeOf(sandbox.writeFile(id, "dir/evil", new Uint8Array([1])))).toBe("path_outside_workspace");
    expect(new TextDecoder().decode(await sandbox.readFile(id, "ok"))).toBe("inside");
    expect((await sandbox.listFiles(id, ".")).map((e) => `${e.name}:${e.type}`)).toEqual([
      "dir:symlink",
      "link:symlink",
      "notes:dir",
      "ok:symlink",
    ]);
  });

  it("keeps sessions apart", async () => {
    const a = sid();
    const b = sid();
    await sandbox.exec(a, { command: "echo secret-a > mine.txt" });
    const peek = await sandbox.exec(b, {
      command: `cat ../${a}/mine.txt; ls /workspace/..; cat /workspace/../${a}/mine.txt`,
    });
    expect(peek.stdout).not.toContain("secret-a");
    expect(await codeOf(sandbox.readFile(b, `../${a}/mine.txt`))).toBe("path_outside_workspace");
  });

  it("kills the running command when the caller cancels", async () => {
    const id = sid();
    const abort = new AbortController();
    const running = sandbox.exec(id, { command: "sleep 20; touch finished" }, { signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 500));
    abort.abort();
    await expect(running).rejects.toThrow();
    expect(await processesOfNobody()).toBe(0);
    expect((await sandbox.listFiles(id, ".")).map((e) => e.name)).not.toContain("finished");
  });

  it("refuses a wrong or missing secret", async () => {
    const wrong = new LocalSandboxClient(host.url, "not-the-secret-at-all");
    expect(await codeOf(wrong.exec(sid(), { command: "true" }))).toBe("unauthorized");
    const plain = await fetch(`${host.url}/sessions/x/list`);
    expect(plain.status).toBe(401);
  });

  it("archives and restores byte for byte, and refuses an archive that escapes", async () => {
    const id = sid();
    await sandbox.exec(id, {
      command: "mkdir -p src && head -c 100000 /dev/urandom > src/blob && echo hi > a.txt && ln -s a.txt link",
    });
    const before = (await sandbox.exec(id, { command: "find . -type f -exec sha256sum {} + | sort" })).stdout;
    const archive = await sandbox.archive(id);
    await sandbox.exec(id, { command: "rm -rf src; echo changed > a.txt; touch extra" });
    await sandbox.restore(id, archive);
    expect((await sandbox.exec(id, { command: "find . -type f -exec sha256sum {} + | sort" })).stdout).toBe(before);
    expect((await sandbox.listFiles(id, ".")).map((e) => e.name)).toEqual(["a.txt", "link", "src"]);

    const dir = mkdtempSync(join(tmpdir(), "evil-"));
    writeFileSync(join(dir, "evil"), "pwned");
    const evil = execFileSync("tar", [
      "--create",
      "--gzip",
      "--file=-",
      "--directory",
      dir,
      "--transform",
      "s,^,../,",
      "evil",
    ]);
    expect(await codeOf(sandbox.restore(id, new Uint8Array(evil)))).toBe("bad_archive");
    const link = execFileSync("bash", ["-c", `cd ${dir} && ln -s /etc/passwd pw && tar --create --gzip --file=- pw`]);
    expect(await codeOf(sandbox.restore(id, new Uint8Array(link)))).toBe("bad_archive");
    expect(await codeOf(sandbox.restore(id, new TextEncoder().encode("not a tar")))).toBe("bad_archive");
    expect((await sandbox.exec(id, { command: "find . -type f -exec sha256sum {} + | sort" })).stdout).toBe(before);
  });
});
