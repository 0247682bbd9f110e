// POST /api/sessions/:id/approvals/:toolCallId: the HTTP twin of the socket's tool_decision (notification actions).

import { Hono } from "hono";
import type { ApprovalResult } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import { readJson } from "../http/respond";
import { sessionStub } from "../sessions";
import type { SessionEnv } from "./session-scope";

export function approvalRoutes(): Hono<SessionEnv> {
  const routes = new Hono<SessionEnv>();
  routes.post("/sessions/:id/approvals/:toolCallId", async (c) => {
    const { entry } = c.var.session;
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
