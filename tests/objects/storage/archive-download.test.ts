// Restores read the archive out of R2 in ranges: in order, of bounded size, each only when the reader took the one
// before; a broken range is read again alone; a mismatching archive is never handed over whole and changes
// nothing in the workspace (the real local sandbox host on loopback); 0-byte and odd-sized archives come through.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { downloadArchive, RANGE_ATTEMPTS, RANGE_BYTES } from "../../../objects/session/storage/archive-download";
import { hex } from "../../../objects/session/storage/archive-upload";
import { snapshotArchiveKey, snapshotManifestKey } from "../../../objects/session/storage/keys";
import { restoreSnapshot, takeSnapshot } from "../../../objects/session/storage/snapshots";
import { LocalSandboxClient } from "../../../sandbox/client";
import { restoreOnly } from "../../helpers/restore-only";

const RANGE = 64 * 1024;
const sha256 = async (bytes: Uint8Array) => hex(await crypto.subtle.digest("SHA-256", bytes));

/** `size` pseudo-random bytes stored under a fresh key. */
async function stored(size: number): Promise<{ key: string; bytes: Uint8Array; sha256: string }> {
  const key = `t/${crypto.randomUUID()}/archive.tgz`;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 2654435761) >>> 24;
  await env.FILES.put(key, bytes);
  return { key, bytes, sha256: await sha256(bytes) };
}

/** A member of `target`, methods bound to it. */
function pass(target: object, property: string | symbol): unknown {
  const value: unknown = Reflect.get(target, property);
  return typeof value === "function" ? value.bind(target) : value;
}

type Get = (key: string, options?: R2GetOptions) => Promise<R2ObjectBody | null>;

/** env.FILES recording every ranged get; `fail(n, get)` may replace the n-th ranged get (0-based). */
function recording(fail?: (n: number, get: () => Promise<R2ObjectBody | null>) => Promise<R2ObjectBody | null>) {
  const ranges: { offset: number; length: number }[] = [];
  const bucket = new Proxy(env.FILES, {
    get(target, property) {
      if (property !== "get") return pass(target, property);
      const get: Get = async (key, options) => {
        const range = options?.range;
        const real = () => target.get(key, options);
        if (!(range && "offset" in range && "length" in range)) return real();
        ranges.push({ offset: Number(range.offset), length: Number(range.length) });
        return fail ? fail(ranges.length - 1, real) : real();
      };
      return get;
    },
  });
  return { bucket, ranges };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The ranges a download of `size` bytes must ask for, in order. */
const expectedRanges = (size: number, range: number) =>
  Array.from({ length: Math.ceil(size / range) }, (_, i) => ({
    offset: i * range,
    length: Math.min(range, size - i * range),
  }));

describe("downloadArchive", () => {
  it("reads in order, in ranges of at most the range size, an archive that is not a multiple of it", async () => {
    const archive = await stored(3 * RANGE + 1234);
    const { bucket, ranges } = recording();
    const download = await downloadArchive(bucket, archive.key, { sha256: archive.sha256 }, { rangeBytes: RANGE });
    if (!download) throw new Error("no archive");
    expect(download.bytes).toBe(archive.bytes.length);
    expect(await readAll(download.stream)).toEqual(archive.bytes);
    expect(ranges).toEqual(expectedRanges(archive.bytes.length, RANGE));
    expect(download.failure()).toBeNull();
  });

  it("uses 8 MiB ranges by default", async () => {
    const archive = await stored(RANGE_BYTES + 5);
    const { bucket, ranges } = recording();
    const download = await downloadArchive(bucket, archive.key, { sha256: archive.sha256 });
    if (!download) throw new Error("no archive");
    expect(await readAll(download.stream)).toEqual(archive.bytes);
    expect(ranges).toEqual([
      { offset: 0, length: RANGE_BYTES },
      { offset: RANGE_BYTES, length: 5 },
    ]);
  });

  it("reads a range only when the reader has taken the one before", async () => {
    const archive = await stored(4 * RANGE);
    const { bucket, ranges } = recording();
    const download = await downloadArchive(bucket, archive.key, { sha256: archive.sha256 }, { rangeBytes: RANGE });
    if (!download) throw new Error("no archive");
    const reader = download.stream.getReader();
    expect(ranges).toHaveLength(0);
    for (let taken = 1; taken <= 4; taken++) {
      const { value } = await reader.read();
      expect(value?.byteLength).toBe(RANGE);
      expect(ranges).toHaveLength(taken);
    }
    expect((await reader.read()).done).toBe(true);
    expect(ranges).toHaveLength(4);
  });

  it("reads a 0-byte archive without asking for any range", async () => {
    const archive = await stored(0);
    const { bucket, ranges } = recording();
    const download = await downloadArchive(bucket, archive.key, { sha256: archive.sha256, bytes: 0 });
    if (!download) throw new Error("no archive");
    expect(await readAll(download.stream)).toEqual(new Uint8Array(0));
    expect(ranges).toEqual([]);
  });

  it("reads a range again when its get fails or its body breaks, and only that range", async () => {
    const archive = await stored(3 * RANGE + 7);
    const { bucket, ranges } = recording(async (n, get) => {
      if (n === 1) throw new Error("Network connection lost.");
      if (n === 3) {
        const object = await get();
        if (!object) return null;
        // A body that breaks on the way, as the R2 simulator's reads have.
        return new Proxy(object, {
          get: (o, p) => (p === "arrayBuffer" ? () => Promise.reject(new Error("stream broke")) : pass(o, p)),
        });
      }
      return get();
    });
    const download = await downloadArchive(bucket, archive.key, { sha256: archive.sha256 }, { rangeBytes: RANGE });
    if (!download) throw new Error("no archive");
    expect(await readAll(download.stream)).toEqual(archive.bytes);
    const [first, second, third, fourth] = expectedRanges(archive.bytes.length, RANGE);
    expect(ranges).toEqual([first, second, second, third, third, fourth]);
  });

  it(`gives up on a range after ${RANGE_ATTEMPTS} failed reads, having handed over only what came before`, async () => {
    const archive = await stored(2 * RANGE + 1);
    const { bucket, ranges } = recording(async (n, get) => (n >= 1 ? Promise.reject(new Error("down")) : get()));
    const download = await downloadArchive(bucket, archive.key, { sha256: archive.sha256 }, { rangeBytes: RANGE });
    if (!download) throw new Error("no archive");
    const reader = download.stream.getReader();
    expect((await reader.read()).value?.byteLength).toBe(RANGE);
    await expect(reader.read()).rejects.toThrow(/failed 3 times/);
    expect(download.failure()?.reason).toBe("storage_failed");
    expect(ranges.filter((r) => r.offset === RANGE)).toHaveLength(RANGE_ATTEMPTS);
  });

  it("never hands over the last range of an archive that does not match its hash", async () => {
    const archive = await stored(2 * RANGE + 9);
    const download = await downloadArchive(env.FILES, archive.key, { sha256: "ab".repeat(32) }, { rangeBytes: RANGE });
    if (!download) throw new Error("no archive");
    const reader = download.stream.getReader();
    let received = 0;
    await expect(
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          received += value.byteLength;
        }
      })(),
    ).rejects.toThrow(/does not match/);
    expect(received).toBe(2 * RANGE);
    expect(download.failure()?.reason).toBe("checksum_mismatch");
  });

  it("refuses an archive whose size is not the manifest's before handing anything over", async () => {
    const archive = await stored(RANGE);
    const { bucket, ranges } = recording();
    const download = await downloadArchive(bucket, archive.key, { sha256: archive.sha256, bytes: RANGE + 1 });
    if (!download) throw new Error("no archive");
    await expect(readAll(download.stream)).rejects.toThrow(/manifest says/);
    expect(ranges).toEqual([]);
  });

  it("answers null for an archive that is not in R2", async () => {
    expect(await downloadArchive(env.FILES, `t/${crypto.randomUUID()}/none`, { sha256: "00".repeat(32) })).toBeNull();
  });
});

const SANDBOX = String(Reflect.get(env, "SANDBOX_URL"));
const SECRET = String(Reflect.get(env, "SANDBOX_SECRET"));

describe("restoreSnapshot over the local sandbox host", () => {
  const host = new LocalSandboxClient(SANDBOX, SECRET);
  const run = async (id: string, command: string) => (await host.exec(id, { command, timeoutMs: 60_000 })).stdout;
  const deps = (id: string, bucket: R2Bucket = env.FILES) => ({ bucket, sandbox: host, sessionId: id });

  it("restores a many-range archive whose size is not a multiple of the range", async () => {
    const id = `dl-${crypto.randomUUID().slice(0, 8)}`;
    await run(id, "mkdir -p d && head -c 300000 /dev/urandom > d/blob && echo kept > d/note.txt && sha256sum d/blob");
    const before = await run(id, "sha256sum d/blob");
    const snap = await takeSnapshot({ ...deps(id), title: "t", events: () => [], retention: 5 }, "manual");
    const range = snap.archive.bytes % 4096 === 0 ? 4097 : 4096;
    await run(id, "rm -rf d && echo other > other.txt");
    const { bucket, ranges } = recording();
    const outcome = await restoreSnapshot(deps(id, bucket), snap.id, { rangeBytes: range });
    expect(outcome.ok).toBe(true);
    expect(ranges).toEqual(expectedRanges(snap.archive.bytes, range));
    expect(await run(id, "sha256sum d/blob; cat d/note.txt; ls")).toBe(`${before}kept\nd\n`);
  });

  it("changes nothing when the stored archive does not match its manifest's hash", async () => {
    const id = `dl-${crypto.randomUUID().slice(0, 8)}`;
    await run(id, "echo one > a.txt");
    const snap = await takeSnapshot({ ...deps(id), title: "t", events: () => [], retention: 5 }, "manual");
    await run(id, "echo two > a.txt");
    // The manifest names another hash than the archive's: only the hash tells them apart.
    const wrong = { ...snap, archive: { ...snap.archive, sha256: "ab".repeat(32) } };
    await env.FILES.put(snapshotManifestKey(id, snap.id), JSON.stringify(wrong));
    const outcome = await restoreSnapshot(deps(id), snap.id, { rangeBytes: 64 });
    expect(outcome).toMatchObject({ ok: false, code: "snapshot_corrupt" });
    expect(await run(id, "cat a.txt; ls")).toBe("two\na.txt\n");
  });

  it("a sandbox that ignored the hash would still get no complete archive that does not match", async () => {
    const id = `dl-${crypto.randomUUID().slice(0, 8)}`;
    const archive = await stored(5 * 1000 + 3);
    const manifest = { id: "0000000001-abcdefgh", archive: { key: archive.key, bytes: 5003, sha256: "cd".repeat(32) } };
    await env.FILES.put(snapshotManifestKey(id, manifest.id), JSON.stringify(manifest));
    let committed = false;
    let received = 0;
    const naive = restoreOnly(async (_id, stream) => {
      if (stream instanceof Uint8Array) throw new Error("expected a stream");
      for await (const chunk of stream) received += chunk.byteLength;
      committed = true;
    });
    const outcome = await restoreSnapshot({ bucket: env.FILES, sandbox: naive, sessionId: id }, manifest.id, {
      rangeBytes: 1000,
    });
    expect(outcome).toMatchObject({ ok: false, code: "snapshot_corrupt" });
    expect(committed).toBe(false);
    expect(received).toBe(5000);
  });

  it("restores a 0-byte archive's bytes to the sandbox", async () => {
    const id = `dl-${crypto.randomUUID().slice(0, 8)}`;
    const empty = await stored(0);
    const key = snapshotArchiveKey(id, "0000000002-abcdefgh");
    await env.FILES.put(key, new Uint8Array(0));
    const manifest = { id: "0000000002-abcdefgh", archive: { key, bytes: 0, sha256: empty.sha256 } };
    await env.FILES.put(snapshotManifestKey(id, manifest.id), JSON.stringify(manifest));
    const received: number[] = [];
    const sandbox = restoreOnly(async (_id, stream) => {
      received.push((await new Response(stream).arrayBuffer()).byteLength);
    });
    const outcome = await restoreSnapshot({ bucket: env.FILES, sandbox, sessionId: id }, manifest.id);
    expect(outcome.ok).toBe(true);
    expect(received).toEqual([0]);
  });
});
