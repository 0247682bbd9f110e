// The chat client as people use it, in Chromium against `wrangler dev`: Markdown, close codes, IME, search,
// feedback, regenerate and edit, charts, the PWA shell, and the phone layout in light and dark.

import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { FakeLlm } from "../../devtools/demo-model/server.ts";
import type { DevServer } from "../e2e/helpers/dev-server.ts";
import { SHOTS, useStand } from "./stand.ts";

const DESKTOP = { width: 1200, height: 800 };
const PHONE = { width: 360, height: 740 };
let llm: FakeLlm;
let server: DevServer;
let browser: Browser;

/** Counts the WebSockets the page opens (a socket that stops reconnecting opens no more). */
const COUNT_SOCKETS = `(() => {
  const Native = window.WebSocket;
  window.__sockets = 0;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets++; }
  };
})()`;

async function signedIn(
  email: string,
  options: { viewport?: { width: number; height: number }; dark?: boolean; clock?: boolean; touch?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    colorScheme: options.dark ? "dark" : "light",
    serviceWorkers: "block",
    ...(options.touch ? { isMobile: true, hasTouch: true } : {}),
  });
  const page = await context.newPage();
  await page.addInitScript(COUNT_SOCKETS);
  if (options.clock) await page.clock.install();
  await page.goto(`${server.url}/`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("nav button.primary").waitFor();
  return { context, page };
}

async function newSession(page: Page): Promise<string> {
  await page.locator("nav button.primary").click();
  await page.getByRole("textbox", { name: "Message" }).waitFor();
  await page.locator(".conn.open").waitFor();
  return new URL(page.url()).searchParams.get("s") ?? "";
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.keyboard.press("Enter");
}

/** Waits for a condition on the page: generous, since it only bounds a failure (events, not timing, decide). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 30_000 });
const answers = (page: Page) => page.locator("article.msg.assistant");
const sockets = (page: Page) => page.evaluate(() => (window as unknown as { __sockets: number }).__sockets);
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

useStand((stand) => {
  ({ llm, server, browser } = stand);
});

const RICH = [
  "Here is a table:",
  "",
  "| tool | use |",
  "| --- | --- |",
  "| `exec` | runs a command |",
  "| **web_fetch** | reads a page |",
  "",
  "- outer",
  "  - inner",
  "",
  "> quoted",
  "",
  "```ts",
  "const answer = 42; // the answer",
  "```",
  "",
  "A [safe link](https://example.com) and <b>no html</b>.",
].join("\n");

describe("chat client", () => {
  for (const [name, viewport, dark] of [
    ["desktop-light", DESKTOP, false],
    ["desktop-dark", DESKTOP, true],
    ["phone-light", PHONE, false],
    ["phone-dark", PHONE, true],
  ] as const) {
    it(`renders Markdown tables, lists, quotes and highlighted code; no overflow (${name})`, async () => {
      const { page, context } = await signedIn(`md-${name}@example.com`, { viewport, dark });
      await newSession(page);
      llm.script({ match: `rich ${name}`, steps: [{ kind: "text", chunks: [RICH] }] });
      await say(page, `rich ${name}`);
      const answer = answers(page).last();
      await answer.locator("table").waitFor();
      expect(await answer.locator("table th").allTextContents()).toEqual(["tool", "use"]);
      expect(await answer.locator("table tbody tr").count()).toBe(2);
      expect(await answer.locator("ul ul li").textContent()).toBe("inner");
      expect(await answer.locator("blockquote").textContent()).toContain("quoted");
      expect(await answer.locator(".code .hl-keyword").first().textContent()).toBe("const");
      expect(await answer.locator(".code .hl-comment").textContent()).toBe("// the answer");
      expect(await answer.getByRole("button", { name: "Copy code" }).count()).toBe(1);
      const link = answer.getByRole("link", { name: "safe link" });
      expect(await link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
      expect(await link.getAttribute("target")).toBe("_blank");
      expect(await answer.locator("b").count()).toBe(0);
      expect(await answer.textContent()).toContain("<b>no html</b>");
      await page.getByRole("button", { name: "Good answer" }).waitFor();
      await page.screenshot({ path: `${SHOTS}/markdown-${name}.png`, fullPage: true });
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await context.close();
    });
  }

  it("does not send on Enter while an input method is composing", async () => {
    const { page, context } = await signedIn("ime@example.com");
    await newSession(page);
    const box = page.getByRole("textbox", { name: "Message" });
    await box.fill("日本");
    await box.evaluate((el) => {
      el.dispatchEvent(new CompositionEvent("compositionstart", { bubbles: true, data: "" }));
      el.dispatchEvent(
        new KeyboardEvent("keydown", {
          key: "Enter",
          code: "Enter",
          isComposing: true,
          bubbles: true,
          cancelable: true,
        }),
      );
      el.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true, data: "語" }));
      // The Enter that some browsers send right after compositionend carries keyCode 229.
      el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", keyCode: 229, bubbles: true, cancelable: true }));
    });
    expect(await box.inputValue()).toBe("日本");
    await box.fill("日本語");
    await page.keyboard.press("Enter");
    await poll(() => page.locator("article.msg.user .text").allTextContents()).toEqual(["日本語"]);
    await answers(page).first().waitFor();
    expect(await page.locator("article.msg.user").count()).toBe(1);
    await context.close();
  });

  it("shows the Ctrl K hint beside Search with a keyboard and mouse, not on a touch phone", async () => {
    for (const [touch, shown] of [
      [false, true],
      [true, false],
    ] as const) {
      const viewport = touch ? PHONE : DESKTOP;
      const { page, context } = await signedIn(`kbd-${touch}@example.com`, { viewport, touch });
      const search = page.getByRole("button", { name: /^Search/ });
      expect(await search.isVisible()).toBe(true);
      expect(await search.locator("kbd").isVisible()).toBe(shown);
      await context.close();
    }
  });

  it("finds a session by a word of its text with Ctrl+K, and pins and archives in the sidebar", async () => {
    const { page, context } = await signedIn("search@example.com");
    const found = await newSession(page);
    await say(page, "tell me about the quokkasaurus please");
    await answers(page).first().waitFor();
    await page.locator(".working").waitFor({ state: "detached" });
    await newSession(page);
    await page.keyboard.press("Control+k");
    const dialog = page.getByRole("dialog", { name: "Search sessions" });
    await dialog.getByLabel("Search sessions (titles and messages)").fill("quokkasaurus");
    const results = dialog.getByRole("list", { name: "Search results" }).getByRole("button");
    await poll(() => results.count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/search.png` });
    await results.first().click();
    await poll(() => new URL(page.url()).searchParams.get("s")).toBe(found);
    await page.locator("article.msg.user", { hasText: "quokkasaurus" }).waitFor();

    const rows = page.locator(".sidebar li");
    await poll(() => rows.count()).toBe(2);
    await rows.last().hover();
    await rows.last().getByRole("button", { name: /^Pin / }).click();
    await rows
      .first()
      .getByRole("button", { name: /^Unpin / })
      .waitFor();
    await rows
      .first()
      .getByRole("button", { name: /^Archive / })
      .click();
    await poll(() => rows.count()).toBe(1);
    await page.getByRole("button", { name: "Show archived" }).click();
    await poll(() => rows.count()).toBe(1);
    await rows.first().hover();
    await rows
      .first()
      .getByRole("button", { name: /^Unarchive / })
      .waitFor();
    expect(await rows.count()).toBe(1);
    await context.close();
  });

  it("sends feedback, regenerates the last answer and edits a message; earlier versions stay visible", async () => {
    const { page, context } = await signedIn("versions@example.com");
    await newSession(page);
    llm.script({
      match: "pick a colour",
      steps: [
        { kind: "text", chunks: ["blue"] },
        { kind: "text", chunks: ["green"] },
      ],
    });
    await say(page, "pick a colour");
    await poll(() => answers(page).last().textContent()).toContain("blue");
    const up = page.getByRole("button", { name: "Good answer" });
    await up.click();
    // Pressed only once the server's durable feedback event came back.
    await poll(() => up.getAttribute("aria-pressed")).toBe("true");

    await page.getByRole("button", { name: "Regenerate answer" }).click();
    await poll(() => page.locator("article[aria-label='Answer']").allTextContents()).toEqual([
      expect.stringContaining("green"),
    ]);
    expect(await page.locator("article[aria-label='Earlier answer']").textContent()).toContain("blue");
    const regenerated = llm.requests.filter((r) => JSON.stringify(r.body).includes("pick a colour")).at(-1);
    expect(JSON.stringify(regenerated?.body)).not.toContain("blue");

    await page.locator(".working").waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Edit and resend" }).click();
    await page.getByLabel("New version of the message").fill("pick a number");
    await page.getByRole("button", { name: "Send new version" }).click();
    await poll(() => page.locator("article.msg.user.earlier").count()).toBe(1);
    await poll(() => page.locator("article[aria-label='Answer']").allTextContents()).toEqual([
      expect.stringContaining("pick a number"),
    ]);
    const edited = llm.requests.filter((r) => JSON.stringify(r.body).includes("pick a number")).at(-1);
    expect(JSON.stringify(edited?.body)).not.toContain("pick a colour");
    await page.screenshot({ path: `${SHOTS}/versions.png`, fullPage: true });
    await context.close();
  });

  it("shows a stop button and a working state while a turn runs", async () => {
    const { page, context } = await signedIn("stop@example.com");
    await newSession(page);
    const chunks = Array.from({ length: 200 }, (_, i) => `w${i} `);
    llm.script({ match: "go on and on", steps: [{ kind: "text", chunks, delayMs: 50 }] });
    await say(page, "go on and on");
    await page.getByRole("status", { name: "Working" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/working.png` });
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByText("Turn ended: cancelled").waitFor();
    expect(await page.getByRole("button", { name: "Stop" }).count()).toBe(0);
    await context.close();
  });

  it("ends the socket on 'terminated by an admin' and 'session deleted' with a message, and stops reconnecting", async () => {
    const { page, context } = await signedIn("ended@example.com", { clock: true });
    const id = await newSession(page);
    const admin = await signedIn("admin@example.com");
    const terminated = await admin.page.evaluate(
      async (sid) => (await fetch(`/admin/api/sessions/${sid}/terminate`, { method: "POST" })).status,
      id,
    );
    expect(terminated).toBe(200);
    const banner = page.getByRole("alert", { name: "Connection ended" });
    await banner.getByText("Disconnected by an administrator").waitFor();
    const before = await sockets(page);
    await page.clock.runFor(120_000);
    expect(await sockets(page)).toBe(before);
    await page.screenshot({ path: `${SHOTS}/ended-terminated.png` });
    // Reconnect on request, then the session is deleted from elsewhere.
    await banner.getByRole("button", { name: "Reconnect" }).click();
    await page.locator(".conn.open").waitFor();
    await admin.context.close();
    const deleted = await page.evaluate(
      async (sid) => (await fetch(`/api/sessions/${sid}`, { method: "DELETE" })).status,
      id,
    );
    expect(deleted).toBe(204);
    await banner.getByText("This session was deleted").waitFor();
    const after = await sockets(page);
    await page.clock.runFor(120_000);
    expect(await sockets(page)).toBe(after);
    await banner.getByRole("button", { name: "Back to sessions" }).click();
    await page.getByText("Open a session or start a new one").waitFor();
    await context.close();
  });

  it("ends the socket on an expired token (4401) and a missing identity (1008), and stops reconnecting", async () => {
    for (const [code, reason, text] of [
      [4401, "token expired", "Your sign-in expired"],
      [1008, "unauthenticated", "Not signed in"],
    ] as const) {
      const { page, context } = await signedIn(`close-${code}@example.com`, { clock: true });
      // The real socket behind a route that closes it the way the server does when it refuses a frame.
      await page.routeWebSocket(/\/ws$/, (ws) => {
        const upstream = ws.connectToServer();
        ws.onMessage((message) => {
          if (String(message).includes('"user_message"')) {
            if (code === 4401)
              ws.send(
                JSON.stringify({ type: "error", code: "token_expired", message: "your sign-in expired; reconnect" }),
              );
            ws.close({ code, reason });
            upstream.close();
          } else upstream.send(message);
        });
      });
      await newSession(page);
      await say(page, "hello?");
      const banner = page.getByRole("alert", { name: "Connection ended" });
      await banner.getByText(text).waitFor();
      await banner.getByRole("button", { name: "Sign in again" }).waitFor();
      const before = await sockets(page);
      await page.clock.runFor(120_000);
      expect(await sockets(page)).toBe(before);
      await page.screenshot({ path: `${SHOTS}/ended-${code}.png` });
      await context.close();
    }
  });

  it("draws usage charts with uPlot, loaded only on the usage page", async () => {
    const { page, context } = await signedIn("charts@example.com");
    const loaded: string[] = [];
    page.on("request", (r) => loaded.push(new URL(r.url()).pathname));
    await newSession(page);
    await say(page, "count my tokens");
    await answers(page).first().waitFor();
    await page.locator(".working").waitFor({ state: "detached" });
    expect(loaded.some((p) => /uPlot/i.test(p))).toBe(false);
    await page.getByRole("button", { name: "My usage" }).click();
    const cost = page.getByRole("figure", { name: "Cost per day by model (USD)" });
    await cost.locator("canvas").waitFor();
    await page
      .getByRole("figure", { name: /Time to first token/ })
      .locator(".u-legend")
      .waitFor();
    expect(await cost.locator(".u-legend").textContent()).toContain("gpt-4o-mini");
    expect(await page.locator(".uchart .u-axis").count()).toBeGreaterThanOrEqual(8);
    expect(loaded.some((p) => /uPlot/i.test(p))).toBe(true);
    // Hovering the plot shows a tooltip with the day and the model's cost.
    const over = cost.locator(".u-over");
    const box = await over.boundingBox();
    if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tip = cost.getByRole("tooltip");
    await poll(() => tip.textContent()).toMatch(/^\d{4}-\d{2}-\d{2}\ngpt-4o-mini: \$/);
    await page.screenshot({ path: `${SHOTS}/usage-charts.png`, fullPage: true });
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await context.close();
  });

  it("is installable: manifest with credentials, icons, a service worker that never caches the API", async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel("Email").fill("pwa@example.com");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("nav button.primary").waitFor();
    const manifest = page.locator("link[rel='manifest']");
    expect(await manifest.getAttribute("crossorigin")).toBe("use-credentials");
    const body = await page.evaluate(async () => {
      const response = await fetch("/manifest.webmanifest", { credentials: "include" });
      return response.json();
    });
    expect(body).toMatchObject({ display: "standalone", start_url: "/" });
    for (const icon of body.icons as { src: string }[]) {
      expect(await page.evaluate(async (src) => (await fetch(src)).status, icon.src)).toBe(200);
    }
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.locator("nav button.primary").waitFor();
    await page.evaluate(() => fetch("/api/sessions").then((r) => r.text()));
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys())
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      return urls;
    });
    expect(cached).toContain("/");
    expect(cached.some((p) => p.startsWith("/assets/"))).toBe(true);
    expect(cached.filter((p) => /^\/(api|admin\/api|v1|dev|cdn-cgi)(\/|$)/.test(p))).toEqual([]);
    await context.close();
  });
});
