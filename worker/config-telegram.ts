// Telegram channel configuration: the bot token, the webhook secret and the Bot API base, all or none.

import { DEFAULT_TELEGRAM_API_BASE } from "../channels/telegram/bot-api";

export const TELEGRAM_VARIABLES = ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_API_BASE"] as const;
export type TelegramVars = Partial<Record<(typeof TELEGRAM_VARIABLES)[number], string>>;

/** The Telegram channel; null when no bot is configured. */
export interface TelegramConfig {
  /** The bot's token from @BotFather (`123456:ABC…`). */
  botToken: string;
  /** What Telegram sends in `X-Telegram-Bot-Api-Secret-Token` with every update. */
  webhookSecret: string;
  /** The Bot API origin (no trailing slash). */
  apiBase: string;
}

export class TelegramConfigError extends Error {}

const TOKEN = /^\d+:[A-Za-z0-9_-]{20,}$/;
/** Telegram's own rule for secret_token: 1–256 of A–Z, a–z, 0–9, _ and -. */
const SECRET = /^[A-Za-z0-9_-]{16,256}$/;

function fail(variable: string, problem: string): never {
  throw new TelegramConfigError(`configuration error: ${variable} ${problem}`);
}

function apiBase(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail("TELEGRAM_API_BASE", `is not a URL (got "${value}")`);
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(loopback && url.protocol === "http:"))
    fail("TELEGRAM_API_BASE", "must use https (http only on loopback)");
  return url.href.replace(/\/+$/, "");
}

export function parseTelegram(vars: TelegramVars): TelegramConfig | null {
  const botToken = vars.TELEGRAM_BOT_TOKEN?.trim() ?? "";
  const webhookSecret = vars.TELEGRAM_WEBHOOK_SECRET?.trim() ?? "";
  const base = vars.TELEGRAM_API_BASE?.trim() ?? "";
  if (!botToken && !webhookSecret) {
    if (base) fail("TELEGRAM_API_BASE", "needs TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET");
    return null;
  }
  if (!botToken) fail("TELEGRAM_BOT_TOKEN", "is required with TELEGRAM_WEBHOOK_SECRET");
  if (!webhookSecret) fail("TELEGRAM_WEBHOOK_SECRET", "is required with TELEGRAM_BOT_TOKEN");
  if (!TOKEN.test(botToken)) fail("TELEGRAM_BOT_TOKEN", "is not a bot token (digits, a colon, then the key)");
  if (!SECRET.test(webhookSecret))
    fail("TELEGRAM_WEBHOOK_SECRET", "must be 16–256 characters of A–Z, a–z, 0–9, _ and -");
  return { botToken, webhookSecret, apiBase: base ? apiBase(base) : DEFAULT_TELEGRAM_API_BASE };
}
