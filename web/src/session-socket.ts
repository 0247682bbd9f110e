// A session's live socket: reconnects (partysocket), says hello with the last seq seen, drops duplicates,
// and watches for a silent connection with pings.

import ReconnectingWebSocket from "partysocket/ws";
import { PING_FRAME, type ServerFrame, type SessionEvent } from "../../protocol/frames";

export type ConnectionState = "connecting" | "open" | "closed";

export interface SocketHandlers {
  onEvent(event: SessionEvent): void;
  onFrame(frame: ServerFrame): void;
  onState(state: ConnectionState): void;
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
  #lastSeq = 0;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(sessionId: string, handlers: SocketHandlers) {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/sessions/${sessionId}/ws`;
    this.#ws = new ReconnectingWebSocket(url, [], {
      maxEnqueuedMessages: 100,
      minReconnectionDelay: 500,
      maxReconnectionDelay: 5000,
    });
    handlers.onState("connecting");
    this.#ws.addEventListener("open", () => {
      handlers.onState("open");
      this.#ws.send(
        JSON.stringify({
          type: "hello",
          ...(this.#lastSeq > 0 ? { lastSeq: this.#lastSeq } : {}),
          deviceId: deviceId(),
          batch: true,
        }),
      );
      this.#startPings();
    });
    this.#ws.addEventListener("close", () => {
      handlers.onState("closed");
      this.#stopPings();
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

  send(frame: object): void {
    this.#ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.#stopPings();
    this.#ws.close();
  }
}
