// The HTTP surface: identity first, then the contract's routes; every error rendered by respond.ts.

import { Hono } from "hono";
import { AppError } from "../protocol/errors";
import { type Authenticated, authenticate } from "./auth/authenticate";
import { devAuthActive, devJwksResponse, devLogin } from "./auth/dev-auth";
import { type Config, getConfig } from "./config";
import { errorResponse, readJson, renderError } from "./http/respond";
import { adminRoutes } from "./routes/admin";
import { sessionRoutes } from "./routes/sessions";

export interface AppEnv {
  Bindings: Env;
  Variables: { config: Config; auth: Authenticated };
}

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.onError((error) => renderError(error));
  app.notFound(() => errorResponse("not_found", "no such route"));

  app.use("*", async (c, next) => {
    c.set("config", getConfig(c.env));
    await next();
  });

  // The local issuer of DEV_AUTH=1 (loopback only): its JWKS and a sign-in.
  app.get("/cdn-cgi/access/certs", (c) =>
    devAuthActive(c.var.config, new URL(c.req.url))
      ? devJwksResponse(c.env)
      : errorResponse("not_found", "no such route"),
  );
  app.post("/dev/login", async (c) => {
    if (!devAuthActive(c.var.config, new URL(c.req.url))) return errorResponse("not_found", "no such route");
    return devLogin(c.env, c.var.config, await readJson(c.req.raw));
  });

  // Every API and admin request carries a verified Access token before anything else runs.
  for (const prefix of ["/api/*", "/admin/*"]) {
    app.use(prefix, async (c, next) => {
      c.set("auth", await authenticate(c.req.raw, c.env, c.var.config));
      await next();
    });
  }
  app.use("/admin/*", async (c, next) => {
    if (!c.var.auth.identity.admin) throw new AppError("forbidden", "admins only");
    await next();
  });

  app.route("/api", sessionRoutes());
  app.route("/admin/api", adminRoutes());
  return app;
}
