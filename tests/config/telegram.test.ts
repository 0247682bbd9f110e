// Telegram configuration: token and secret together or neither; malformed values stop start-up naming the variable.

import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/config";
import { getConfig } from "../../config/load";
import { base, errorOf } from "./helpers";

const TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ_-01";
const SECRET = "a-webhook-secret-0123456789";

describe("Telegram configuration", () => {
  it("is off without variables, and on with token and secret (the public Bot API by default)", () => {
    expect(parseConfig(base).telegram).toBeNull();
    expect(parseConfig({ ...base, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET }).telegram).toEqual({
      botToken: TOKEN,
      webhookSecret: SECRET,
      apiBase: "https://api.telegram.org",
    });
    const local = { ...base, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET };
    expect(parseConfig({ ...local, TELEGRAM_API_BASE: "http://127.0.0.1:9000/" }).telegram?.apiBase).toBe(
      "http://127.0.0.1:9000",
    );
  });

  it.each([
    [{ TELEGRAM_BOT_TOKEN: TOKEN }, "TELEGRAM_WEBHOOK_SECRET is required"],
    [{ TELEGRAM_WEBHOOK_SECRET: SECRET }, "TELEGRAM_BOT_TOKEN is required"],
    [{ TELEGRAM_BOT_TOKEN: "not-a-token", TELEGRAM_WEBHOOK_SECRET: SECRET }, "TELEGRAM_BOT_TOKEN is not a bot token"],
    [{ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: "short" }, "TELEGRAM_WEBHOOK_SECRET must be"],
    [
      { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: "spaces are not allowed here" },
      "TELEGRAM_WEBHOOK_SECRET must be",
    ],
    [
      { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: "http://telegram.example.com" },
      "TELEGRAM_API_BASE must use https",
    ],
    [{ TELEGRAM_API_BASE: "https://api.telegram.org" }, "TELEGRAM_API_BASE needs TELEGRAM_BOT_TOKEN"],
  ])("refuses %j", (vars, message) => {
    expect(errorOf(() => parseConfig({ ...base, ...vars }))).toContain(`configuration error: ${message}`);
  });

  it("refuses an unknown TELEGRAM_ variable (a typo)", () => {
    expect(errorOf(() => getConfig({ ...base, TELEGRAM_BOT_TOKN: TOKEN } as object))).toContain(
      "TELEGRAM_BOT_TOKN is not a known variable",
    );
  });
});
