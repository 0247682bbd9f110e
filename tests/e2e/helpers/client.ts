// A real WebSocket client from Node (the `ws` package) and small HTTP helpers against a running service.

import WebSocket from "ws";
import type { ServerFrame } from "../../../protocol/frames.ts";
import { Waiter } from "./waiter.ts";

export async function login(base: string, email: string, groups: string[] = []): Promise<string> {
  const response = await fetch(`${base}/dev/login`, { method: "POST", body: JSON.stringify({ email, groups }) });
  if (!response.ok) throw new Error(`login: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export async function call(
  base: string,
  path: string,
  token: string | null,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set("cf-access-jwt-assertion", token);
  return fetch(`${base}${path}`, { ...init, headers });
}

export async function newSession(base: string, token: string): Promise<string> {
  const response = await call(base, "/api/sessions", token, { method: "POST", body: "{}" });
  if (response.status !== 201) throw new Error(`create: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** How long a wait lasts before it reports the last frames: just under the e2e tests' 60 s timeout. */
const UNTIL_MS = 55_000;

export class Device {
  readonly frames: ServerFrame[] = [];
  closed: number | null = null;
  readonly #waiter = new Waiter();

  readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === "batch") this.frames.push(...frame.events);
      else this.frames.push(frame);
      this.#waiter.wake();
    });
    ws.on("close", (code) => {
      this.closed = code;
      this.#waiter.wake();
    });
  }

  static async open(base: string, sessionId: string, token: string): Promise<Device> {
    const ws = new WebSocket(`${base.replace("http", "ws")}/api/sessions/${sessionId}/ws`, {
      headers: { "cf-access-jwt-assertion": token, origin: base },
    });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once("error", reject);
    });
    return new Device(ws);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  events(): Extract<ServerFrame, { seq: number; at: number }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { seq: number; at: number }> => "at" in f);
  }

  users(): Extract<ServerFrame, { type: "user_message" }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: "user_message" }> => f.type === "user_message");
  }

  /** Waits until the agent has answered: the newest event is a turn_end and nothing follows for a moment. */
  async settle(quietMs = 200, timeoutMs = UNTIL_MS): Promise<void> {
    for (;;) {
      await this.until(() => this.events().at(-1)?.type === "turn_end", timeoutMs);
      const count = this.frames.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      if (this.frames.length === count) return;
    }
  }

  /** Waits for `predicate`; `timeoutMs` (just under the test timeout) only turns a hang into a message. */
  until(predicate: () => boolean, timeoutMs = UNTIL_MS): Promise<void> {
    return this.#waiter.until(predicate, timeoutMs, () => `last frames: ${JSON.stringify(this.frames.slice(-5))}`);
  }

  async hello(lastSeq?: number, batch = false): Promise<void> {
    const readyCount = this.frames.filter((f) => f.type === "ready").length;
    this.send({ type: "hello", ...(lastSeq === undefined ? {} : { lastSeq }), ...(batch ? { batch } : {}) });
    await this.until(() => this.frames.filter((f) => f.type === "ready").length > readyCount);
  }

  async close(): Promise<void> {
    if (this.closed !== null) return;
    const closed = new Promise((resolve) => this.ws.once("close", resolve));
    this.ws.close(1000);
    await closed;
  }
}

/** The HTTP status that refused an upgrade, or 101 when the socket opened (it is closed at once). */
export function upgradeStatus(base: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace("http", "ws")}${path}`, { headers });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("open", () => {
      resolve(101);
      ws.close();
    });
    ws.once("error", (error) => reject(error));
  });
}
