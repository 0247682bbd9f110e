// `npm run telegram:webhook`: registers the webhook with the secret token against the fake Bot API, and
// reports Telegram's refusal of a URL that is not https.

import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALLOWED_UPDATES, registerWebhook, telegramVars } from "../../scripts/telegram-webhook.mjs";
import { FAKE_BOT_TOKEN, type FakeTelegram, startFakeTelegram } from "../e2e/helpers/fake-telegram.ts";

const SECRET = "script-test-secret-0123456789";

describe("telegram:webhook", () => {
  let tg: FakeTelegram;
  beforeAll(async () => {
    tg = await startFakeTelegram();
  });
  afterAll(async () => {
    await tg?.close();
  });

  it("registers <origin>/channels/telegram/webhook with the secret, run as the npm script", async () => {
    const run = promisify(execFile);
    const env = {
      ...process.env,
      TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_BASE: tg.url,
    };
    const { stdout } = await run("node", ["scripts/telegram-webhook.mjs", "https://claw.example.com/anything"], {
      env,
    });
    expect(stdout).toContain("https://claw.example.com/channels/telegram/webhook");
    const set = tg.calls.find((c) => c.method === "setWebhook");
    expect(set?.status).toBe(200);
    expect(set?.params).toMatchObject({
      url: "https://claw.example.com/channels/telegram/webhook",
      secret_token: SECRET,
      allowed_updates: ALLOWED_UPDATES,
    });
    // The secret never travels on the command line.
    expect(JSON.stringify(process.argv)).not.toContain(SECRET);
  });

  it("reads .dev.vars, and reports Telegram's refusal and missing variables", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tg-webhook-"));
    const file = join(dir, ".dev.vars");
    writeFileSync(
      file,
      `TELEGRAM_BOT_TOKEN=${FAKE_BOT_TOKEN}\nTELEGRAM_WEBHOOK_SECRET=${SECRET}\nTELEGRAM_API_BASE=${tg.url}\n`,
    );
    const vars = telegramVars({}, file);
    expect(vars).toEqual({ token: FAKE_BOT_TOKEN, secret: SECRET, base: tg.url });
    await expect(registerWebhook(vars, "http://127.0.0.1:8787")).rejects.toThrow(/HTTPS URL must be provided/);
    await expect(registerWebhook({ ...vars, secret: "" }, "https://x.example.com")).rejects.toThrow(
      /TELEGRAM_WEBHOOK_SECRET is not set/,
    );
  });
});
