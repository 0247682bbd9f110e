// A client of workerd's inspector (Chrome DevTools protocol, on `wrangler dev --inspector-port`): sends
// commands to the worker's isolate, awaits their results and hands its events (e.g. heap snapshot chunks) to
// listeners.

import WebSocket from "ws";

export class Inspector {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, (result: unknown) => void>();
  readonly #listeners = new Map<string, (params: unknown) => void>();
  #next = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; method?: string; params?: unknown };
      // wrangler's inspector proxy echoes some commands back with their id and method: not a result.
      if (message.method !== undefined) return this.#listeners.get(message.method)?.(message.params);
      if (message.id === undefined) return;
      this.#pending.get(message.id)?.(message.result);
      this.#pending.delete(message.id);
    });
  }

  /** Connects to the first target the inspector on `port` lists (the worker's isolate). */
  static async open(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
      webSocketDebuggerUrl?: string;
    }[];
    const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}`);
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new Inspector(ws);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, (result) => resolve(result as T));
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Sends a command whose reply is not awaited (workerd leaves some unanswered; order still holds). */
  post(method: string, params: Record<string, unknown> = {}): void {
    this.#ws.send(JSON.stringify({ id: this.#next++, method, params }));
  }

  /** Calls `listener` with the params of every event `method` the isolate sends (one listener per event). */
  on<T>(method: string, listener: ((params: T) => void) | undefined): void {
    if (listener) this.#listeners.set(method, (params) => listener(params as T));
    else this.#listeners.delete(method);
  }

  close(): void {
    this.#ws.close();
  }
}
