// /api routes of the signed-in user: their sessions, transcripts and the live socket.

import { Hono } from "hono";
import { userUsage } from "../../objects/names";
import type { CreatedSession, FeedbackBody, Me } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import type { AppEnv } from "../app-env";
import { readJson } from "../http/respond";
import {
  createSession,
  deleteSession,
  ownedSession,
  pageParams,
  parseSessionPatch,
  parseTitle,
  renameSession,
  searchSessions,
  sessionStub,
  setFlags,
  userDirectory,
} from "../sessions";
import { fileRoutes } from "./files";
import { limitHeavyRoute } from "./heavy-routes";
import { memoryRoutes } from "./memory";
import { skillRoutes } from "./skills";
import { connectSocket } from "./socket";
import { taskRoutes } from "./tasks";
import { parseFeedback, usageResponse } from "./usage";

export function sessionRoutes(): Hono<AppEnv> {
  const api = new Hono<AppEnv>();

  api.get("/me", (c) => {
    const { user, email, admin, groups } = c.var.auth.identity;
    return c.json({ user, email, admin, groups } satisfies Me);
  });

  api.get("/budget", async (c) => c.json(await userUsage(c.env, c.var.auth.identity.user).budget()));

  api.post("/sessions", async (c) => {
    const title = parseTitle(await readJson(c.req.raw), false);
    const entry = await createSession(c.env, c.var.auth.identity, title);
    const created: CreatedSession = {
      id: entry.id,
      title: entry.title,
      createdAt: entry.createdAt,
      updatedAt: entry.updatedAt,
    };
    return c.json(created, 201);
  });

  api.get("/sessions", async (c) => {
    const url = new URL(c.req.url);
    const { limit, cursor } = pageParams(url);
    const q = url.searchParams.get("q")?.trim();
    if (q) {
      if (q.length > 200) throw new AppError("bad_request", "q is limited to 200 characters");
      await limitHeavyRoute(c.env, c.var.auth.identity.user, "search");
      return c.json({ sessions: await searchSessions(c.env, c.var.auth.identity, q), nextCursor: null });
    }
    const archived = url.searchParams.get("archived") === "1";
    return c.json(await userDirectory(c.env, c.var.auth.identity.user).list(limit, cursor, archived));
  });

  api.get("/sessions/:id", async (c) => c.json(await ownedSession(c.env, c.var.auth.identity, c.req.param("id"))));

  api.patch("/sessions/:id", async (c) => {
    const entry = await ownedSession(c.env, c.var.auth.identity, c.req.param("id"));
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

  api.delete("/sessions/:id", async (c) => {
    const entry = await ownedSession(c.env, c.var.auth.identity, c.req.param("id"));
    await deleteSession(c.env, entry);
    return c.body(null, 204);
  });

  api.get("/sessions/:id/messages", async (c) => {
    const entry = await ownedSession(c.env, c.var.auth.identity, c.req.param("id"));
    const url = new URL(c.req.url);
    const { limit } = pageParams(url, 200);
    const after = Number(url.searchParams.get("after") ?? "0");
    if (!Number.isSafeInteger(after) || after < 0)
      throw new AppError("bad_request", "after must be a non-negative integer");
    return c.json(await sessionStub(c.env, entry.id).listMessages(after, limit));
  });

  api.post("/sessions/:id/feedback", async (c) => {
    const entry = await ownedSession(c.env, c.var.auth.identity, c.req.param("id"));
    const { turnId, rating } = parseFeedback(await readJson(c.req.raw));
    const stored = await sessionStub(c.env, entry.id).feedback(turnId, rating, c.var.auth.identity.user);
    if (!stored) throw new AppError("not_found", "no such turn in this session");
    return c.json({ turnId, rating } satisfies FeedbackBody);
  });

  api.get("/sessions/:id/ws", async (c) => {
    const entry = await ownedSession(c.env, c.var.auth.identity, c.req.param("id"));
    return connectSocket(c.req.raw, c.env, c.var.config, c.var.auth, entry.id);
  });

  api.route("/", fileRoutes());
  api.route("/", memoryRoutes());
  api.route("/", skillRoutes());
  api.route("/", taskRoutes());
  api.get("/usage", async (c) => usageResponse(c.env, new URL(c.req.url), [c.var.auth.identity.user], false));
  return api;
}
