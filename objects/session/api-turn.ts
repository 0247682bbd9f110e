// A turn asked for through /v1: seeds a new session's history, stores the user message once, streams its turn.

import type { SessionEvent } from "../../protocol/frames";
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
  /** Sends a stored event to the devices (and every watcher). */
  broadcast(event: SessionEvent): void;
  /** The message is stored: a command runs, anything else queues a turn. */
  onUserMessage(text: string): void;
}

function seed(deps: ApiTurnDeps, input: ApiTurnInput): void {
  if (deps.log.lastSeq !== 0) return;
  const turnId = `seed-${input.clientId}`;
  input.history.forEach((message, step) => {
    const event =
      message.role === "user"
        ? deps.log.append(
            "user_message",
            { id: `${input.clientId}#${step}`, text: message.text, user: input.user, deviceId: input.deviceId },
            `${input.clientId}#${step}`,
          )
        : deps.log.append("assistant_message", { turnId, step, text: message.text });
    deps.broadcast(event);
  });
}

export function apiTurn(deps: ApiTurnDeps, input: ApiTurnInput): ApiTurnResult {
  if (!deps.meta.get()) return { ok: false, code: "session_not_found", message: "no such session" };
  const stored = deps.log.seqOfClientId(input.clientId);
  let message = stored === undefined ? undefined : deps.log.after(stored - 1, 1)[0];
  if (message === undefined) {
    seed(deps, input);
    if (input.model !== null) deps.meta.setModel(input.model);
    message = deps.log.append(
      "user_message",
      { id: input.clientId, text: input.text, user: input.user, deviceId: input.deviceId },
      input.clientId,
    );
    deps.broadcast(message);
    deps.meta.touch();
    deps.onUserMessage(input.text);
  }
  const text = message.type === "user_message" ? message.text : "";
  return { ok: true, stream: deps.streams.open(message, parseCommand(text) !== null) };
}
