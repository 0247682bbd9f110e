// Reads an archive back out of R2 as a pull-based stream of ranges: each range is fetched only when the reader
// (the sandbox) has taken the one before, hashed on the way, and re-read alone when it breaks. The last range is
// handed over only once the whole archive's hash matches the manifest's, so a sandbox never receives a complete
// archive that does not match: the object holds at most one range of it at a time.

import { hex } from "./archive-upload";

/** Size of each ranged read: the multipart part size, so a range rarely spans two parts. */
export const RANGE_BYTES = 8 * 1024 * 1024;
/** Times one range is read before the download gives up. */
export const RANGE_ATTEMPTS = 3;

/** Why a download stopped: the archive did not match, was gone, or storage kept failing. */
export class ArchiveReadError extends Error {
  readonly reason: "checksum_mismatch" | "missing" | "storage_failed";

  constructor(reason: ArchiveReadError["reason"], message: string) {
    super(message);
    this.name = "ArchiveReadError";
    this.reason = reason;
  }
}

export interface ArchiveDownload {
  /** The archive's bytes; errors with an `ArchiveReadError` instead of completing a mismatching archive. */
  stream: ReadableStream<Uint8Array>;
  /** The archive's size in R2. */
  bytes: number;
  /** What stopped the stream, once it has stopped on its own (not when its reader cancelled it). */
  failure(): ArchiveReadError | null;
}

export interface DownloadOptions {
  rangeBytes?: number;
  attempts?: number;
}

/** Reads `[offset, offset + length)` of `key` whole, again on a failed or short read, up to `attempts` times. */
async function readRange(bucket: R2Bucket, key: string, offset: number, length: number, attempts: number) {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let object: R2ObjectBody | null;
    try {
      object = await bucket.get(key, { range: { offset, length } });
    } catch (error) {
      last = error;
      continue;
    }
    if (object === null) throw new ArchiveReadError("missing", "the snapshot's archive is missing from storage");
    try {
      const bytes = new Uint8Array(await object.arrayBuffer());
      if (bytes.byteLength === length) return bytes;
      last = new Error(`a range of ${length} bytes at ${offset} came back with ${bytes.byteLength}`);
    } catch (error) {
      last = error;
    }
  }
  throw new ArchiveReadError(
    "storage_failed",
    `reading the archive at byte ${offset} failed ${attempts} times: ${String(last)}`,
  );
}

/**
 * Opens `key` for a verified, ranged read; `null` when the archive is not in R2. `sha256` (hex) is what the whole
 * archive must hash to; `bytes`, when known, what its size must be.
 */
export async function downloadArchive(
  bucket: R2Bucket,
  key: string,
  expected: { sha256: string; bytes?: number },
  options: DownloadOptions = {},
): Promise<ArchiveDownload | null> {
  const head = await bucket.head(key);
  if (head === null) return null;
  const size = head.size;
  const rangeBytes = options.rangeBytes ?? RANGE_BYTES;
  const attempts = options.attempts ?? RANGE_ATTEMPTS;
  const digest = new crypto.DigestStream("SHA-256");
  const hashing = digest.getWriter();
  // Once the hash is given up, these settle as rejected with nothing waiting for them.
  hashing.closed.catch(() => undefined);
  digest.digest.catch(() => undefined);
  let offset = 0;
  /** Whether the hash is finished (closed), so there is nothing left to abort. */
  let hashed = false;
  let failure: ArchiveReadError | null = null;
  const stop = (controller: ReadableStreamDefaultController<Uint8Array>, error: ArchiveReadError) => {
    failure = error;
    if (!hashed) hashing.abort(error).catch(() => undefined);
    controller.error(error);
  };
  /** Whether the whole archive, now hashed, is the one the manifest names. */
  const matches = async () => {
    hashed = true;
    await hashing.close();
    return hex(await digest.digest) === expected.sha256.toLowerCase();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (expected.bytes !== undefined && expected.bytes !== size)
            throw new ArchiveReadError(
              "checksum_mismatch",
              `the archive has ${size} bytes, its manifest says ${expected.bytes}`,
            );
          const length = Math.min(rangeBytes, size - offset);
          const bytes = length > 0 ? await readRange(bucket, key, offset, length, attempts) : new Uint8Array(0);
          offset += length;
          if (length > 0) await hashing.write(bytes);
          const last = offset >= size;
          if (last && !(await matches()))
            throw new ArchiveReadError(
              "checksum_mismatch",
              "the archive does not match its checksum; nothing was changed",
            );
          if (length > 0) controller.enqueue(bytes);
          if (last) controller.close();
        } catch (error) {
          stop(
            controller,
            error instanceof ArchiveReadError ? error : new ArchiveReadError("storage_failed", String(error)),
          );
        }
      },
      cancel(reason) {
        if (!hashed) hashing.abort(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, bytes: size, failure: () => failure };
}
