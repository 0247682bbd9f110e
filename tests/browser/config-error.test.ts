// A misconfigured service as a person meets it in Chromium: real `wrangler dev` servers whose provider variable is
// missing or invalid answer every request with `config_error`, and the client shows the message naming the
// variable instead of "Loading…" (phone and desktop).

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answersConfigError, type DevServer, startDevServer } from "../e2e/helpers/dev-server.ts";
import { launchChromium, SHOTS } from "./stand.ts";

const CASES = [
  // No key and the default base URL: a deployed Worker never falls back to the demo model.
  { name: "missing-key", vars: { LLM_PROVIDER: "openai" }, variable: "OPENAI_API_KEY", problem: "is not set" },
  { name: "invalid-provider", vars: { LLM_PROVIDER: "openia" }, variable: "LLM_PROVIDER", problem: "must be one of" },
] as const;

let browser: Browser;
const servers = new Map<string, DevServer>();

beforeAll(async () => {
  const started = await Promise.all(CASES.map((c) => startDevServer({ vars: c.vars, up: answersConfigError })));
  CASES.forEach((c, i) => {
    const server = started[i];
    if (server) servers.set(c.name, server);
  });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([...servers.values()].map((s) => s.stop()));
});

describe.each(CASES)("a server with $name", (c) => {
  it("answers the API with config_error naming the variable", async () => {
    const server = servers.get(c.name);
    if (!server) throw new Error("no server");
    const response = await fetch(`${server.url}/api/me`);
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("config_error");
    expect(body.error.message).toContain(c.variable);
  });

  it.each([
    ["phone", { width: 360, height: 740 }],
    ["desktop", { width: 1200, height: 800 }],
  ] as const)("shows the message naming the variable instead of Loading… (%s)", async (look, viewport) => {
    const server = servers.get(c.name);
    if (!server) throw new Error("no server");
    const context = await browser.newContext({ viewport, serviceWorkers: "block" });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: "edgeclaw is not configured" }).waitFor();
    const alert = (await page.getByRole("alert").textContent()) ?? "";
    expect(alert).toContain(c.variable);
    expect(alert).toContain(c.problem);
    expect(await page.getByText("Loading…").count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/config-error-${c.name}-${look}.png` });
    await context.close();
  });
});
