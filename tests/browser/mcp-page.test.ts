// The MCP servers page in headless Chromium against `wrangler dev`: add, see tools, authorise over OAuth, remove.

import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../e2e/helpers/dev-server.ts";
import {
  startOAuthServer,
  startStreamableServer,
  type TestMcp,
  type TestOAuthMcp,
} from "../e2e/helpers/mcp-servers.ts";
import { launchChromium } from "./stand.ts";

const SHOTS = "test-results/screenshots";
let server: DevServer;
let browser: Browser;
let plain: TestMcp;
let secure: TestOAuthMcp;

async function signedIn(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("nav button.primary").waitFor();
  return page;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  plain = await startStreamableServer("plain");
  secure = await startOAuthServer("secure");
  // No model is called here; a keyless local base URL keeps the provider configured.
  server = await startDevServer({
    vars: { MCP_ENCRYPTION_KEY: randomBytes(32).toString("base64"), OPENAI_BASE_URL: "http://127.0.0.1:9/v1" },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await plain?.kill();
  await secure?.kill();
});

describe("MCP servers page", () => {
  it("adds a server and shows its tools, authorises one over OAuth, and removes one", async () => {
    const page = await signedIn("mcp-page@example.com");
    await page.getByRole("link", { name: "MCP servers" }).click();
    await page.getByRole("heading", { name: "MCP servers" }).waitFor();

    await page.getByLabel("Name").fill("plain");
    await page.getByLabel("URL").fill(plain.url);
    await page.getByLabel("Headers").fill("X-Api-Key: page-secret");
    await page.getByRole("button", { name: "Add" }).click();
    const card = page.locator("li.mcp-server", { hasText: "plain" });
    // Adding connects to the server first: wait for the card (playwright's own deadline), not a fixed delay.
    await card.locator(".status", { hasText: "connected" }).waitFor();
    await card.locator("code", { hasText: "plain__echo" }).waitFor();
    expect(await card.textContent()).toContain("headers: x-api-key");
    expect(await page.content()).not.toContain("page-secret");
    expect(plain.headers.at(-1)?.["x-api-key"]).toBe("page-secret");

    // OAuth: adding opens the authorization server, which sends the browser back through the callback.
    await page.getByLabel("Name").fill("secure");
    await page.getByLabel("URL").fill(secure.url);
    await page.getByRole("button", { name: "Add" }).click();
    await page.waitForURL(/\/mcp\?server=/);
    const secured = page.locator("li.mcp-server", { hasText: "secure" });
    await secured.locator(".status", { hasText: "connected" }).waitFor();
    expect(await secured.textContent()).toContain("authorised");
    await page.screenshot({ path: `${SHOTS}/mcp.png`, fullPage: true });

    await card.getByRole("button", { name: "Remove" }).click();
    await card.waitFor({ state: "detached" });
    expect(await page.locator("li.mcp-server").count()).toBe(1);
  });
});
