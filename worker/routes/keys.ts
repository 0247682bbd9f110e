// /api/keys: my personal API keys for /v1 (the key is shown once; only its hash is stored).

import { Hono } from "hono";
import type { ApiKeyList } from "../../protocol/api-keys";
import { AppError } from "../../protocol/errors";
import type { AppEnv } from "../app";
import { createApiKey, listApiKeys, parseKeyName, revokeApiKey } from "../auth/api-keys";
import { readJson } from "../http/respond";

export function keyRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/keys", async (c) => {
    const body: ApiKeyList = { keys: await listApiKeys(c.env, c.var.auth.identity.user) };
    return c.json(body);
  });
  routes.post("/keys", async (c) => {
    const name = parseKeyName(await readJson(c.req.raw));
    const created = await createApiKey(c.env, c.var.auth.identity.user, name);
    return c.json(created, 201, { "cache-control": "no-store" });
  });
  routes.delete("/keys/:id", async (c) => {
    if (!(await revokeApiKey(c.env, c.var.auth.identity.user, c.req.param("id")))) {
      throw new AppError("not_found", "no such API key");
    }
    return c.body(null, 204);
  });
  return routes;
}
