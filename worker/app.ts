// The HTTP surface: identity first, then the contract's routes; every error rendered by respond.ts.

import { Hono } from "hono";
import { getConfig } from "../config/load";
import { AppError } from "../protocol/errors";
import type { AppEnv } from "./app-env";
import { authenticate } from "./auth/authenticate";
import { devAuthActive, devJwksResponse, devLogin } from "./auth/dev-auth";
import { errorResponse, readJson, renderError } from "./http/respond";
import { checkSameSite } from "./http/same-site";
import { adminRoutes } from "./routes/admin";
import { keyRoutes } from "./routes/keys";
import { mcpRoutes } from "./routes/mcp";
import { openAiRoutes } from "./routes/openai-compat";
import { pushRoutes } from "./routes/push";
import { sessionItemRoutes } from "./routes/session-item";
import { SESSION_PATHS, sessionScope } from "./routes/session-scope";
import { sessionRoutes } from "./routes/sessions";
import { telegramRoutes, telegramWebhookRoutes } from "./routes/telegram";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

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
    devAuthActive(c.var.config, c.req.raw) ? devJwksResponse(c.env) : errorResponse("not_found", "no such route"),
  );
  app.post("/dev/login", async (c) => {
    if (!devAuthActive(c.var.config, c.req.raw)) return errorResponse("not_found", "no such route");
    // Login CSRF: another site must not sign a victim's browser in as the attacker.
    checkSameSite(c.req.raw, c.var.config);
    return devLogin(c.env, c.var.config, await readJson(c.req.raw));
  });

  // Every API and admin request carries a verified Access token before anything else runs.
  for (const prefix of ["/api/*", "/admin/*"]) {
    app.use(prefix, async (c, next) => {
      c.set("auth", await authenticate(c.req.raw, c.env, c.var.config));
      await next();
    });
  }
  // Cookie-authenticated changes must come from a page of ours (the Access cookie is SameSite=None).
  for (const prefix of ["/api/*", "/admin/*"]) {
    app.use(prefix, async (c, next) => {
      if (c.var.auth.source === "cookie" && !SAFE_METHODS.has(c.req.method)) {
        checkSameSite(c.req.raw, c.var.config);
      }
      await next();
    });
  }
  app.use("/admin/*", async (c, next) => {
    if (!c.var.auth.identity.admin) throw new AppError("forbidden", "admins only");
    await next();
  });

  // One session's routes: its ownership resolved once, before any of them (a new route cannot skip it).
  for (const path of SESSION_PATHS) app.use(path, sessionScope());

  app.route("/api", sessionRoutes());
  app.route("/api", sessionItemRoutes());
  app.route("/api", mcpRoutes());
  app.route("/api", pushRoutes());
  app.route("/api", telegramRoutes());
  app.route("/api", keyRoutes());
  app.route("/admin/api", adminRoutes());
  app.route("/v1", openAiRoutes());
  app.route("/channels/telegram", telegramWebhookRoutes());
  return app;
}
