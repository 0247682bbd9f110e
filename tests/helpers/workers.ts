// Helpers for tests inside workerd: sign in through the dev issuer, call the API, and drive sockets.

import { SELF } from "cloudflare:test";
import type { ServerFrame } from "../../protocol/frames";

export const BASE = "http://127.0.0.1:8787";

export async function login(email: string, groups: string[] = []): Promise<string> {
  const response = await SELF.fetch(`${BASE}/dev/login`, {
    method: "POST",
    body: JSON.stringify({ email, groups }),
    headers: { "content-type": "application/json" },
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const body: { token: string } = await response.json();
  return body.token;
}

export function api(path: string, token: string | null, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set("cf-access-jwt-assertion", token);
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

export async function createSession(token: string, title?: string): Promise<string> {
  const response = await api("/api/sessions", token, { method: "POST", body: JSON.stringify(title ? { title } : {}) });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  const body: { id: string } = await response.json();
  return body.id;
}

/** A test-side socket: buffers frames and waits for them with timers it always clears. */
/** How long `until` waits before it reports the frames: just under the workers tests' 60 s timeout. */
const UNTIL_MS = 55_000;

export class TestSocket {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  #waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      this.frames.push(JSON.parse(String(event.data)));
      this.#wake();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.#wake();
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /**
   * Waits until `predicate` holds over the frames received so far. No deadline of its own but the test's:
   * `timeoutMs` (just under the test timeout) only turns a hang into a message listing the frames.
   */
  async until(predicate: (frames: ServerFrame[]) => boolean, timeoutMs = UNTIL_MS): Promise<ServerFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
        this.#waiters.push(resolve);
      });
      clearTimeout(timer);
    }
    return this.frames;
  }

  /** The frames of one type received so far. */
  of<T extends ServerFrame["type"]>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type);
  }

  async waitFor<T extends ServerFrame["type"]>(type: T, count = 1): Promise<Extract<ServerFrame, { type: T }>[]> {
    await this.until(() => this.of(type).length >= count);
    return this.of(type);
  }

  /** Durable events received so far (frames with a seq and a time). */
  events(): Extract<ServerFrame, { at: number }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { at: number }> => "at" in f);
  }

  /** Waits until the agent has answered: the newest event is a turn_end and nothing follows for a moment. */
  async settle(quietMs = 150): Promise<void> {
    for (;;) {
      await this.until(() => this.events().at(-1)?.type === "turn_end");
      const count = this.frames.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      if (this.frames.length === count) return;
    }
  }

  close(): void {
    this.ws.close(1000, "done");
  }
}

export async function connect(
  sessionId: string,
  token: string,
  extraHeaders: Record<string, string> = {},
): Promise<TestSocket> {
  const response = await api(`/api/sessions/${sessionId}/ws`, token, {
    headers: { upgrade: "websocket", origin: BASE, ...extraHeaders },
  });
  const ws = response.webSocket;
  if (!ws) throw new Error(`upgrade refused: ${response.status} ${await response.text()}`);
  ws.accept();
  return new TestSocket(ws);
}

/** Connects and says hello; resolves once the replay is done. */
export async function join(sessionId: string, token: string, lastSeq?: number, deviceId?: string): Promise<TestSocket> {
  const socket = await connect(sessionId, token);
  socket.send({ type: "hello", ...(lastSeq === undefined ? {} : { lastSeq }), ...(deviceId ? { deviceId } : {}) });
  await socket.waitFor("ready");
  return socket;
}
