// What every socket passes before the frame handler: the identity at connect, then per frame expiry, rate and parse.

import type { Connection, WSMessage } from "partyserver";
import { log } from "../../log/logger";
import { isAppError } from "../../protocol/errors";
import { CLOSE_SESSION_DELETED } from "../../protocol/frames";
import { decodeIdentity, IDENTITY_HEADER } from "../../protocol/identity";
import { parseClientFrame } from "../../protocol/parse-frame";
import { closeIfExpired, type DeviceState, deviceState, send } from "./devices";
import { type FrameContext, handleFrame } from "./frame-handler";
import type { FrameRateLimiter } from "./rate-limit";

/**
 * A new socket: its verified identity (set by the worker) becomes its hibernation state. Returns the state,
 * or null after closing a socket that has no identity or whose session does not exist.
 */
export function admitSocket(connection: Connection, request: Request, sessionExists: boolean): DeviceState | null {
  const identity = decodeIdentity(request.headers.get(IDENTITY_HEADER));
  if (!identity) {
    connection.close(1008, "unauthenticated");
    return null;
  }
  if (!sessionExists) {
    connection.close(CLOSE_SESSION_DELETED, "session not found");
    return null;
  }
  const state: DeviceState = {
    user: identity.user,
    admin: identity.admin,
    deviceId: null,
    since: Date.now(),
    exp: identity.exp,
    ready: false,
  };
  connection.setState(state);
  return state;
}

/** One frame of a socket: refused when its token expired, over its rate or malformed; else handled. */
export function receiveFrame(
  connection: Connection,
  message: WSMessage,
  limiter: FrameRateLimiter,
  context: () => FrameContext,
): void {
  const state = deviceState(connection);
  if (!state) {
    connection.close(1008, "unauthenticated");
    return;
  }
  if (closeIfExpired(connection, state)) return;
  const wait = limiter.check(connection.id, state.user);
  if (wait > 0) {
    const seconds = Math.ceil(wait);
    send(connection, { type: "error", code: "rate_limited", message: `too many frames; retry in ${seconds} s` });
    return;
  }
  const parsed = parseClientFrame(typeof message === "string" || message instanceof ArrayBuffer ? message : "");
  if (!parsed.ok) {
    send(connection, { type: "error", code: parsed.code, message: parsed.message });
    return;
  }
  try {
    handleFrame(context(), connection, state, parsed.frame);
  } catch (error) {
    if (!isAppError(error)) log.error("frame failed", { connection: connection.id, error: String(error) });
    const code = isAppError(error) ? error.code : "internal_error";
    const text = isAppError(error) ? error.message : "the frame could not be handled";
    send(connection, { type: "error", code, message: text });
  }
}
