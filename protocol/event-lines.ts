// Stored events as lines of JSON: how a session object streams one turn to the worker, and how it is read back.

import { EVENT_TYPES, type SessionEvent } from "./frames";
import { isRecord } from "./json";

const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Checks the shape every stored event has; the payload was validated when it was stored. */
function isSessionEvent(value: unknown): value is SessionEvent {
  return isRecord(value) && typeof value.type === "string" && TYPES.has(value.type) && typeof value.seq === "number";
}

/** One event as a line of the stream. */
export function encodeEventLine(event: SessionEvent): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(event)}\n`);
}

/** Reads events from a stream of lines (a line may arrive in several chunks, a chunk may hold several lines). */
export async function* readEventLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<SessionEvent> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffered = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const parsed: unknown = line.trim() === "" ? null : JSON.parse(line);
        if (isSessionEvent(parsed)) yield parsed;
        newline = buffered.indexOf("\n");
      }
    }
  } finally {
    // An abandoned read (the caller went away) cancels the session's stream, which forgets this watcher.
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
