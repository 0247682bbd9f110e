// The HTTP surface: identity first, then the contract's routes; every error rendered by respond.ts.

import { Hono } from "hono";
import { AppError } from "../protocol/errors";
import { type Authenticated, authenticate } from "./auth/authenticate";
import { devAuthActive, devJwksResponse, devLogin } from "./auth/dev-auth";
import { type Config, getConfig } from "./config";
import { errorResponse, readJson, renderError } from "./http/respond";
import { adminRoutes } from "./routes/admin";
import { approvalRoutes } from "./routes/approvals";
import { keyRoutes } from "./routes/keys";
import { mcpRoutes } from "./routes/mcp";
import { openAiRoutes } from "./routes/openai-compat";
import { pushRoutes } from "./routes/push";
import { sessionRoutes } from "./routes/sessions";
import { originAllowed } from "./routes/socket";
import { telegramRoutes, telegramWebhookRoutes } from "./routes/telegram";
import { uploadRoutes } from "./routes/uploads";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Refuses a cross-site request: by Sec-Fetch-Site when the browser sends it, else by Origin. */
export function checkSameSite(request: Request, config: Config): void {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    throw new AppError("forbidden_origin", "cross-site requests cannot change anything here");
  }
  const origin = request.headers.get("origin");
  if (origin !== null && !originAllowed(config, new URL(request.url), origin)) {
    throw new AppError("forbidden_origin", "cross-site requests cannot change anything here");
  }
}

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

  app.route("/api", sessionRoutes());
  app.route("/api", mcpRoutes());
  app.route("/api", pushRoutes());
  app.route("/api", approvalRoutes());
  app.route("/api", telegramRoutes());
  app.route("/api", uploadRoutes());
  app.route("/api", keyRoutes());
  app.route("/admin/api", adminRoutes());
  app.route("/v1", openAiRoutes());
  app.route("/channels/telegram", telegramWebhookRoutes());
  return app;
}
