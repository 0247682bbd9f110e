// What the client tells a person when the session's socket ends for good, and what they can do next.

import {
  CLOSE_SESSION_DELETED,
  CLOSE_TERMINATED,
  CLOSE_TOKEN_EXPIRED,
  CLOSE_UNAUTHENTICATED,
} from "../../protocol/frames";

/** A socket that will not reconnect by itself: what happened and the one action offered. */
export interface Ended {
  /** The close code (or the HTTP status of a refused connection). */
  code: number;
  /** Short headline. */
  title: string;
  /** What happened and how to go on. */
  message: string;
  /** The button offered: reconnect now, sign in again (reload), or leave the session. */
  action: "reconnect" | "sign_in" | "leave";
}

const TERMINATED = {
  title: "Disconnected by an administrator",
  message: "An administrator closed this session's connections and stopped its running turn. Nothing stored was lost.",
  action: "reconnect",
} as const;
const DELETED = {
  title: "This session was deleted",
  message: "The session and its files no longer exist. Pick another session or start a new one.",
  action: "leave",
} as const;
const EXPIRED = {
  title: "Your sign-in expired",
  message: "Sign in again to go on; the conversation resumes where it stopped.",
  action: "sign_in",
} as const;
const UNAUTHENTICATED = {
  title: "Not signed in",
  message: "The connection carried no valid sign-in. Sign in again to go on.",
  action: "sign_in",
} as const;

/** The ending a close code means, or null for a code after which the socket reconnects by itself. */
export function endedBy(code: number): Ended | null {
  if (code === CLOSE_TERMINATED) return { code, ...TERMINATED };
  if (code === CLOSE_SESSION_DELETED) return { code, ...DELETED };
  if (code === CLOSE_TOKEN_EXPIRED) return { code, ...EXPIRED };
  if (code === CLOSE_UNAUTHENTICATED) return { code, ...UNAUTHENTICATED };
  return null;
}

/**
 * The ending for a connection refused before it opened, from the session route's JSON error: a lost
 * sign-in, a missing session or a configuration error. Null for anything else (the socket keeps trying).
 */
export function endedByRefusal(status: number, code: string, message: string): Ended | null {
  if (status === 401) return { code: status, ...UNAUTHENTICATED };
  if (status === 404) return { code: status, ...DELETED };
  if (code === "config_error")
    return { code: status, title: "edgeclaw is not configured", message, action: "reconnect" };
  return null;
}
