// Streams an archive into R2, hashing it on the way and never holding more than one part in memory:
// small archives in one put, larger ones as a multipart upload (parts of PART_BYTES, all one size but the
// last), aborted if anything fails so no abandoned upload is left behind.

/** Size of each multipart part (R2 wants at least 5 MiB and equal sizes but the last). */
export const PART_BYTES = 8 * 1024 * 1024;

export interface Uploaded {
  bytes: number;
  sha256: string;
  /** How many parts were uploaded (0 for a single put). */
  parts: number;
}

/** A digest as lowercase hex. */
export const hex = (buffer: ArrayBuffer) =>
  [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Collects chunks into parts of exactly `size` bytes (the last may be shorter). */
class PartBuffer {
  readonly #size: number;
  #part: Uint8Array;
  #filled = 0;

  constructor(size: number) {
    this.#size = size;
    this.#part = new Uint8Array(size);
  }

  /** Adds `chunk`; calls `full` with each part that fills up. */
  async add(chunk: Uint8Array, full: (part: Uint8Array) => Promise<void>): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.#size - this.#filled, chunk.length - offset);
      this.#part.set(chunk.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === this.#size) {
        await full(this.#part);
        this.#part = new Uint8Array(this.#size);
        this.#filled = 0;
      }
    }
  }

  rest(): Uint8Array {
    return this.#part.subarray(0, this.#filled);
  }
}

export async function uploadArchive(
  bucket: R2Bucket,
  key: string,
  archive: ReadableStream<Uint8Array>,
  partBytes = PART_BYTES,
): Promise<Uploaded> {
  const digest = new crypto.DigestStream("SHA-256");
  const hashing = digest.getWriter();
  const buffer = new PartBuffer(partBytes);
  const options = { httpMetadata: { contentType: "application/gzip" } };
  let upload: R2MultipartUpload | null = null;
  const parts: R2UploadedPart[] = [];
  let bytes = 0;
  try {
    for await (const chunk of archive) {
      bytes += chunk.length;
      await hashing.write(chunk);
      await buffer.add(chunk, async (part) => {
        upload ??= await bucket.createMultipartUpload(key, options);
        parts.push(await upload.uploadPart(parts.length + 1, part));
      });
    }
    await hashing.close();
    const sha256 = hex(await digest.digest);
    const current = upload as R2MultipartUpload | null;
    if (current === null) {
      await bucket.put(key, buffer.rest(), { ...options, sha256 });
      return { bytes, sha256, parts: 0 };
    }
    if (buffer.rest().length > 0) parts.push(await current.uploadPart(parts.length + 1, buffer.rest()));
    await current.complete(parts);
    return { bytes, sha256, parts: parts.length };
  } catch (error) {
    const current = upload as R2MultipartUpload | null;
    await current?.abort().catch(() => undefined);
    // The digest's promise rejects once the hash is aborted: nothing waits for it any more.
    digest.digest.catch(() => undefined);
    await hashing.abort(error).catch(() => undefined);
    throw error;
  }
}
