// Server-sent events over a byte stream: chunks split anywhere, CRLF or LF, comments and multi-line data.

import { ProviderError } from "./types";

export interface SseEvent {
  /** The `event:` field, "message" when absent. */
  event: string;
  /** The `data:` lines joined by newlines. */
  data: string;
}

/** A stream silent this long is treated as stalled. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * Fails with `stream_stalled` once the stream has been silent for `idleMs`: one timer for the whole stream,
 * pushed on by each chunk (`touch`), not a timer per chunk.
 */
function stallWatch(reader: ReadableStreamDefaultReader<string>, idleMs: number) {
  let lastChunkAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    const check = () => {
      const quiet = Date.now() - lastChunkAt;
      if (quiet < idleMs) {
        timer = setTimeout(check, idleMs - quiet);
        return;
      }
      void reader.cancel().catch(() => {});
      reject(new ProviderError("stream_stalled", `the provider sent nothing for ${idleMs} ms`, { retryable: true }));
    };
    timer = setTimeout(check, idleMs);
  });
  // Raced by every read; a stall after the last read is nobody's error.
  stalled.catch(() => {});
  return {
    /** Reads the next chunk, or fails with `stream_stalled`. */
    read: () => Promise.race([reader.read(), stalled]),
    touch: () => {
      lastChunkAt = Date.now();
    },
    stop: () => {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** Yields each event; throws `stream_cut` if the connection drops mid-read, `stream_stalled` if it goes silent. */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
  idleMs = DEFAULT_IDLE_TIMEOUT_MS,
): AsyncGenerator<SseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const watch = stallWatch(reader, idleMs);
  const abort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", abort, { once: true });
  let buffer = "";
  let event = "";
  let data: string[] = [];
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await watch.read();
        watch.touch();
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        if (signal?.aborted) throw new ProviderError("aborted", "the call was cancelled", { retryable: false });
        throw new ProviderError("stream_cut", `the stream broke: ${String(error)}`, { retryable: true });
      }
      if (signal?.aborted) throw new ProviderError("aborted", "the call was cancelled", { retryable: false });
      if (chunk.done) return;
      buffer += chunk.value;
      for (let nl = buffer.search(/\r?\n|\r/); nl >= 0; nl = buffer.search(/\r?\n|\r/)) {
        // A lone CR at the end may be the first half of a CRLF split across chunks.
        if (buffer[nl] === "\r" && nl === buffer.length - 1) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(buffer[nl] === "\r" && buffer[nl + 1] === "\n" ? nl + 2 : nl + 1);
        if (line === "") {
          if (data.length > 0) yield { event: event || "message", data: data.join("\n") };
          event = "";
          data = [];
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "data") data.push(value);
          else if (field === "event") event = value;
        }
      }
    }
  } finally {
    watch.stop();
    signal?.removeEventListener("abort", abort);
    reader.releaseLock();
  }
}

/** Parses one event's JSON data; a malformed line is a `bad_stream` error. */
export function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new ProviderError("bad_stream", `the provider sent a malformed event: ${data.slice(0, 120)}`, {
      retryable: true,
    });
  }
}
