// End to end against `wrangler dev`: real sockets from Node, several devices, resume, and a server restart.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../devtools/demo-model/server.ts";
import { PING_FRAME, PONG_FRAME } from "../../protocol/frames.ts";
import { call, Device, login, newSession, upgradeStatus } from "./helpers/client.ts";
import { type DevServer, startDevServer } from "./helpers/dev-server.ts";

describe("live session over wrangler dev", () => {
  let server: DevServer;
  let llm: FakeLlm;
  const vars = () => ({ OPENAI_BASE_URL: `${llm.url}/v1`, LLM_MODEL: "fake-model", LLM_FREE_MODELS: "fake-model" });
  beforeAll(async () => {
    llm = await startFakeLlm();
    server = await startDevServer({ vars: vars() });
  });
  afterAll(async () => {
    await server?.stop();
    await llm?.close();
  });

  it("fans one session out to three devices in the same gapless order", async () => {
    const token = await login(server.url, "e2e@example.com");
    const id = await newSession(server.url, token);
    const devices = await Promise.all([0, 1, 2].map(() => Device.open(server.url, id, token)));
    await Promise.all(devices.map((d) => d.hello()));
    for (let i = 0; i < 30; i++) devices[i % 3]?.send({ type: "user_message", id: `m${i}`, text: `message ${i}` });
    await Promise.all(devices.map((d) => d.until(() => d.users().length === 30)));
    await Promise.all(devices.map((d) => d.settle()));
    const reference = devices[0]?.events() ?? [];
    expect(reference.map((e) => e.seq)).toEqual(Array.from({ length: reference.length }, (_, i) => i + 1));
    for (const device of devices) expect(device.events()).toEqual(reference);
    expect(reference.some((e) => e.type === "assistant_delta")).toBe(true);
    await Promise.all(devices.map((d) => d.close()));
  });

  it("resumes from lastSeq with nothing lost or doubled, and stores a repeated id once", async () => {
    const token = await login(server.url, "resume-e2e@example.com");
    const id = await newSession(server.url, token);
    const a = await Device.open(server.url, id, token);
    const b = await Device.open(server.url, id, token);
    await Promise.all([a.hello(), b.hello()]);
    a.send({ type: "user_message", id: "x1", text: "one" });
    await b.settle();
    const lastSeen = b.events().at(-1)?.seq ?? 0;
    await b.close();
    a.send({ type: "user_message", id: "x2", text: "two" });
    a.send({ type: "user_message", id: "x2", text: "two again" });
    a.send({ type: "user_message", id: "x3", text: "three" });
    await a.until(() => a.users().length === 3 && a.frames.some((f) => f.type === "duplicate"));
    await a.settle();
    const back = await Device.open(server.url, id, token);
    await back.hello(lastSeen);
    expect(back.events()).toEqual(a.events().filter((e) => e.seq > lastSeen));
    const transcript = (await (await call(server.url, `/api/sessions/${id}/messages`, token)).json()) as {
      messages: { type: string; text: string }[];
    };
    expect(transcript.messages.filter((m) => m.type === "user_message").map((m) => m.text)).toEqual([
      "one",
      "two",
      "three",
    ]);
    await Promise.all([a.close(), back.close()]);
  });

  it("answers the keep-alive ping without an event", async () => {
    const token = await login(server.url, "ping@example.com");
    const id = await newSession(server.url, token);
    const device = await Device.open(server.url, id, token);
    await device.hello();
    device.ws.send(PING_FRAME);
    await device.until(() => device.frames.some((f) => f.type === "pong"));
    expect(device.frames.filter((f) => JSON.stringify(f) === PONG_FRAME)).toHaveLength(1);
    expect(device.events()).toEqual([]);
    await device.close();
  });

  it("keeps the transcript across a dev server restart", async () => {
    const token = await login(server.url, "restart@example.com");
    const id = await newSession(server.url, token);
    const device = await Device.open(server.url, id, token);
    await device.hello();
    device.send({ type: "user_message", id: "keep", text: "survive the restart" });
    await device.settle();
    const before = device.events();
    await device.close();
    await server.stop();
    server = await startDevServer({ persistDir: server.persistDir, vars: vars() });
    // The dev issuer's key is kept in its storage too, so the old token still verifies.
    const after = await Device.open(server.url, id, token);
    await after.hello();
    expect(after.events()).toEqual(before);
    after.send({ type: "user_message", id: "next", text: "and go on" });
    await after.until(() => after.users().length === 2);
    expect(after.users().at(-1)?.seq).toBe((before.at(-1)?.seq ?? 0) + 1);
    await after.close();
  });

  it("refuses unauthenticated and foreign-origin upgrades before the socket opens", async () => {
    const token = await login(server.url, "edge@example.com");
    const id = await newSession(server.url, token);
    const path = `/api/sessions/${id}/ws`;
    expect(await upgradeStatus(server.url, path, { origin: server.url })).toBe(401);
    expect(await upgradeStatus(server.url, path, { "cf-access-jwt-assertion": "x.y.z", origin: server.url })).toBe(401);
    const foreign = { "cf-access-jwt-assertion": token, origin: "https://evil.example" };
    expect(await upgradeStatus(server.url, path, foreign)).toBe(403);
    const other = await login(server.url, "other@example.com");
    expect(await upgradeStatus(server.url, path, { "cf-access-jwt-assertion": other, origin: server.url })).toBe(404);
    expect(await upgradeStatus(server.url, path, { "cf-access-jwt-assertion": token, origin: server.url })).toBe(101);
  });
});
