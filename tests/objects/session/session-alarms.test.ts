// A session's times booked with its one alarm: the turn heartbeat, then the idle snapshot, and token expiry of sockets.

import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deviceState } from "../../../objects/session/devices";
import type { SessionObject } from "../../../objects/session/session-object";
import { SESSION_ALARMS } from "../../../objects/session/tasks/scheduler";
import { AlarmMultiplexer } from "../../../objects/shared/alarms";
import { CLOSE_TOKEN_EXPIRED } from "../../../protocol/frames";
import { createSession, join, login } from "../../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));

const bookings = (id: string) =>
  runInDurableObject(env.SESSION.getByName(id), async (_o, state) => ({
    booked: Object.fromEntries(new AlarmMultiplexer(state.storage).bookings()),
    alarm: await state.storage.getAlarm(),
  }));

/** The `exp` claim of a token (seconds). */
function tokenExp(token: string): number {
  const payload: unknown = JSON.parse(atob((token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")));
  const exp = typeof payload === "object" && payload !== null ? Reflect.get(payload, "exp") : undefined;
  if (typeof exp !== "number") throw new Error("token without exp");
  return exp;
}

describe("session alarms", () => {
  it("books the heartbeat while a turn runs and the idle snapshot when it ends, in storage", async () => {
    const t = `t-${crypto.randomUUID()}`;
    await fetch(`${FAKE}/__script`, {
      method: "POST",
      body: JSON.stringify({ match: t, steps: [{ kind: "stall", chunks: ["thinking"], stallMs: 60_000 }] }),
    });
    const token = await login(`alarms-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const device = await join(id, token);
    device.send({ type: "user_message", id: "1", text: `stall ${t}` });
    await device.waitFor("assistant_delta");
    const running = await bookings(id);
    expect(running.booked[SESSION_ALARMS.heartbeat]).toBeGreaterThan(Date.now());
    expect(running.booked[SESSION_ALARMS.idleSnapshot]).toBeUndefined();
    expect(running.alarm).toBe(Math.min(...Object.values(running.booked)));

    device.send({ type: "cancel" });
    await device.waitFor("turn_end");
    const ended = await bookings(id);
    expect(ended.booked[SESSION_ALARMS.heartbeat]).toBeUndefined();
    expect(ended.booked[SESSION_ALARMS.idleSnapshot]).toBeGreaterThan(Date.now());
    expect(ended.alarm).toBe(Math.min(...Object.values(ended.booked)));
  });

  it("closes a socket when its token expires, from the alarm, without a frame from it", async () => {
    const token = await login(`expiry-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const device = await join(id, token);
    const stub = env.SESSION.getByName(id);
    expect((await bookings(id)).booked[SESSION_ALARMS.tokenExpiry]).toBe(tokenExp(token) * 1000);

    // Time passes: the socket's token is now expired and its booking due.
    await runInDurableObject(stub, async (object: SessionObject, state) => {
      for (const connection of object.getConnections()) {
        const current = deviceState(connection);
        if (current) connection.setState({ ...current, exp: Math.floor(Date.now() / 1000) - 1 });
      }
      new AlarmMultiplexer(state.storage).book(SESSION_ALARMS.tokenExpiry, Date.now() - 1);
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await device.until(() => device.closed !== null);
    expect(device.closed?.code).toBe(CLOSE_TOKEN_EXPIRED);
    expect(device.of("error").at(-1)?.code).toBe("token_expired");
  });
});
