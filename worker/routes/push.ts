// /api/push: the VAPID public key, my push subscriptions (one per browser) and my notification preferences.

import { Hono } from "hono";
import { AppError } from "../../protocol/errors";
import type { AppEnv } from "../app-env";
import { devAuthActive } from "../auth/dev-auth";
import { readJson } from "../http/respond";
import { userDirectory } from "../sessions";
import { parsePreferences, parseSubscription } from "./push-body";

function pushConfig(c: { var: AppEnv["Variables"] }) {
  const push = c.var.config.push;
  if (!push) throw new AppError("push_unavailable", "Web Push is not configured here (VAPID_* variables)");
  return push;
}

export function pushRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/push/key", (c) => c.json({ publicKey: pushConfig(c).vapid.publicKey }));
  routes.get("/push/subscriptions", async (c) =>
    c.json({ subscriptions: await userDirectory(c.env, c.var.auth.identity.user).pushList() }),
  );
  routes.post("/push/subscriptions", async (c) => {
    // Plain-http loopback endpoints only for a request DEV_AUTH=1 is honoured for (local, over loopback).
    const loopback = pushConfig(c).allowLoopbackHttp && devAuthActive(c.var.config, c.req.raw);
    const input = parseSubscription(await readJson(c.req.raw), loopback);
    const created = await userDirectory(c.env, c.var.auth.identity.user).pushSubscribe(input);
    if (!created) throw new AppError("conflict", "too many push subscriptions; delete one first");
    return c.json({ id: created.id }, 201);
  });
  routes.delete("/push/subscriptions/:id", async (c) => {
    if (!(await userDirectory(c.env, c.var.auth.identity.user).pushRemove(c.req.param("id"))))
      throw new AppError("not_found", "no such subscription");
    return c.body(null, 204);
  });
  routes.get("/push/preferences", async (c) =>
    c.json(await userDirectory(c.env, c.var.auth.identity.user).pushPreferences()),
  );
  routes.put("/push/preferences", async (c) => {
    const directory = userDirectory(c.env, c.var.auth.identity.user);
    const prefs = parsePreferences(await readJson(c.req.raw), await directory.pushPreferences());
    return c.json(await directory.pushSetPreferences(prefs));
  });
  return routes;
}
