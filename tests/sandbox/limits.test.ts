// The documented default limits (docs/sandbox.md, "Limits"), shown on both backends at their defaults: the rlimits
// every command runs under, read back from the kernel, and the file API's read and write bounds (file_too_large).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../sandbox/host/limits.ts";
import type { SandboxHost } from "../../sandbox/host/server.ts";
import type { SandboxBackend } from "../../sandbox/types.ts";
import { codeOf } from "../helpers/errors.ts";
import { startBothBackends } from "./helpers/both-backends.ts";

const SECRET = "limits-secret-0123456789abcdef";
const MiB = 1024 * 1024;
let host: SandboxHost;
const backends: Record<string, SandboxBackend> = {};
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sid = () => `l-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  const both = await startBothBackends(SECRET, DEFAULT_LIMITS, "limits");
  host = both.host;
  backends.local = both.local;
  backends.container = both.container;
});

afterAll(async () => {
  await host?.close();
});

/** `/proc/self/limits` as limit name → [soft, hard]. */
function parseLimits(table: string): Map<string, [string, string]> {
  const rows = new Map<string, [string, string]>();
  for (const line of table.split("\n").slice(1)) {
    const match = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (match?.[1] && match[2] && match[3]) rows.set(match[1], [match[2], match[3]]);
  }
  return rows;
}

describe.each(["local", "container"])("documented limits: %s backend", (name) => {
  const sandbox = () => {
    const made = backends[name];
    if (!made) throw new Error(`no backend ${name}`);
    return made;
  };

  it("runs commands under 60 s of CPU, 256 open files, 64 processes, 100 MiB a file and 1 GiB of address space", async () => {
    const result = await sandbox().exec(sid(), { command: "cat /proc/self/limits" });
    expect(result.exitCode).toBe(0);
    const limits = parseLimits(result.stdout);
    expect(limits.get("Max cpu time")).toEqual(["60", "60"]);
    expect(limits.get("Max open files")).toEqual(["256", "256"]);
    expect(limits.get("Max processes")).toEqual(["64", "64"]);
    expect(limits.get("Max file size")).toEqual([String(100 * MiB), String(100 * MiB)]);
    expect(limits.get("Max address space")).toEqual([String(1024 * MiB), String(1024 * MiB)]);
  });

  it("writes 32 MiB through the file API and refuses 32 MiB + 1 byte (file_too_large), changing nothing", async () => {
    const id = sid();
    await sandbox().writeFile(id, "keep.txt", new TextEncoder().encode("kept"));
    expect(await codeOf(sandbox().writeFile(id, "keep.txt", new Uint8Array(32 * MiB + 1)))).toBe("file_too_large");
    expect(await codeOf(sandbox().writeFile(id, "new.bin", new Uint8Array(32 * MiB + 1)))).toBe("file_too_large");
    expect(text(await sandbox().readFile(id, "keep.txt"))).toBe("kept");
    // Nothing half-written is left behind: no new file, no staging part.
    expect((await sandbox().listFiles(id, ".")).map((e) => e.name)).toEqual(["keep.txt"]);
    await sandbox().writeFile(id, "keep.txt", new Uint8Array(32 * MiB).fill(7));
    expect(await sandbox().listFiles(id, ".")).toEqual([{ name: "keep.txt", type: "file", size: 32 * MiB }]);
  });

  it("reads 10 MiB through the file API and refuses a file of 10 MiB + 1 byte (file_too_large)", async () => {
    const id = sid();
    const made = await sandbox().exec(id, {
      command: `head -c ${10 * MiB} /dev/zero | tr '\\0' a > ten; head -c ${10 * MiB + 1} /dev/zero > over`,
    });
    expect(made.exitCode).toBe(0);
    const ten = await sandbox().readFile(id, "ten");
    expect(ten.length).toBe(10 * MiB);
    expect(ten.every((byte) => byte === 97)).toBe(true);
    expect(await codeOf(sandbox().readFile(id, "over"))).toBe("file_too_large");
  });
});

describe("local backend only: the runner's own write bound", () => {
  it("stops a body of undeclared length at 32 MiB (file_too_large) and keeps the file as it was", async () => {
    const local = backends.local;
    if (!local) throw new Error("no local backend");
    const id = sid();
    await local.writeFile(id, "keep.txt", new TextEncoder().encode("kept"));
    // A streamed body has no content-length, so the host cannot refuse it up front: the runner counts the bytes.
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const piece = Math.min(MiB, 32 * MiB + 1 - sent);
        if (piece === 0) return controller.close();
        controller.enqueue(new Uint8Array(piece));
        sent += piece;
      },
    });
    const response = await fetch(`${host.url}/sessions/${id}/files?path=keep.txt`, {
      method: "PUT",
      body,
      headers: { authorization: `Bearer ${SECRET}` },
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "file_too_large" } });
    expect(text(await local.readFile(id, "keep.txt"))).toBe("kept");
    expect((await local.listFiles(id, ".")).map((e) => e.name)).toEqual(["keep.txt"]);
  });
});
