// Stages bytes in the container's root-only folder through the Sandbox SDK's file API, one piece at a time: the
// SDK writes a file from a stream only over its RPC transport (its default HTTP transport throws on a
// ReadableStream), so each piece goes as base64 text and the root shell appends it. At most one piece is held.

/** Bytes per piece sent to the container. */
export const STAGE_PIECE_BYTES = 4 * 1024 * 1024;
/** Bytes encoded per `btoa` call (a multiple of 3, so the encodings join without padding in between). */
const ENCODE_BYTES = 3 * 8192;

/** The SDK's file write this needs: text content, decoded from base64 by the container. */
export interface StagingSdk {
  writeFile(path: string, content: string, options: { encoding: "base64" }): Promise<unknown>;
}

export function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += ENCODE_BYTES)
    out += btoa(String.fromCharCode(...bytes.subarray(i, i + ENCODE_BYTES)));
  return out;
}

function joined(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * Writes `source` to `path` (in a root-only folder) piece by piece; `shell` runs a root shell line. Reads the next
 * piece of `source` only once the one before is in the container. On failure the partial file is removed.
 */
export async function stageFile(
  sdk: StagingSdk,
  shell: (line: string) => Promise<unknown>,
  path: string,
  source: ReadableStream<Uint8Array> | Uint8Array,
  pieceBytes = STAGE_PIECE_BYTES,
): Promise<void> {
  const piece = `${path}.piece`;
  const flush = async (bytes: Uint8Array) => {
    await sdk.writeFile(piece, base64(bytes), { encoding: "base64" });
    await shell(`cat -- ${quote(piece)} >> ${quote(path)} && rm -f -- ${quote(piece)}`);
  };
  try {
    await shell(`: > ${quote(path)}`);
    let pending: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of source instanceof Uint8Array ? [source] : source) {
      pending.push(chunk);
      size += chunk.length;
      while (size >= pieceBytes) {
        const all = joined(pending, size);
        await flush(all.subarray(0, pieceBytes));
        pending = [all.subarray(pieceBytes)];
        size -= pieceBytes;
      }
    }
    if (size > 0) await flush(joined(pending, size));
  } catch (error) {
    await shell(`rm -f -- ${quote(piece)} ${quote(path)}`).catch(() => undefined);
    throw error;
  }
}
