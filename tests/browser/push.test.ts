// Web Push in Chromium: the settings page; the service worker shows a push delivered over CDP (deliverPushMessage);
// a click moves the app to the session; Approve answers the approval; signed out, Approve opens the session instead.

import type { Browser, BrowserContext, CDPSession, Page, Worker } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../devtools/demo-model/server.ts";
import { call, Device, login, newSession } from "../e2e/helpers/client.ts";
import { type DevServer, startDevServer } from "../e2e/helpers/dev-server.ts";
import { type PushService, pushDevVars, startPushService, vapidKeys } from "../e2e/helpers/push-service.ts";
import { launchChromium } from "./stand.ts";

const EMAIL = "push-browser@example.com";
/** Conditions are polled until they hold; the bound is only a backstop for a hung run. */
const POLL = { timeout: 30_000 };
const vapid = vapidKeys();
let llm: FakeLlm;
let push: PushService;
let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  llm = await startFakeLlm();
  push = await startPushService(vapid.VAPID_PUBLIC_KEY);
  server = await startDevServer({ vars: pushDevVars(llm.url, vapid, 300) });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await push?.close();
  await llm?.close();
});

/** The shown notifications, read through the service worker registration. */
function shown(page: Page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      actions: (Reflect.get(n, "actions") as { action: string }[]).map((a) => a.action),
    }));
  });
}

/** Clicks the shown notification with this tag (an action, or "" for its body), inside the service worker. */
function click(worker: Worker, tag: string, action: string) {
  return worker.evaluate(
    async ([tag, action]) => {
      const scope = self as unknown as {
        registration: ServiceWorkerRegistration;
        dispatchEvent(event: Event): boolean;
        NotificationEvent: new (type: string, init: { notification: Notification; action: string }) => Event;
      };
      const [notification] = await scope.registration.getNotifications({ tag });
      if (!notification) throw new Error(`no notification tagged ${tag}`);
      scope.dispatchEvent(new scope.NotificationEvent("notificationclick", { notification, action }));
    },
    [tag, action] as const,
  );
}

async function pushServiceWorker(cdp: CDPSession, registrationId: string, payload: unknown): Promise<void> {
  await cdp.send("ServiceWorker.deliverPushMessage", {
    origin: server.url,
    registrationId,
    data: JSON.stringify(payload),
  });
}

/**
 * Delivers a push through DevTools until `read` gives `expected`. On a loaded machine a delivery to a service
 * worker that Chromium is stopping for idleness can be lost (seen once in CI); the same push again is
 * harmless, as its tag replaces the notification. Three deliveries, each watched for 10 s.
 */
async function deliverUntil<T>(
  cdp: CDPSession,
  registrationId: string,
  payload: unknown,
  read: () => Promise<T>,
  expected: T,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await pushServiceWorker(cdp, registrationId, payload);
    try {
      await expect.poll(read, { timeout: 10_000 }).toEqual(expected);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

describe("push notifications in the browser", () => {
  it("shows a pushed approval, Approve answers it, a click opens the session, and signed out Approve opens it", async () => {
    const context: BrowserContext = await browser.newContext();
    await context.grantPermissions(["notifications"], { origin: server.url });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("nav button.primary").waitFor();
    // The client installed /sw.js, which took control of the page.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const worker = context.serviceWorkers().find((w) => w.url().endsWith("/sw.js"));
    if (!worker) throw new Error("the service worker is not running");
    const cdp = await context.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string }[] = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
    await cdp.send("ServiceWorker.enable");
    await expect.poll(() => registrations.find((r) => r.scopeURL === `${server.url}/`), POLL).toBeTruthy();
    const registrationId = registrations.find((r) => r.scopeURL === `${server.url}/`)?.registrationId ?? "";

    // The settings page switches a kind off for this user.
    const token = await login(server.url, EMAIL);
    await page.getByRole("button", { name: "Notifications" }).click();
    const finished = page.getByLabel("An answer finished while I was away");
    await expect.poll(() => finished.isChecked(), POLL).toBe(true);
    await finished.uncheck();
    await expect
      .poll(async () => (await (await call(server.url, "/api/push/preferences", token)).json()).kinds, POLL)
      .toMatchObject({ turn_finished: false, approval: true });

    // The server pushes for real (to the local push service, decrypted there); "always" while a device is here.
    const subscribed = await call(server.url, "/api/push/subscriptions", token, {
      method: "POST",
      body: JSON.stringify({ ...push.subscribe("browser"), deviceName: "chromium" }),
    });
    expect(subscribed.status).toBe(201);
    const prefs = await call(server.url, "/api/push/preferences", token, {
      method: "PUT",
      body: JSON.stringify({ when: "always" }),
    });
    expect(prefs.status).toBe(200);
    const session = await newSession(server.url, token);
    llm.script({
      match: "touch two files",
      steps: [
        { kind: "tools", calls: [{ id: "call-b1", name: "exec", args: JSON.stringify({ command: "touch one" }) }] },
        { kind: "tools", calls: [{ id: "call-b2", name: "exec", args: JSON.stringify({ command: "touch two" }) }] },
        { kind: "text", chunks: ["Both done."] },
      ],
    });
    const device = await Device.open(server.url, session, token);
    await device.hello();
    device.send({ type: "user_message", id: "b1", text: "touch two files" });
    await push.until((all) => all.some((p) => p.payload?.toolCallId === "call-b1"));
    const first = push.received.find((p) => p.payload?.toolCallId === "call-b1")?.payload;

    // 1. The push reaches the service worker and is shown with its two actions.
    await deliverUntil(cdp, registrationId, first, () => shown(page), [
      { title: "Approval needed", body: "exec: touch one", tag: `${session}:approval`, actions: ["approve", "deny"] },
    ]);

    // 2. Approve answers the approval over HTTP: the tool runs.
    await click(worker, `${session}:approval`, "approve");
    await device.until(() => device.events().some((e) => e.type === "tool_result" && e.toolCallId === "call-b1"));
    const result = device.events().find((e) => e.type === "tool_result" && e.toolCallId === "call-b1");
    expect(result).toMatchObject({ ok: true });
    await expect.poll(() => shown(page), POLL).toEqual([]);

    // 3. A click on the body moves the app window to the session.
    await device.until(() => device.events().some((e) => e.type === "approval_request" && e.toolCallId === "call-b2"));
    await push.until((all) => all.some((p) => p.payload?.toolCallId === "call-b2"));
    const second = push.received.find((p) => p.payload?.toolCallId === "call-b2")?.payload;
    await deliverUntil(cdp, registrationId, second, async () => (await shown(page)).map((n) => n.body), [
      "exec: touch two",
    ]);
    await click(worker, `${session}:approval`, "");
    await page.waitForURL(`${server.url}/?s=${session}`);

    // 4. Signed out (the Access cookie gone), Approve cannot answer: it opens the session instead.
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.clearCookies();
    await deliverUntil(cdp, registrationId, second, async () => (await shown(page)).length, 1);
    await click(worker, `${session}:approval`, "approve");
    await page.waitForURL(`${server.url}/?s=${session}`);
    // The approval is still pending: the device's answer is the one that counts.
    device.send({ type: "tool_decision", toolCallId: "call-b2", approve: false });
    await device.until(() => device.events().some((e) => e.type === "tool_result" && e.toolCallId === "call-b2"));
    expect(device.events().find((e) => e.type === "tool_result" && e.toolCallId === "call-b2")).toMatchObject({
      ok: false,
    });
    expect(device.frames.some((f) => f.type === "error")).toBe(false);
    await device.close();
    await context.close();
  });
});
