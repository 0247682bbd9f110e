// What a push says: its payload (kept far under 4 KB), and each kind's TTL, urgency and topic.

import type { PushKind, PushPayload } from "../../protocol/push";

/** A push about to be sent to all of a user's devices. */
export interface PushNotice {
  payload: PushPayload;
  /** Whether a device of the user was connected to the session when it happened. */
  devicesConnected: boolean;
  /** Seconds the push service keeps it for an offline device. */
  ttl: number;
  urgency: "very-low" | "low" | "normal" | "high";
  /** RFC 8030 Topic: at most 32 base64url characters; a newer push with the same topic replaces a queued one. */
  topic: string;
}

/** Longest body (characters); the whole payload stays under 1 KB. */
export const MAX_BODY_CHARS = 180;
const TOPIC_CODES: Record<PushKind, string> = {
  approval: "ap",
  task_result: "tr",
  turn_finished: "tf",
  budget: "bu",
  failure: "fa",
};
const TTL_S: Record<PushKind, number> = {
  approval: 300,
  task_result: 86_400,
  turn_finished: 6 * 3600,
  budget: 86_400,
  failure: 6 * 3600,
};
const URGENCY: Record<PushKind, PushNotice["urgency"]> = {
  approval: "high",
  task_result: "normal",
  turn_finished: "normal",
  budget: "normal",
  failure: "normal",
};

/** One line, at most `max` characters (with an ellipsis when cut). */
export function shorten(text: string, max = MAX_BODY_CHARS): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

export interface NoticeInput {
  kind: PushKind;
  sessionId: string;
  title: string;
  body: string;
  devicesConnected: boolean;
  toolCallId?: string;
  /** Overrides the kind's TTL (an approval lives until it expires). */
  ttl?: number;
  urgency?: PushNotice["urgency"];
}

export function buildNotice(input: NoticeInput): PushNotice {
  const { kind, sessionId } = input;
  return {
    payload: {
      v: 1,
      kind,
      sessionId,
      title: shorten(input.title, 80),
      body: shorten(input.body),
      tag: `${sessionId}:${kind}`,
      url: `/?s=${encodeURIComponent(sessionId)}`,
      ...(input.toolCallId ? { toolCallId: input.toolCallId.slice(0, 128) } : {}),
    },
    devicesConnected: input.devicesConnected,
    ttl: Math.max(0, Math.round(input.ttl ?? TTL_S[kind])),
    urgency: input.urgency ?? URGENCY[kind],
    topic: `${sessionId.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 29)}-${TOPIC_CODES[kind]}`,
  };
}
