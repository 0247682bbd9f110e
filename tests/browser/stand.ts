// What every browser test file starts: the stand-in LLM, `wrangler dev` using it, and Debian's headless Chromium.

import { mkdirSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type FakeLlm, startFakeLlm } from "../../devtools/demo-model/server.ts";
import { type DevServer, startDevServer } from "../e2e/helpers/dev-server.ts";

/** Where browser tests write their screenshots. */
export const SHOTS = "test-results/screenshots";

export interface Stand {
  llm: FakeLlm;
  server: DevServer;
  browser: Browser;
  stop(): Promise<void>;
}

/** Debian's Chromium, headless, with nothing that reaches out on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function startStand(): Promise<Stand> {
  mkdirSync(SHOTS, { recursive: true });
  const llm = await startFakeLlm();
  const server = await startDevServer({
    vars: { OPENAI_BASE_URL: `${llm.url}/v1`, LLM_MODEL: "gpt-4o-mini", ADMIN_EMAILS: "admin@example.com" },
  });
  const browser = await launchChromium();
  return {
    llm,
    server,
    browser,
    stop: async () => {
      await browser.close();
      await server.stop();
      await llm.close();
    },
  };
}

/** A fresh browser context signed in through the dev issuer's form, on the chat page. */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  email: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("nav button.primary").waitFor();
  return { context, page };
}
