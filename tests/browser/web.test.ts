// The web client in headless Chromium (Debian's, driven by playwright-core) against `wrangler dev`.

import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { FakeLlm } from "../../devtools/demo-model/server.ts";
import type { DevServer } from "../e2e/helpers/dev-server.ts";
import { SHOTS, useStand } from "./stand.ts";

let llm: FakeLlm;
let server: DevServer;
let browser: Browser;

async function signedIn(email: string, groups = ""): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.getByLabel("Email").fill(email);
  if (groups) await page.getByLabel("Groups (comma separated)").fill(groups);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("nav button.primary").waitFor();
  return { context, page };
}

const answers = (page: Page) => page.locator("article.msg.assistant");

useStand((stand) => {
  ({ llm, server, browser } = stand);
});

describe("web client", () => {
  it("shows one streamed answer live on two devices, and resumes a reload mid-stream without duplicates", async () => {
    const a = await signedIn("browser@example.com");
    await a.page.locator("nav button.primary").click();
    await a.page.getByRole("textbox", { name: "Message" }).waitFor();
    const sessionUrl = a.page.url();
    const b = await signedIn("browser@example.com");
    await b.page.goto(sessionUrl);
    await b.page.getByRole("textbox", { name: "Message" }).waitFor();

    const chunks = Array.from({ length: 30 }, (_, i) => `word${i} `);
    llm.script({ match: "tell me a story", steps: [{ kind: "text", chunks, delayMs: 60 }] });
    await a.page.getByRole("textbox", { name: "Message" }).fill("tell me a story");
    await a.page.keyboard.press("Enter");
    await expect
      .poll(() => b.page.locator("article.msg.user").allTextContents())
      .toEqual([expect.stringContaining("tell me a story")]);
    // Mid-stream: B reloads and must end with the same single answer as A.
    await expect.poll(async () => (await answers(b.page).allTextContents()).join("").length).toBeGreaterThan(0);
    await b.page.reload();
    const whole = chunks.join("").trim();
    await expect.poll(() => answers(a.page).last().textContent(), { timeout: 15_000 }).toContain(whole);
    await expect
      .poll(() => answers(b.page).allTextContents(), { timeout: 15_000 })
      .toEqual([expect.stringContaining(whole)]);
    expect(await b.page.locator("article.msg.user").count()).toBe(1);
    await a.page.screenshot({ path: `${SHOTS}/chat.png`, fullPage: true });
    await a.context.close();
    await b.context.close();
  });

  it("renders model HTML and script as text", async () => {
    const { page, context } = await signedIn("xss@example.com");
    await page.locator("nav button.primary").click();
    const hostile =
      'Look: <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script> [x](javascript:alert(1)) **bold**';
    llm.script({ match: "be hostile", steps: [{ kind: "text", chunks: [hostile] }] });
    await page.getByRole("textbox", { name: "Message" }).fill("be hostile <b>user html</b>");
    await page.keyboard.press("Enter");
    await expect.poll(() => answers(page).last().textContent()).toContain("<img src=x");
    expect(await page.locator(".transcript img, .transcript script, .transcript b").count()).toBe(0);
    expect(await page.locator(".transcript a[href^='javascript']").count()).toBe(0);
    expect(await page.locator(".transcript strong").count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await context.close();
  });

  it("lets an admin list, inspect and terminate a session, and refuses a non-admin", async () => {
    const user = await signedIn("watched@example.com");
    await user.page.locator("nav button.primary").click();
    await user.page.getByRole("textbox", { name: "Message" }).waitFor();
    const admin = await signedIn("admin@example.com");
    await admin.page.goto(`${server.url}/admin`);
    await admin.page
      .getByRole("button", { name: /Inspect New session of watched@example.com/ })
      .first()
      .click();
    await admin.page.getByText("Connected devices (1)").waitFor();
    await admin.page.screenshot({ path: `${SHOTS}/admin.png`, fullPage: true });
    await admin.page.getByRole("button", { name: "Terminate" }).click();
    await admin.page.getByText(/Terminated: 1 sockets closed/).waitFor();

    const other = await signedIn("nosy@example.com");
    await other.page.goto(`${server.url}/admin`);
    await other.page.getByRole("heading", { name: "Not an admin" }).waitFor();
    for (const c of [user, admin, other]) await c.context.close();
  });

  it("labels every control and works on a phone-sized screen, light and dark", async () => {
    const { page, context } = await signedIn("a11y@example.com");
    await page.locator("nav button.primary").click();
    await page.getByRole("textbox", { name: "Message" }).waitFor();
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("button, input, textarea, select")]
        .filter((el) => {
          const labels = (el as HTMLInputElement).labels;
          return !(labels && labels.length > 0) && !el.getAttribute("aria-label") && !(el.textContent ?? "").trim();
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe("BODY");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: `${SHOTS}/chat-phone-dark.png`, fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await context.close();
  });
});
