// Streams the events of the turn that answers one user message, as they are stored: what is stored, then live.

import { encodeEventLine } from "../../protocol/event-lines";
import type { EventType, ServerFrame, SessionEvent } from "../../protocol/frames";
import { type EventLog, PAGE_SIZE } from "./event-log";

/** The event types a turn's stream carries (tool output and reasoning stay with the web devices). */
const TURN_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  "turn_start",
  "assistant_delta",
  "assistant_message",
  "tool_call",
  "tool_result",
  "approval_request",
  "usage",
  "error",
  "turn_end",
]);

interface Watch {
  /** The seq of the user message the turn answers. */
  after: number;
  /** Set at the first turn_start after the message: only one turn runs at a time, so it is that message's. */
  turnId: string | null;
  controller: ReadableStreamDefaultController<Uint8Array>;
}

/** A stored event (a durable frame carries `at`; ready, duplicate and error frames do not). */
export function isStoredEvent(frame: ServerFrame): frame is SessionEvent {
  return "at" in frame;
}

export class TurnStreams {
  readonly #log: EventLog;
  readonly #watches = new Set<Watch>();

  constructor(log: EventLog) {
    this.#log = log;
  }

  /** Streams open now. */
  get size(): number {
    return this.#watches.size;
  }

  /**
   * The user message, then its turn's events from turn_start to turn_end: those stored already, then the
   * live ones. Runs without an await, so no event slips between the stored ones and the live ones. A
   * command gets the notices it produced (it runs no turn).
   */
  open(message: SessionEvent, command: boolean): ReadableStream<Uint8Array> {
    let watch: Watch | undefined;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(encodeEventLine(message));
        if (command) {
          for (const event of this.#log.after(message.seq, PAGE_SIZE)) {
            if (event.type !== "notice") break;
            controller.enqueue(encodeEventLine(event));
          }
          controller.close();
          return;
        }
        const open: Watch = { after: message.seq, turnId: null, controller };
        let after = message.seq;
        for (;;) {
          const page = this.#log.after(after, PAGE_SIZE);
          for (const event of page) if (this.#step(open, event)) return;
          const last = page.at(-1);
          if (!last || page.length < PAGE_SIZE) break;
          after = last.seq;
        }
        watch = open;
        this.#watches.add(open);
      },
      cancel: () => {
        if (watch) this.#watches.delete(watch);
      },
    });
  }

  /** Every stored event passes here once, after it is stored. */
  observe(frame: ServerFrame): void {
    if (!isStoredEvent(frame)) return;
    for (const watch of this.#watches) if (this.#step(watch, frame)) this.#watches.delete(watch);
  }

  /** Ends every stream (the session is deleted). */
  closeAll(): void {
    for (const watch of this.#watches) watch.controller.error(new Error("the session was deleted"));
    this.#watches.clear();
  }

  /** Sends the event if it belongs to the watched turn; true once the turn has ended (the stream is closed). */
  #step(watch: Watch, event: SessionEvent): boolean {
    if (event.seq <= watch.after || !TURN_TYPES.has(event.type)) return false;
    if (watch.turnId === null) {
      if (event.type !== "turn_start") return false;
      watch.turnId = event.turnId;
    }
    watch.controller.enqueue(encodeEventLine(event));
    if (event.type === "turn_end" && event.turnId === watch.turnId) {
      watch.controller.close();
      return true;
    }
    return false;
  }
}
