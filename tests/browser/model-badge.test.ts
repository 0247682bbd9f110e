// Which model a session talks to, as people see it in Chromium: the provider/model badge in the chat header, and
// for the built-in demo model the banner saying its replies are scripted and how to connect a real model.
// Desktop and a 360×740 phone, light and dark, against two real `wrangler dev` servers (demo and configured).

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../devtools/demo-model/server.ts";
import { type DevServer, startDevServer } from "../e2e/helpers/dev-server.ts";
import { launchChromium, SHOTS } from "./stand.ts";

const LOOKS = [
  { name: "desktop-light", viewport: { width: 1200, height: 800 }, dark: false },
  { name: "desktop-dark", viewport: { width: 1200, height: 800 }, dark: true },
  { name: "phone-light", viewport: { width: 360, height: 740 }, dark: false },
  { name: "phone-dark", viewport: { width: 360, height: 740 }, dark: true },
] as const;

let browser: Browser;
let demoLlm: FakeLlm;
let demo: DevServer;
let llm: FakeLlm;
let configured: DevServer;

beforeAll(async () => {
  demoLlm = await startFakeLlm(0, { demo: true });
  llm = await startFakeLlm();
  // The demo server is configured the way `npm run dev` configures it when it finds no model.
  [demo, configured] = await Promise.all([
    startDevServer({
      vars: { LLM_PROVIDER: "openai", OPENAI_BASE_URL: `${demoLlm.url}/v1`, LLM_MODEL: "edgeclaw-demo", LLM_DEMO: "1" },
    }),
    startDevServer({ vars: { OPENAI_BASE_URL: `${llm.url}/v1`, LLM_MODEL: "gpt-4o-mini" } }),
  ]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([demo?.stop(), configured?.stop()]);
  await Promise.all([demoLlm?.close(), llm?.close()]);
});

/** Signs in on `server`, opens a new session and waits for its socket (the `ready` frame carries the model). */
async function openSession(server: DevServer, look: (typeof LOOKS)[number], email: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: look.viewport,
    colorScheme: look.dark ? "dark" : "light",
    serviceWorkers: "block",
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("nav button.primary").click();
  await page.locator(".conn.open").waitFor();
  return page;
}

/** Whether the element is shown whole inside the viewport's width (no clipping, no sideways scrolling). */
async function fitsWidth(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const box = document.querySelector(sel)?.getBoundingClientRect();
    return (
      box !== undefined &&
      box.width > 0 &&
      box.left >= 0 &&
      box.right <= window.innerWidth &&
      document.documentElement.scrollWidth <= window.innerWidth
    );
  }, selector);
}

describe.each(LOOKS)("model badge and demo banner: $name", (look) => {
  it("a session on the demo model shows the banner and the demo badge", async () => {
    const page = await openSession(demo, look, `demo-${look.name}@example.com`);
    const badge = page.getByTestId("model-badge");
    await badge.waitFor();
    expect(await badge.textContent()).toBe("demo model");
    const banner = page.getByRole("note").filter({ hasText: "Demo model: replies are scripted." });
    await banner.waitFor();
    expect(await banner.isVisible()).toBe(true);
    const text = (await banner.textContent()) ?? "";
    expect(text).toContain("OPENAI_API_KEY");
    expect(text).toContain(".dev.vars");
    expect(await fitsWidth(page, "[data-testid=demo-banner]")).toBe(true);
    expect(await fitsWidth(page, "[data-testid=model-badge]")).toBe(true);
    await page.screenshot({ path: `${SHOTS}/demo-banner-${look.name}.png` });
    await page.context().close();
  });

  it("a session on a configured provider shows provider and model, and no demo banner", async () => {
    const page = await openSession(configured, look, `badge-${look.name}@example.com`);
    const badge = page.getByTestId("model-badge");
    await badge.waitFor();
    expect(await badge.textContent()).toBe("openai · gpt-4o-mini");
    expect(await badge.isVisible()).toBe(true);
    expect(await page.getByTestId("demo-banner").count()).toBe(0);
    expect(await fitsWidth(page, "[data-testid=model-badge]")).toBe(true);
    await page.screenshot({ path: `${SHOTS}/model-badge-${look.name}.png` });
    await page.context().close();
  });
});
