// /api/sessions/:id/tasks: a session's scheduled tasks (one-off or cron in a time zone), list, pause, delete.

import { Hono } from "hono";
import type { TaskList } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import { readJson } from "../http/respond";
import { sessionStub } from "../sessions";
import type { SessionEnv } from "./session-scope";

export function taskRoutes(): Hono<SessionEnv> {
  const routes = new Hono<SessionEnv>();
  routes.get("/sessions/:id/tasks", async (c) => {
    const { entry } = c.var.session;
    return c.json({ tasks: await sessionStub(c.env, entry.id).listTasks() } satisfies TaskList);
  });
  routes.post("/sessions/:id/tasks", async (c) => {
    const { entry } = c.var.session;
    const body = await readJson(c.req.raw);
    if (!isRecord(body) || typeof body.prompt !== "string")
      throw new AppError("bad_request", '{"prompt", "at" | "cron", "timeZone"?}');
    const at = typeof body.at === "string" ? Date.parse(body.at) : typeof body.at === "number" ? body.at : undefined;
    const created = await sessionStub(c.env, entry.id).createTask({
      prompt: body.prompt,
      ...(at === undefined ? {} : { at }),
      ...(typeof body.cron === "string" ? { cron: body.cron } : {}),
      ...(typeof body.timeZone === "string" ? { timeZone: body.timeZone } : {}),
      createdBy: c.var.auth.identity.user,
    });
    if ("error" in created) throw new AppError("bad_request", created.error);
    return c.json(created.task, 201);
  });
  routes.patch("/sessions/:id/tasks/:task", async (c) => {
    const { entry } = c.var.session;
    const body = await readJson(c.req.raw);
    if (!isRecord(body) || typeof body.paused !== "boolean")
      throw new AppError("bad_request", '{"paused": true | false}');
    const task = await sessionStub(c.env, entry.id).pauseTask(c.req.param("task"), body.paused);
    if (!task) throw new AppError("not_found", "no such task");
    return c.json(task);
  });
  routes.delete("/sessions/:id/tasks/:task", async (c) => {
    const { entry } = c.var.session;
    if (!(await sessionStub(c.env, entry.id).deleteTask(c.req.param("task"))))
      throw new AppError("not_found", "no such task");
    return c.body(null, 204);
  });
  return routes;
}
