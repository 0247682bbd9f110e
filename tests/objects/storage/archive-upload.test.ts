// Streaming archives into R2: one put when small, a multipart upload of equal parts otherwise, the hash taken
// on the way, and an abandoned upload aborted.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PART_BYTES, uploadArchive } from "../../../objects/session/storage/archive-upload";

/** `total` pseudo-random bytes in chunks of `chunk`, failing after `failAfter` bytes if given. */
function source(total: number, chunk = 1_000_003, failAfter?: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (failAfter !== undefined && sent >= failAfter) return controller.error(new Error("the sandbox went away"));
      if (sent >= total) return controller.close();
      const size = Math.min(chunk, total - sent);
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = ((sent + i) * 2654435761) >>> 24;
      sent += size;
      controller.enqueue(bytes);
    },
  });
}

/** A member of `target`, methods bound to it (for proxies that wrap a few of them). */
function pass(target: object, property: string | symbol): unknown {
  const value: unknown = Reflect.get(target, property);
  return typeof value === "function" ? value.bind(target) : value;
}

/** env.FILES whose multipart uploads have their member `name` replaced by what `wrap` makes of the upload. */
function wrapUploads(name: "uploadPart" | "abort", wrap: (upload: R2MultipartUpload) => unknown): R2Bucket {
  return new Proxy(env.FILES, {
    get(target, property) {
      if (property !== "createMultipartUpload") return pass(target, property);
      return async (k: string, o: R2MultipartOptions) => {
        const upload = await target.createMultipartUpload(k, o);
        return new Proxy(upload, { get: (u, p) => (p === name ? wrap(u) : pass(u, p)) });
      };
    },
  });
}

const hex = async (stream: ReadableStream<Uint8Array>) => {
  const digest = new crypto.DigestStream("SHA-256");
  await stream.pipeTo(digest);
  return [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
};

describe("uploadArchive", () => {
  it("puts a small archive in one piece, with its hash", async () => {
    const key = `t/${crypto.randomUUID()}/small.tgz`;
    const result = await uploadArchive(env.FILES, key, source(300_000));
    expect(result).toMatchObject({ bytes: 300_000, parts: 0 });
    expect(result.sha256).toBe(await hex(source(300_000)));
    const stored = await env.FILES.get(key);
    expect(stored?.size).toBe(300_000);
  });

  it("uploads a large archive in equal parts of at least 5 MiB, the last shorter, and the bytes survive", async () => {
    const total = 2 * PART_BYTES + 3 * 1024 * 1024;
    const key = `t/${crypto.randomUUID()}/large.tgz`;
    const parts: number[] = [];
    const bucket = wrapUploads("uploadPart", (u) => (n: number, value: Uint8Array) => {
      parts.push(value.byteLength);
      return u.uploadPart(n, value);
    });
    const result = await uploadArchive(bucket, key, source(total));
    expect(PART_BYTES).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    expect(parts).toEqual([PART_BYTES, PART_BYTES, 3 * 1024 * 1024]);
    expect(result).toMatchObject({ bytes: total, parts: 3 });
    const stored = await env.FILES.get(key);
    if (!stored) throw new Error("nothing stored");
    expect(await hex(stored.body)).toBe(result.sha256);
    expect(result.sha256).toBe(await hex(source(total)));
  }, 60_000);

  it("aborts the multipart upload when the archive fails half-way, and stores nothing", async () => {
    const key = `t/${crypto.randomUUID()}/broken.tgz`;
    let aborted = 0;
    const bucket = wrapUploads("abort", (u) => () => {
      aborted++;
      return u.abort();
    });
    await expect(uploadArchive(bucket, key, source(3 * PART_BYTES, 1_000_003, PART_BYTES + 5))).rejects.toThrow(
      /went away/,
    );
    expect(aborted).toBe(1);
    expect(await env.FILES.head(key)).toBeNull();
  });
});
