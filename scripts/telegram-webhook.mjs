// `npm run telegram:webhook -- https://your.host`: registers the service's webhook with Telegram (setWebhook
// with the secret token and the update kinds edgeclaw reads). The token and secret come from the environment
// or .dev.vars, never from the command line.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";

/** The updates edgeclaw acts on; Telegram sends nothing else. */
export const ALLOWED_UPDATES = ["message", "callback_query"];

/**
 * Reads TELEGRAM_* from the environment, else from an env file (.dev.vars).
 * @param {Record<string, string | undefined>} env
 */
export function telegramVars(env = process.env, file = ".dev.vars") {
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {};
  const pick = (name) => env[name] || fromFile[name] || "";
  return {
    token: pick("TELEGRAM_BOT_TOKEN"),
    secret: pick("TELEGRAM_WEBHOOK_SECRET"),
    base: (pick("TELEGRAM_API_BASE") || "https://api.telegram.org").replace(/\/+$/, ""),
  };
}

/** Calls setWebhook for `<origin>/channels/telegram/webhook`; resolves to Telegram's answer, throws its refusal. */
export async function registerWebhook({ token, secret, base }, origin, fetcher = fetch) {
  if (!token) throw new Error("TELEGRAM_BOT_TOKEN is not set (environment or .dev.vars)");
  if (!secret) throw new Error("TELEGRAM_WEBHOOK_SECRET is not set (environment or .dev.vars)");
  const url = `${new URL(origin).origin}/channels/telegram/webhook`;
  const response = await fetcher(`${base}/bot${token}/setWebhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url, secret_token: secret, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: false }),
  });
  const body = await response.json().catch(() => ({}));
  if (!body.ok) throw new Error(`Telegram refused setWebhook: ${body.description ?? `HTTP ${response.status}`}`);
  return url;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const origin = process.argv[2];
  if (!origin) {
    console.error("usage: npm run telegram:webhook -- https://your.worker.host");
    process.exit(2);
  }
  registerWebhook(telegramVars(), origin).then(
    (url) => console.log(`Telegram now posts updates to ${url}`),
    (error) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
