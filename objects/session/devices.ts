// Per-socket state kept in the hibernation attachment, presence, and fan-out to the devices that said hello.

import type { Connection } from "partyserver";
import { CLOSE_TOKEN_EXPIRED, type Device, type ServerFrame } from "../../protocol/frames";
import { isRecord } from "../../protocol/json";

/** What a socket remembers across hibernation (partyserver keeps it in the socket attachment). */
export interface DeviceState {
  /** The verified user, set by the worker at upgrade; never from the client. */
  user: string;
  /** Whether the user is an admin (admins may watch a session they inspect). */
  admin: boolean;
  /** The device id from hello, if any. */
  deviceId: string | null;
  /** When the socket connected (epoch ms). */
  since: number;
  /** The Access token's expiry (epoch seconds); the socket is closed after it. */
  exp: number;
  /** True once hello's replay was sent: from then on the socket receives live events. */
  ready: boolean;
}

export function deviceState(connection: Connection): DeviceState | null {
  const state: unknown = connection.state;
  if (!isRecord(state) || typeof state.user !== "string" || typeof state.since !== "number") return null;
  return {
    user: state.user,
    admin: state.admin === true,
    deviceId: typeof state.deviceId === "string" ? state.deviceId : null,
    since: state.since,
    exp: typeof state.exp === "number" ? state.exp : 0,
    ready: state.ready === true,
  };
}

export function send(connection: Connection, frame: ServerFrame): void {
  try {
    connection.send(JSON.stringify(frame));
  } catch {
    // The socket closed under us; its close handler updates presence.
  }
}

/** Devices connected now, oldest first, without the one being closed. */
export function presence(connections: Iterable<Connection>, closingId?: string): Device[] {
  const devices: Device[] = [];
  for (const connection of connections) {
    const state = deviceState(connection);
    if (!state || connection.id === closingId) continue;
    devices.push({ connectionId: connection.id, deviceId: state.deviceId, user: state.user, since: state.since });
  }
  return devices.sort((a, b) => a.since - b.since);
}

/** Closes a socket whose Access token has expired, telling it why; true when it did. */
export function closeIfExpired(connection: Connection, state: DeviceState | null, now = Date.now()): boolean {
  if (!state || now < state.exp * 1000) return false;
  send(connection, { type: "error", code: "token_expired", message: "your sign-in expired; reconnect" });
  try {
    connection.close(CLOSE_TOKEN_EXPIRED, "token expired");
  } catch {
    // Already closing.
  }
  return true;
}

/**
 * Sends one frame to every socket (ready ones only, unless `all`). Serialised once. A socket whose token
 * expired receives nothing more: it is closed here, so it cannot keep watching without sending.
 */
export function fanOut(connections: Iterable<Connection>, frame: ServerFrame, all = false, now = Date.now()): number {
  return fanOutText(connections, JSON.stringify(frame), all, now);
}

/** `fanOut` of a frame already serialised (a stored event's frame, built from its stored JSON). */
export function fanOutText(connections: Iterable<Connection>, text: string, all = false, now = Date.now()): number {
  let sent = 0;
  for (const connection of connections) {
    const state = deviceState(connection);
    if (closeIfExpired(connection, state, now)) continue;
    if (!all && !state?.ready) continue;
    try {
      connection.send(text);
      sent++;
    } catch {
      // Closed meanwhile.
    }
  }
  return sent;
}
