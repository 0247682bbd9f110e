// A device of the Agents SDK peer: speaks AIChatAgent's WebSocket protocol from Node.

import WebSocket from "ws";
import { Waiter } from "../tests/e2e/helpers/waiter.ts";

interface ChunkFrame {
  type: string;
  id?: string;
  body?: string;
  done?: boolean;
  messages?: unknown[];
}

export class PeerDevice {
  readonly ws: WebSocket;
  readonly frames: ChunkFrame[] = [];
  readonly #waiter = new Waiter();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      this.frames.push(JSON.parse(String(data)));
      this.#waiter.wake();
    });
  }

  static async open(base: string, room: string): Promise<PeerDevice> {
    const ws = new WebSocket(`${base.replace("http", "ws")}/agents/peer-chat/${room}`);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new PeerDevice(ws);
  }

  /** Sends a user turn the way useAgentChat does: the whole message list in a chat request. */
  ask(requestId: string, messages: { id: string; role: "user" | "assistant"; text: string }[]): void {
    const body = JSON.stringify({
      messages: messages.map((m) => ({ id: m.id, role: m.role, parts: [{ type: "text", text: m.text }] })),
    });
    this.ws.send(JSON.stringify({ type: "cf_agent_use_chat_request", id: requestId, init: { method: "POST", body } }));
  }

  /** Text deltas received for a request. */
  deltas(requestId: string): string[] {
    const out: string[] = [];
    for (const f of this.frames) {
      if (f.type !== "cf_agent_use_chat_response" || f.id !== requestId || !f.body) continue;
      try {
        const chunk = JSON.parse(f.body) as { type?: string; delta?: string };
        if (chunk.type === "text-delta" && typeof chunk.delta === "string") out.push(chunk.delta);
      } catch {
        // Not JSON: ignore.
      }
    }
    return out;
  }

  done(requestId: string): boolean {
    return this.frames.some((f) => f.type === "cf_agent_use_chat_response" && f.id === requestId && f.done === true);
  }

  until(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
    return this.#waiter.until(
      predicate,
      timeoutMs,
      () => `peer, last frames: ${JSON.stringify(this.frames.slice(-3)).slice(0, 500)}`,
    );
  }

  close(): void {
    this.ws.close();
  }
}
