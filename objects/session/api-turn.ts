// A turn asked for through /v1: seeds a new session's history, stores the user message once, streams its turn.

import type { EventPayloads, EventType, SessionEvent } from "../../protocol/frames";
import { parseCommand } from "./agent/commands";
import type { EventLog } from "./event-log";
import type { MetaStore } from "./meta-store";
import type { TurnStreams } from "./turn-stream";

/** What the worker sends to start (or, with the same client id, to find again) a turn. */
export interface ApiTurnInput {
  /** The message's idempotency key in this session (a retried request sends the same one). */
  clientId: string;
  /** The user message. */
  text: string;
  /** The verified caller (the session's owner). */
  user: string;
  /** The device id the web devices see on the message. */
  deviceId: string;
  /** Earlier messages of the request, stored first as history; only for a session that has no events yet. */
  history: { role: "user" | "assistant"; text: string }[];
  /** `edgeclaw/<model>`: the model this session uses from now on (checked by the worker); null keeps it. */
  model: string | null;
}

export type ApiTurnResult =
  | { ok: true; stream: ReadableStream<Uint8Array> }
  | { ok: false; code: "session_not_found"; message: string };

export interface ApiTurnDeps {
  log: EventLog;
  meta: MetaStore;
  streams: TurnStreams;
  /** Stores an event and sends it to the devices and every watcher (the session's event sink). */
  emit<K extends EventType>(type: K, payload: EventPayloads[K], clientId?: string): SessionEvent;
  /** The message is stored: a command runs, anything else queues a turn. */
  onUserMessage(text: string): void;
}

function seed(deps: ApiTurnDeps, input: ApiTurnInput): void {
  if (deps.log.lastSeq !== 0) return;
  const turnId = `seed-${input.clientId}`;
  input.history.forEach((message, step) => {
    if (message.role === "assistant") {
      deps.emit("assistant_message", { turnId, step, text: message.text });
      return;
    }
    const id = `${input.clientId}#${step}`;
    deps.emit("user_message", { id, text: message.text, user: input.user, deviceId: input.deviceId }, id);
  });
}

export function apiTurn(deps: ApiTurnDeps, input: ApiTurnInput): ApiTurnResult {
  if (!deps.meta.get()) return { ok: false, code: "session_not_found", message: "no such session" };
  const stored = deps.log.seqOfClientId(input.clientId);
  let message = stored === undefined ? undefined : deps.log.after(stored - 1, 1)[0];
  if (message === undefined) {
    seed(deps, input);
    if (input.model !== null) deps.meta.setModel(input.model);
    message = deps.emit(
      "user_message",
      { id: input.clientId, text: input.text, user: input.user, deviceId: input.deviceId },
      input.clientId,
    );
    deps.meta.touch();
    deps.onUserMessage(input.text);
  }
  const text = message.type === "user_message" ? message.text : "";
  return { ok: true, stream: deps.streams.open(message, parseCommand(text) !== null) };
}
