// The Telegram channel's routes: the webhook Telegram calls (outside Access, checked by its secret
// header), and the signed-in user's pairing codes and linked accounts under /api.

import { Hono } from "hono";
import { secretsEqual } from "../../channels/telegram/pairing";
import { parseUpdate } from "../../channels/telegram/update";
import { telegramIndex } from "../../objects/telegram/names";
import type { PairingCodeBody, TelegramLinksBody } from "../../protocol/channels";
import { AppError } from "../../protocol/errors";
import type { AppEnv } from "../app";
import type { TelegramConfig } from "../config-telegram";
import { readJson } from "../http/respond";

/** The header Telegram sends with the `secret_token` given to setWebhook. */
export const TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token";

function telegram(c: { var: { config: AppEnv["Variables"]["config"] } }): TelegramConfig {
  const config = c.var.config.telegram;
  if (!config) throw new AppError("not_found", "the Telegram channel is not configured here");
  return config;
}

/** `/channels/telegram/*`: what Telegram calls. */
export function telegramWebhookRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post("/webhook", async (c) => {
    const config = telegram(c);
    const given = c.req.header(TELEGRAM_SECRET_HEADER);
    if (given === undefined || !(await secretsEqual(given, config.webhookSecret)))
      throw new AppError("invalid_token", "wrong or missing X-Telegram-Bot-Api-Secret-Token");
    const update = parseUpdate(await readJson(c.req.raw, 1024 * 1024));
    if (!update) throw new AppError("bad_request", "not a Telegram update (no integer update_id)");
    // Fast: the index answers at once and queues the work in the sender's chat object.
    const outcome = await telegramIndex(c.env).receive(update);
    return c.json({ ok: true, outcome });
  });
  return routes;
}

/** `/api/channels/telegram/*`: pairing codes and my linked Telegram accounts. */
export function telegramRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post("/channels/telegram/pairing", async (c) => {
    telegram(c);
    const body: PairingCodeBody = await telegramIndex(c.env).createPairingCode(c.var.auth.identity.user);
    return c.json(body, 201);
  });
  routes.get("/channels/telegram/links", async (c) => {
    telegram(c);
    const body: TelegramLinksBody = { links: await telegramIndex(c.env).links(c.var.auth.identity.user) };
    return c.json(body);
  });
  routes.delete("/channels/telegram/links/:id", async (c) => {
    telegram(c);
    const id = Number(c.req.param("id"));
    if (!Number.isSafeInteger(id) || !(await telegramIndex(c.env).unlink(c.var.auth.identity.user, id)))
      throw new AppError("not_found", "no such linked account");
    return c.body(null, 204);
  });
  return routes;
}
