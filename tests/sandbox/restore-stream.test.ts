// Restores on both backends take the archive as the session object hands it over: a pull-based stream of ranges,
// each pulled only when the one before was taken. One that is pulled whole restores; one that breaks before its
// last range (how a read that failed, or an archive that did not match its hash, ends) changes nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../sandbox/host/limits.ts";
import type { SandboxHost } from "../../sandbox/host/server.ts";
import type { SandboxBackend } from "../../sandbox/types.ts";
import { startBothBackends } from "./helpers/both-backends.ts";

const SECRET = "restore-stream-secret-0123456789";
const RANGE = 4096;
let host: SandboxHost;
const backends: Record<string, SandboxBackend> = {};
const sid = () => `r-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  const both = await startBothBackends(SECRET, { ...DEFAULT_LIMITS, TIMEOUT_MS: 10_000 }, "restore-stream");
  host = both.host;
  backends.local = both.local;
  backends.container = both.container;
});

afterAll(async () => {
  await host?.close();
});

/** `bytes` in ranges of RANGE, one per pull (high-water mark 0); with `breakAtEnd`, it errors instead of the last. */
function ranged(bytes: Uint8Array, breakAtEnd = false): { stream: ReadableStream<Uint8Array>; pulls: () => number } {
  let offset = 0;
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        const end = Math.min(offset + RANGE, bytes.length);
        if (breakAtEnd && end === bytes.length)
          return controller.error(new Error("the archive does not match its checksum"));
        controller.enqueue(bytes.slice(offset, end));
        offset = end;
        if (offset === bytes.length) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulls: () => pulls };
}

describe.each(["local", "container"])("streamed restore: %s backend", (name) => {
  const sandbox = () => {
    const made = backends[name];
    if (!made) throw new Error(`no backend ${name}`);
    return made;
  };
  const sums = async (id: string) =>
    (await sandbox().exec(id, { command: "find . -type f -exec sha256sum {} + | sort; ls" })).stdout;

  it("restores an archive pulled range by range, and a broken one changes nothing", async () => {
    const id = sid();
    await sandbox().exec(id, { command: "mkdir -p d && head -c 100000 /dev/urandom > d/blob && echo hi > a.txt" });
    const before = await sums(id);
    const archive = new Uint8Array(await new Response(await sandbox().archive(id)).arrayBuffer());
    expect(archive.length).toBeGreaterThan(3 * RANGE);
    await sandbox().exec(id, { command: "rm -rf d; echo changed > a.txt" });
    const changed = await sums(id);

    const broken = ranged(archive, true);
    await expect(sandbox().restore(id, broken.stream)).rejects.toThrow();
    expect(broken.pulls()).toBe(Math.ceil(archive.length / RANGE));
    // The local host lets go of the workspace once it has seen the request break, which the client may not wait for.
    await expect.poll(() => sums(id).catch((error: unknown) => String(error))).toBe(changed);

    const whole = ranged(archive);
    await sandbox().restore(id, whole.stream);
    expect(whole.pulls()).toBe(Math.ceil(archive.length / RANGE));
    expect(await sums(id)).toBe(before);
  });
});
