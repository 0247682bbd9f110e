// The Telegram page in Chromium: a pairing code that the bot accepts, the linked account listed, Unlink.

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../e2e/helpers/dev-server.ts";
import { FAKE_BOT_TOKEN, type FakeTelegram, startFakeTelegram } from "../e2e/helpers/fake-telegram.ts";
import { launchChromium } from "./stand.ts";

const SECRET = "browser-webhook-secret-0123456789";
const POLL = { timeout: 30_000 };
let tg: FakeTelegram;
let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  tg = await startFakeTelegram();
  server = await startDevServer({
    vars: {
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_BASE: tg.url,
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await tg?.close();
});

describe("Telegram page", () => {
  it("shows a pairing code the bot accepts, lists the linked account, and unlinks it", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel("Email").fill("tg-browser@example.com");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Telegram" }).click();
    await expect.poll(() => page.getByText("None yet.").isVisible(), POLL).toBe(true);
    await page.getByRole("button", { name: "Get a pairing code" }).click();
    const shown = (await page.locator(".pairing-code").textContent({ timeout: 30_000 })) ?? "";
    const command = shown.trim();
    expect(command).toMatch(/^\/pair [A-Z2-9]{8}$/);

    const response = await fetch(`${server.url}/channels/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(tg.message(4242, command)),
    });
    expect(await response.json()).toMatchObject({ outcome: "paired" });

    // Reopening the page lists the account.
    await page.getByRole("button", { name: "Telegram" }).click();
    await page.getByRole("button", { name: "Telegram" }).click();
    await expect.poll(() => page.getByText("@user4242").isVisible(), POLL).toBe(true);
    await page.getByRole("button", { name: "Unlink" }).click();
    await expect.poll(() => page.getByText("None yet.").isVisible(), POLL).toBe(true);
  });
});
