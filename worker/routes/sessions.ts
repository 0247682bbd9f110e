// /api routes of the signed-in user that are not one session's: who they are, their sessions, memory, skills, usage.

import { Hono } from "hono";
import { userUsage } from "../../objects/names";
import type { CreatedSession, Me } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import type { AppEnv } from "../app-env";
import { readJson } from "../http/respond";
import { createSession, pageParams, parseTitle, searchSessions, userDirectory } from "../sessions";
import { limitHeavyRoute } from "./heavy-routes";
import { memoryRoutes } from "./memory";
import { skillRoutes } from "./skills";
import { usageResponse } from "./usage";

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

  api.route("/", memoryRoutes());
  api.route("/", skillRoutes());
  api.get("/usage", async (c) => usageResponse(c.env, new URL(c.req.url), [c.var.auth.identity.user], false));
  return api;
}
