// Idempotency-Key: the same key of the same user names the same new session and the same user message.

import { AppError } from "../../protocol/errors";
import { sha256Hex } from "../../worker/auth/api-keys";
import { sessionIdFrom } from "../../worker/sessions";

/** Longest Idempotency-Key accepted. */
export const MAX_IDEMPOTENCY_KEY = 255;

export interface TurnKeys {
  /** The message's client id in the session: derived from the key, or random without one. */
  clientId: string;
  /** The new session's id for a request without X-Edgeclaw-Session: derived from the user and the key. */
  sessionId: string | null;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

export async function turnKeys(user: string, key: string | null): Promise<TurnKeys> {
  if (key === null) return { clientId: `v1:${crypto.randomUUID()}`, sessionId: null };
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AppError(
      "bad_request",
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} printable ASCII characters, no spaces`,
    );
  }
  const digest = await sha256Hex(`${user}\n${key}`);
  return { clientId: `v1:${digest.slice(0, 40)}`, sessionId: sessionIdFrom(hexBytes(digest)) };
}
