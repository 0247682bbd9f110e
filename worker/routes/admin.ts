// /admin/api routes: every session, inspection through the session object's RPC, termination.

import { Hono } from "hono";
import type { AuditLog, TerminateResult } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import type { AppEnv } from "../app-env";
import { adminIndex, indexedSession, pageParams, recordAudit, sessionStub } from "../sessions";
import { adminUsageRoutes } from "./usage";

export function adminRoutes(): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();

  admin.get("/sessions", async (c) => {
    const { limit, cursor } = pageParams(new URL(c.req.url));
    return c.json(await adminIndex(c.env).list(limit, cursor, null));
  });

  admin.get("/sessions/:id", async (c) => {
    const entry = await indexedSession(c.env, c.req.param("id"));
    const inspection = await sessionStub(c.env, entry.id).inspect();
    if (!inspection) throw new AppError("session_not_found", "no such session");
    await recordAudit(c.env, c.var.auth.identity.user, "session.inspect", entry.id, { owner: entry.owner });
    return c.json(inspection);
  });

  admin.post("/sessions/:id/terminate", async (c) => {
    const entry = await indexedSession(c.env, c.req.param("id"));
    const closed = await sessionStub(c.env, entry.id).terminate();
    await recordAudit(c.env, c.var.auth.identity.user, "session.terminate", entry.id, {
      owner: entry.owner,
      closedSockets: closed,
    });
    return c.json({ id: entry.id, closedSockets: closed } satisfies TerminateResult);
  });

  admin.get("/audit", async (c) => {
    const { limit } = pageParams(new URL(c.req.url));
    const before = c.req.query("before");
    return c.json({
      entries: await adminIndex(c.env).auditLog(limit, before ? Number(before) : null),
    } satisfies AuditLog);
  });

  admin.route("/", adminUsageRoutes());
  return admin;
}
