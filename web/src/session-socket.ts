// The session's live socket: partysocket reconnects, hello {lastSeq} resumes, events are de-duplicated by seq,
// keep-alive pings; close codes that mean "stop" (terminated, deleted, expired) end it instead of reconnecting.

import ReconnectingWebSocket from "partysocket/ws";
import { type ClientFrame, PING_FRAME, type ServerFrame, type SessionEvent } from "../../protocol/frames";
import { ApiError, api } from "./api";
import { type Ended, endedBy, endedByRefusal } from "./close-reasons";

export type ConnectionState = "connecting" | "open" | "closed" | "ended";

export interface SocketHandlers {
  onEvent(event: SessionEvent): void;
  onFrame(frame: ServerFrame): void;
  onState(state: ConnectionState): void;
  /** The socket stopped for good: what happened and what the person can do. */
  onEnded(ended: Ended): void;
}

const PING_EVERY_MS = 25_000;
const PONG_WITHIN_MS = 10_000;

/** A stable id for this browser, shown in presence. */
export function deviceId(): string {
  const key = "edgeclaw.device";
  let id = localStorage.getItem(key);
  if (!id) {
    id = `web-${crypto.randomUUID().slice(0, 8)}`;
    localStorage.setItem(key, id);
  }
  return id;
}

export class SessionSocket {
  readonly #ws: ReconnectingWebSocket;
  readonly #sessionId: string;
  readonly #handlers: SocketHandlers;
  #lastSeq = 0;
  #opened = false;
  #ended = false;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(sessionId: string, handlers: SocketHandlers) {
    this.#sessionId = sessionId;
    this.#handlers = handlers;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/sessions/${sessionId}/ws`;
    this.#ws = new ReconnectingWebSocket(url, [], {
      maxEnqueuedMessages: 100,
      minReconnectionDelay: 500,
      maxReconnectionDelay: 5000,
      shouldReconnectOnClose: (event) => endedBy(event.code) === null,
    });
    handlers.onState("connecting");
    this.#ws.addEventListener("open", () => {
      this.#opened = true;
      handlers.onState("open");
      this.send({
        type: "hello",
        ...(this.#lastSeq > 0 ? { lastSeq: this.#lastSeq } : {}),
        deviceId: deviceId(),
        batch: true,
      });
      this.#startPings();
    });
    this.#ws.addEventListener("close", (event) => {
      this.#stopPings();
      if (this.#ended) return;
      const ended = endedBy(event.code);
      if (ended) {
        this.#end(ended);
        return;
      }
      handlers.onState("closed");
      // Refused before it opened (a browser shows no HTTP status): ask the API why.
      if (!this.#opened) void this.#probe();
      this.#opened = false;
    });
    this.#ws.addEventListener("message", (message) => {
      const frame = JSON.parse(String(message.data)) as ServerFrame;
      if (frame.type === "pong") {
        clearTimeout(this.#pongTimer);
        return;
      }
      for (const one of frame.type === "batch" ? frame.events : [frame]) {
        if ("seq" in one && "at" in one) {
          if (one.seq <= this.#lastSeq) continue;
          this.#lastSeq = one.seq;
          handlers.onEvent(one);
        } else handlers.onFrame(one);
      }
    });
  }

  #end(ended: Ended): void {
    this.#ended = true;
    this.#ws.close();
    this.#handlers.onState("ended");
    this.#handlers.onEnded(ended);
  }

  /** After a refused connection: a missing session, a lost sign-in or a configuration error ends the socket. */
  async #probe(): Promise<void> {
    try {
      await api(`/api/sessions/${this.#sessionId}`);
    } catch (error) {
      const ended = error instanceof ApiError ? endedByRefusal(error.status, error.code, error.message) : null;
      if (ended && !this.#ended) this.#end(ended);
    }
  }

  #startPings(): void {
    this.#stopPings();
    this.#pingTimer = setInterval(() => {
      this.#ws.send(PING_FRAME);
      this.#pongTimer = setTimeout(() => this.#ws.reconnect(), PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  #stopPings(): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
  }

  send(frame: ClientFrame): void {
    this.#ws.send(JSON.stringify(frame));
  }

  /** Reconnects a socket that ended (after the person asked to), resuming from the last seq seen. */
  reconnect(): void {
    this.#ended = false;
    this.#handlers.onState("connecting");
    this.#ws.reconnect();
  }

  close(): void {
    this.#ended = true;
    this.#stopPings();
    this.#ws.close();
  }
}
