// Validates the bodies of the push routes: a browser PushSubscription (plus device name) and preferences.

import { endpointProblem } from "../../agent/push/endpoint-guard";
import type { PushPreferences } from "../../objects/directory/push-store";
import { base64UrlDecode } from "../../protocol/base64url";
import { AppError } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import { PUSH_KINDS } from "../../protocol/push";

/** Longest endpoint URL and device name accepted. */
const MAX_ENDPOINT_CHARS = 2_048;
const MAX_DEVICE_NAME_CHARS = 100;

/** A subscription body as stored. */
export interface SubscriptionInput {
  endpoint: string;
  p256dh: string;
  auth: string;
  deviceName: string;
}

/** `{endpoint, expirationTime?, keys: {p256dh, auth}, deviceName}` → a checked subscription. */
export function parseSubscription(body: unknown, allowLoopbackHttp: boolean): SubscriptionInput {
  const shape = '{"endpoint", "keys": {"p256dh", "auth"}, "deviceName"}';
  if (!isRecord(body) || typeof body.endpoint !== "string" || !isRecord(body.keys))
    throw new AppError("bad_request", `the body must be a PushSubscription: ${shape}`);
  const { endpoint, keys } = body;
  if (endpoint.length > MAX_ENDPOINT_CHARS) throw new AppError("bad_request", "the endpoint is too long");
  const problem = endpointProblem(endpoint, allowLoopbackHttp);
  if (problem) throw new AppError("bad_request", problem);
  const p256dh = typeof keys.p256dh === "string" ? base64UrlDecode(keys.p256dh) : null;
  if (p256dh?.length !== 65 || p256dh[0] !== 4)
    throw new AppError("bad_request", "keys.p256dh must be a base64url uncompressed P-256 key");
  const auth = typeof keys.auth === "string" ? base64UrlDecode(keys.auth) : null;
  if (auth?.length !== 16) throw new AppError("bad_request", "keys.auth must be 16 bytes in base64url");
  const name = body.deviceName;
  if (name !== undefined && (typeof name !== "string" || name.length > MAX_DEVICE_NAME_CHARS))
    throw new AppError("bad_request", `deviceName must be a string of at most ${MAX_DEVICE_NAME_CHARS} characters`);
  return {
    endpoint,
    p256dh: String(keys.p256dh),
    auth: String(keys.auth),
    deviceName: typeof name === "string" && name.trim() ? name.trim() : "unnamed device",
  };
}

/** `{kinds?: {kind: bool}, when?: "away"|"always"}` applied over the current preferences. */
export function parsePreferences(body: unknown, current: PushPreferences): PushPreferences {
  if (!isRecord(body)) throw new AppError("bad_request", "the body must be a JSON object");
  const { kinds, when } = body;
  if (when !== undefined && when !== "away" && when !== "always")
    throw new AppError("bad_request", 'when must be "away" or "always"');
  const next = { ...current.kinds };
  if (kinds !== undefined) {
    if (!isRecord(kinds)) throw new AppError("bad_request", "kinds must be an object of booleans");
    for (const [kind, value] of Object.entries(kinds)) {
      const known = PUSH_KINDS.find((k) => k === kind);
      if (!known || typeof value !== "boolean")
        throw new AppError("bad_request", `kinds takes booleans for ${PUSH_KINDS.join(", ")}`);
      next[known] = value;
    }
  }
  return { kinds: next, when: when ?? current.when };
}
