// /api/sessions/:id and everything under it: one session of the caller, resolved once by the session scope.

import { Hono } from "hono";
import type { FeedbackBody } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import { readJson } from "../http/respond";
import { deleteSession, pageParams, parseSessionPatch, renameSession, sessionStub, setFlags } from "../sessions";
import { approvalRoutes } from "./approvals";
import { fileRoutes } from "./files";
import type { SessionEnv } from "./session-scope";
import { connectSocket } from "./socket";
import { taskRoutes } from "./tasks";
import { uploadRoutes } from "./uploads";
import { parseFeedback } from "./usage";

/** Every route of one session; mounted at `/api`, behind `sessionScope()` on `SESSION_PATHS`. */
export function sessionItemRoutes(): Hono<SessionEnv> {
  const routes = new Hono<SessionEnv>();

  routes.get("/sessions/:id", (c) => c.json(c.var.session.entry));

  routes.patch("/sessions/:id", async (c) => {
    const { entry } = c.var.session;
    const body = await readJson(c.req.raw);
    const { title, queueMode, cacheTtl, execPolicy, archived, pinned } = parseSessionPatch(
      body,
      c.var.config.sandbox.execPolicy,
    );
    const flagged =
      archived !== undefined || pinned !== undefined
        ? await setFlags(c.env, entry, {
            ...(archived === undefined ? {} : { archived }),
            ...(pinned === undefined ? {} : { pinned }),
          })
        : entry;
    if (execPolicy !== undefined) await sessionStub(c.env, entry.id).setExecPolicy(execPolicy);
    if (queueMode) await sessionStub(c.env, entry.id).setQueueMode(queueMode);
    if (cacheTtl !== undefined) await sessionStub(c.env, entry.id).setCacheTtl(cacheTtl);
    return c.json(title === undefined ? flagged : await renameSession(c.env, flagged, title));
  });

  routes.delete("/sessions/:id", async (c) => {
    const { entry } = c.var.session;
    await deleteSession(c.env, entry);
    return c.body(null, 204);
  });

  routes.get("/sessions/:id/messages", async (c) => {
    const { entry } = c.var.session;
    const url = new URL(c.req.url);
    const { limit } = pageParams(url, 200);
    const after = Number(url.searchParams.get("after") ?? "0");
    if (!Number.isSafeInteger(after) || after < 0)
      throw new AppError("bad_request", "after must be a non-negative integer");
    return c.json(await sessionStub(c.env, entry.id).listMessages(after, limit));
  });

  routes.post("/sessions/:id/feedback", async (c) => {
    const { entry } = c.var.session;
    const { turnId, rating } = parseFeedback(await readJson(c.req.raw));
    const stored = await sessionStub(c.env, entry.id).feedback(turnId, rating, c.var.auth.identity.user);
    if (!stored) throw new AppError("not_found", "no such turn in this session");
    return c.json({ turnId, rating } satisfies FeedbackBody);
  });

  routes.get("/sessions/:id/ws", async (c) => {
    const { entry } = c.var.session;
    return connectSocket(c.req.raw, c.env, c.var.config, c.var.auth, entry.id);
  });

  routes.route("/", fileRoutes());
  routes.route("/", taskRoutes());
  routes.route("/", approvalRoutes());
  routes.route("/", uploadRoutes());
  return routes;
}
