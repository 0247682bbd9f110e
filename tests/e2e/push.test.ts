// Web Push end to end: wrangler dev pushes to a local push service that decrypts (RFC 8291) and checks VAPID.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../devtools/demo-model/server.ts";
import { call, Device, login, newSession } from "./helpers/client.ts";
import { type DevServer, startDevServer } from "./helpers/dev-server.ts";
import { type PushService, pushDevVars, startPushService, vapidKeys } from "./helpers/push-service.ts";

const vapid = vapidKeys();

describe("Web Push over wrangler dev", () => {
  let server: DevServer;
  let llm: FakeLlm;
  let push: PushService;
  beforeAll(async () => {
    llm = await startFakeLlm();
    push = await startPushService(vapid.VAPID_PUBLIC_KEY);
    server = await startDevServer({ vars: pushDevVars(llm.url, vapid, 120) });
  });
  afterAll(async () => {
    await server?.stop();
    await push?.close();
    await llm?.close();
  });

  async function subscribe(token: string, name: string): Promise<string> {
    const response = await call(server.url, "/api/push/subscriptions", token, {
      method: "POST",
      body: JSON.stringify({ ...push.subscribe(name), deviceName: `${name} phone` }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  async function taskNow(token: string, session: string, prompt: string): Promise<void> {
    const response = await call(server.url, `/api/sessions/${session}/tasks`, token, {
      method: "POST",
      body: JSON.stringify({ prompt, at: Date.now() }),
    });
    expect(response.status).toBe(201);
  }

  const pushesTo = (name: string) => push.received.filter((p) => p.name === name);

  it("pushes an approval once with the command when no device is connected, and the task's result", async () => {
    const alice = await login(server.url, "alice-push@example.com");
    const bob = await login(server.url, "bob-push@example.com");
    const aliceSub = await subscribe(alice, "alice");
    await subscribe(bob, "bob");
    const session = await newSession(server.url, alice);
    llm.script({
      match: "clean the build",
      steps: [
        {
          kind: "tools",
          calls: [
            { id: "call-clean", name: "exec", args: JSON.stringify({ command: "rm -rf build && echo cleaned" }) },
          ],
        },
        { kind: "text", chunks: ["Build directory removed."] },
      ],
    });
    await taskNow(alice, session, "clean the build please");

    await push.until(() => pushesTo("alice").some((p) => p.payload?.kind === "approval"));
    const approval = pushesTo("alice").find((p) => p.payload?.kind === "approval");
    expect(approval?.payload).toMatchObject({
      v: 1,
      kind: "approval",
      sessionId: session,
      title: "Approval needed",
      body: "exec: rm -rf build && echo cleaned",
      toolCallId: "call-clean",
      tag: `${session}:approval`,
    });
    expect(approval?.headers.urgency).toBe("high");
    expect(approval?.headers.topic).toBe(`${session}-ap`);
    expect(Number(approval?.headers.ttl)).toBeGreaterThan(60);
    expect(Number(approval?.headers.ttl)).toBeLessThanOrEqual(120);
    expect(approval?.claims.sub).toBe(vapid.VAPID_SUBJECT);
    expect(approval?.bodyBytes).toBeLessThan(1024);

    // Answered through the HTTP twin of tool_decision; a second answer finds nothing pending.
    const approved = await call(server.url, `/api/sessions/${session}/approvals/call-clean`, alice, {
      method: "POST",
      body: JSON.stringify({ approve: true }),
    });
    expect(approved.status).toBe(200);
    await push.until(() => pushesTo("alice").some((p) => p.payload?.kind === "task_result"));
    const again = await call(server.url, `/api/sessions/${session}/approvals/call-clean`, alice, {
      method: "POST",
      body: JSON.stringify({ approve: true }),
    });
    expect(again.status).toBe(404);
    const result = pushesTo("alice").find((p) => p.payload?.kind === "task_result");
    expect(result?.payload).toMatchObject({
      sessionId: session,
      title: "Scheduled task done",
      body: "Build directory removed.",
    });
    expect(result?.headers.topic).toBe(`${session}-tr`);
    expect(pushesTo("alice").filter((p) => p.payload?.kind === "approval")).toHaveLength(1);
    // The tool's output never travels in a push.
    expect(pushesTo("alice").some((p) => JSON.stringify(p.payload).includes("cleaned\n"))).toBe(false);
    expect(pushesTo("bob")).toHaveLength(0);

    const list = (await (await call(server.url, "/api/push/subscriptions", alice)).json()) as {
      subscriptions: { id: string; deviceName: string; lastPushAt: number | null }[];
    };
    expect(list.subscriptions).toHaveLength(1);
    expect(list.subscriptions[0]).toMatchObject({ id: aliceSub, deviceName: "alice phone" });
    expect(list.subscriptions[0]?.lastPushAt).toBeTypeOf("number");
  });

  it("does not push an approval while a device of the user is connected to the session", async () => {
    const carol = await login(server.url, "carol-push@example.com");
    await subscribe(carol, "carol");
    const session = await newSession(server.url, carol);
    llm.script({
      match: "list the files",
      steps: [
        { kind: "tools", calls: [{ id: "call-ls", name: "exec", args: JSON.stringify({ command: "ls" }) }] },
        { kind: "text", chunks: ["Listed."] },
      ],
    });
    const device = await Device.open(server.url, session, carol);
    await device.hello();
    device.send({ type: "user_message", id: "u1", text: "list the files" });
    await device.until(() => device.events().some((e) => e.type === "approval_request"));
    device.send({ type: "tool_decision", toolCallId: "call-ls", approve: true });
    await device.settle();
    await device.close();

    // With the device gone, the next event (a task's result) is pushed: it is the only push carol got.
    await taskNow(carol, session, "say hello");
    await push.until(() => pushesTo("carol").length > 0);
    expect(pushesTo("carol").map((p) => p.payload?.kind)).toEqual(["task_result"]);
  });

  it("deletes a subscription the push service reports gone (410), and retries a 503", async () => {
    const dan = await login(server.url, "dan-push@example.com");
    await subscribe(dan, "dan-gone");
    await subscribe(dan, "dan-busy");
    push.answer("dan-gone", 410);
    push.answer("dan-busy", 503);
    const session = await newSession(server.url, dan);
    await taskNow(dan, session, "anything");
    await push.until(() => pushesTo("dan-busy").filter((p) => p.status === 201).length === 1);
    expect(pushesTo("dan-busy").map((p) => p.status)).toEqual([503, 201]);
    expect(pushesTo("dan-gone").map((p) => p.status)).toEqual([410]);
    const list = (await (await call(server.url, "/api/push/subscriptions", dan)).json()) as {
      subscriptions: { deviceName: string }[];
    };
    expect(list.subscriptions.map((s) => s.deviceName)).toEqual(["dan-busy phone"]);
  });

  it("keeps each user's subscriptions and approvals to themselves", async () => {
    const erin = await login(server.url, "erin-push@example.com");
    const frank = await login(server.url, "frank-push@example.com");
    const erinSub = await subscribe(erin, "erin");
    const deleteOther = await call(server.url, `/api/push/subscriptions/${erinSub}`, frank, { method: "DELETE" });
    expect(deleteOther.status).toBe(404);
    const frankList = (await (await call(server.url, "/api/push/subscriptions", frank)).json()) as {
      subscriptions: unknown[];
    };
    expect(frankList.subscriptions).toEqual([]);
    const session = await newSession(server.url, erin);
    const foreign = await call(server.url, `/api/sessions/${session}/approvals/x`, frank, {
      method: "POST",
      body: JSON.stringify({ approve: true }),
    });
    expect(foreign.status).toBe(404);
    // Frank's task result goes to nobody (he has no subscription), Erin's to Erin only.
    const frankSession = await newSession(server.url, frank);
    await taskNow(frank, frankSession, "frank's task");
    await taskNow(erin, session, "erin's task");
    await push.until(() => pushesTo("erin").length > 0);
    expect(pushesTo("erin").map((p) => p.payload?.sessionId)).toEqual([session]);
  });

  it("refuses bad subscriptions with JSON errors, storing nothing, and keeps at most 20", async () => {
    const gina = await login(server.url, "gina-push@example.com");
    const post = (body: string) => call(server.url, "/api/push/subscriptions", gina, { method: "POST", body });
    const good = push.subscribe("gina-0");
    const refusals = [
      ["{", "invalid_json"],
      [JSON.stringify({ ...good, endpoint: "http://push.example.com/x" }), "bad_request"],
      [JSON.stringify({ ...good, endpoint: "https://10.0.0.1/x" }), "bad_request"],
      [JSON.stringify({ ...good, keys: { p256dh: "AAAA", auth: good.keys.auth } }), "bad_request"],
    ] as const;
    for (const [body, code] of refusals) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const list = async () =>
      ((await (await call(server.url, "/api/push/subscriptions", gina)).json()) as { subscriptions: unknown[] })
        .subscriptions;
    expect(await list()).toEqual([]);
    for (let i = 0; i < 20; i++) expect((await post(JSON.stringify(push.subscribe(`gina-${i}`)))).status).toBe(201);
    const extra = await post(JSON.stringify(push.subscribe("gina-20")));
    expect(extra.status).toBe(409);
    expect(await list()).toHaveLength(20);
  });
});
