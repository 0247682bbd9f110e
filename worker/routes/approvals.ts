// POST /api/sessions/:id/approvals/:toolCallId: the HTTP twin of the socket's tool_decision (notification actions).

import { Hono } from "hono";
import type { ApprovalResult } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import type { AppEnv } from "../app-env";
import { readJson } from "../http/respond";
import { ownedSession, sessionStub } from "../sessions";

export function approvalRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post("/sessions/:id/approvals/:toolCallId", async (c) => {
    const entry = await ownedSession(c.env, c.var.auth.identity, c.req.param("id"));
    const body = await readJson(c.req.raw);
    if (!isRecord(body) || typeof body.approve !== "boolean")
      throw new AppError("bad_request", '{"approve": true | false}');
    const toolCallId = c.req.param("toolCallId");
    if (!(await sessionStub(c.env, entry.id).decide(toolCallId, body.approve)))
      throw new AppError("not_found", "no pending approval with that toolCallId");
    return c.json({ toolCallId, approve: body.approve } satisfies ApprovalResult);
  });
  return routes;
}
