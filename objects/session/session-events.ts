// The session's one event sink: every durable event is appended, fanned out to the devices, then handed to the after-hooks.

import type { LogFields } from "../../log/logger";
import type { EventPayloads, EventType, SessionEvent } from "../../protocol/frames";
import type { EventLog } from "./event-log";

/** Who a session is, read once from its metadata: it never changes after creation. */
export interface SessionIdentity {
  /** The session id (the Durable Object's name). */
  readonly id: string;
  /** The user who owns it. */
  readonly owner: string;
}

/**
 * Runs after an event is stored and sent: auto title, touch, push, channels. A hook must not throw
 * (a throw is logged and the other hooks still run); slow work goes to `waitUntil` or an alarm booking.
 */
export interface SessionHook {
  /** Names the hook in logs. */
  readonly name: string;
  after(event: SessionEvent): void;
}

/** Appends and emits events; what the frame handler, the turn controller, the files and the scheduler use. */
export interface EventSink {
  emit<K extends EventType>(type: K, payload: EventPayloads[K], clientId?: string): SessionEvent;
}

export interface SessionEventsDeps {
  log: EventLog;
  /** Sends a stored event to every ready device; `frame` is the event serialised (once, for every device). */
  fanOut(event: SessionEvent, frame: string): void;
  /** Reports a hook that threw. */
  warn(message: string, detail: LogFields): void;
}

export class SessionEvents implements EventSink {
  readonly #deps: SessionEventsDeps;
  readonly #hooks: SessionHook[] = [];

  constructor(deps: SessionEventsDeps, hooks: readonly SessionHook[] = []) {
    this.#deps = deps;
    this.#hooks.push(...hooks);
  }

  /** Adds an after-hook; returns its removal. */
  register(hook: SessionHook): () => void {
    this.#hooks.push(hook);
    return () => {
      const at = this.#hooks.indexOf(hook);
      if (at >= 0) this.#hooks.splice(at, 1);
    };
  }

  /**
   * Stores the next event (synchronously: nothing interleaves), sends it to the devices, then runs the
   * hooks in order. A payload the log refuses throws before anything is sent.
   */
  emit<K extends EventType>(type: K, payload: EventPayloads[K], clientId?: string): SessionEvent {
    const { event, frame } = this.#deps.log.record(type, payload, clientId);
    this.#deps.fanOut(event, frame);
    for (const hook of this.#hooks) {
      try {
        hook.after(event);
      } catch (error) {
        this.#deps.warn("session hook failed", { hook: hook.name, event: event.type, error: String(error) });
      }
    }
    return event;
  }
}
