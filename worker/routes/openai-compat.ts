// /v1: the OpenAI-compatible API into the caller's sessions: chat completions (streamed or not) and models.

import { Hono } from "hono";
import { isAllowedModel } from "../../agent/pricing/model-policy";
import { collectCompletion, streamCompletion } from "../../channels/openai/completion";
import { OpenAiError, openAiErrorBody, openAiErrorResponse } from "../../channels/openai/errors";
import { turnKeys } from "../../channels/openai/idempotency";
import { modelList } from "../../channels/openai/models";
import { type ChatRequest, parseChatRequest } from "../../channels/openai/request";
import { titleFrom } from "../../objects/session/meta-store";
import { AppError } from "../../protocol/errors";
import { readEventLines } from "../../protocol/event-lines";
import { AGENT_MODEL, API_DEVICE_ID, IDEMPOTENCY_HEADER, SESSION_HEADER } from "../../protocol/openai-compat";
import { type AppEnv, checkSameSite } from "../app";
import type { Identity } from "../auth/identity";
import { authenticateV1 } from "../auth/v1-auth";
import type { Config } from "../config";
import { readJson } from "../http/respond";
import { createSession, ownedSession, sessionStub, userDirectory } from "../sessions";

/** Largest request body: a new session's whole history may come with it. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The session the turn runs in: the caller's own by header, else a new one (the same one for a retried key). */
async function turnSession(
  env: Env,
  identity: Identity,
  header: string | undefined,
  sessionId: string | null,
  request: ChatRequest,
): Promise<{ id: string; created: boolean }> {
  if (header !== undefined) return { id: (await ownedSession(env, identity, header)).id, created: false };
  const existing = sessionId ? await userDirectory(env, identity.user).get(sessionId) : null;
  if (existing) return { id: existing.id, created: true };
  const entry = await createSession(env, identity, titleFrom(request.text), sessionId ?? undefined);
  return { id: entry.id, created: true };
}

function checkModel(config: Config, model: string | null): void {
  if (model !== null && !isAllowedModel(config, model)) {
    throw new OpenAiError("model_not_allowed", `${model} is not among the models this deployment allows`, "model");
  }
}

export function openAiRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.onError((error) => openAiErrorResponse(error));

  routes.use("*", async (c, next) => {
    const auth = await authenticateV1(c.req.raw, c.env, c.var.config, (p) => c.executionCtx.waitUntil(p));
    if (auth.source === "cookie" && c.req.method !== "GET") checkSameSite(c.req.raw, c.var.config);
    c.set("auth", auth);
    await next();
  });

  routes.get("/models", (c) => c.json(modelList(c.var.config, Math.floor(Date.now() / 1000))));

  routes.post("/chat/completions", async (c) => {
    const request = parseChatRequest(await readJson(c.req.raw, MAX_BODY_BYTES));
    checkModel(c.var.config, request.model);
    const identity = c.var.auth.identity;
    const keys = await turnKeys(identity.user, c.req.header(IDEMPOTENCY_HEADER) ?? null);
    const session = await turnSession(c.env, identity, c.req.header(SESSION_HEADER), keys.sessionId, request);
    const result = await sessionStub(c.env, session.id).apiTurn({
      clientId: keys.clientId,
      text: request.text,
      user: identity.user,
      deviceId: API_DEVICE_ID,
      history: session.created ? request.history : [],
      model: request.model,
    });
    if (!result.ok) throw new AppError(result.code, result.message);
    const options = {
      sessionId: session.id,
      model: request.model === null ? AGENT_MODEL : `${AGENT_MODEL}/${request.model}`,
      created: Math.floor(Date.now() / 1000),
      includeUsage: request.includeUsage,
    };
    const events = readEventLines(result.stream);
    const headers = { [SESSION_HEADER]: session.id, "cache-control": "no-store" };
    if (request.stream) {
      return new Response(streamCompletion(events, options), {
        headers: { ...headers, "content-type": "text/event-stream; charset=utf-8" },
      });
    }
    const outcome = await collectCompletion(events, options);
    if (outcome.ok) return c.json(outcome.completion, 200, headers);
    return Response.json(openAiErrorBody(outcome.code, outcome.message, outcome.status), {
      status: outcome.status,
      headers,
    });
  });

  routes.all("*", () => {
    throw new OpenAiError("not_found", "no such route under /v1", null);
  });
  return routes;
}
