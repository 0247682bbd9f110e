// Resolves the session of every `/api/sessions/:id` route once, before any of them runs: the caller's own, else 404.

import type { MiddlewareHandler } from "hono";
import type { SessionEntry } from "../../protocol/api";
import type { AppEnv } from "../app-env";
import { indexedSession, ownedSession, recordAudit } from "../sessions";

/** The session a request under `/api/sessions/:id` acts on. */
export interface SessionScope {
  entry: SessionEntry;
  /** True when an admin reads another user's session (artifact reads only; each is audited). */
  viaAdmin: boolean;
}

/** What the routes under `/api/sessions/:id` see: the app's variables and their session. */
export interface SessionEnv extends AppEnv {
  Variables: AppEnv["Variables"] & { session: SessionScope };
}

/** The paths the scope guards: the session itself and everything under it. */
export const SESSION_PATHS = ["/api/sessions/:id", "/api/sessions/:id/*"] as const;

/** Reads an admin may make of a session that is not theirs: its artifacts (the listing and a download). */
const ADMIN_READABLE = /^\/api\/sessions\/[^/]+\/artifacts(?:\/|$)/;

/**
 * Looks the session up in the caller's own directory: not there is `404 session_not_found`, whether it does
 * not exist or is another user's. An admin reading artifacts falls back to the admin index, and the read is
 * written to the audit log.
 */
export function sessionScope(): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const id = c.req.param("id") ?? "";
    const { identity } = c.var.auth;
    let scope: SessionScope;
    try {
      scope = { entry: await ownedSession(c.env, identity, id), viaAdmin: false };
    } catch (error) {
      const path = new URL(c.req.url).pathname;
      if (!identity.admin || c.req.method !== "GET" || !ADMIN_READABLE.test(path)) throw error;
      const entry = await indexedSession(c.env, id);
      const action = path.endsWith("/artifacts") ? "artifacts.list" : "artifact.read";
      await recordAudit(c.env, identity.user, action, entry.id, { owner: entry.owner, path });
      scope = { entry, viaAdmin: true };
    }
    c.set("session", scope);
    await next();
  };
}
