// The session event sink: append, then fan-out, then after-hooks in order; a failing hook never loses the event.

import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/config";
import { EventLog } from "../../../objects/session/event-log";
import { sessionHooks } from "../../../objects/session/hooks";
import { MetaStore } from "../../../objects/session/meta-store";
import { SessionEvents } from "../../../objects/session/session-events";
import { AlarmMultiplexer } from "../../../objects/shared/alarms";
import type { SessionEvent } from "../../../protocol/frames";
import { api, createSession, login } from "../../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));

const inObject = <R>(fn: (state: DurableObjectState) => R | Promise<R>) =>
  runInDurableObject(env.SESSION.getByName(`sink-${crypto.randomUUID()}`), (_o, state) => fn(state));

describe("session event sink", () => {
  it("stores the event, sends it, then runs every hook in order, even after one throws", async () => {
    await inObject((state) => {
      const log = new EventLog(drizzle(state.storage));
      const trail: string[] = [];
      const warnings: string[] = [];
      const sink = new SessionEvents(
        {
          log,
          fanOut: (event) => trail.push(`sent ${event.seq} stored=${log.lastSeq === event.seq}`),
          warn: (msg, detail) => warnings.push(`${msg}: ${detail.hook} ${detail.error}`),
        },
        [
          { name: "one", after: (event) => void trail.push(`one ${event.type}`) },
          {
            name: "broken",
            after: () => {
              throw new Error("boom");
            },
          },
        ],
      );
      const remove = sink.register({ name: "two", after: (event) => void trail.push(`two ${event.seq}`) });
      const event = sink.emit("notice", { topic: "t", text: "hello" });
      expect(event).toMatchObject({ type: "notice", seq: 1, text: "hello" });
      expect(log.framesAfter(0, 10)).toHaveLength(1);
      expect(trail).toEqual(["sent 1 stored=true", "one notice", "two 1"]);
      expect(warnings).toEqual(["session hook failed: broken Error: boom"]);
      remove();
      sink.emit("notice", { topic: "t", text: "again" });
      expect(trail.slice(3)).toEqual(["sent 2 stored=true", "one notice"]);
    });
  });

  it("sends nothing and runs no hook for an event the log refuses", async () => {
    await inObject((state) => {
      const log = new EventLog(drizzle(state.storage));
      const seen: SessionEvent[] = [];
      const sink = new SessionEvents({ log, fanOut: (e) => void seen.push(e), warn: () => {} }, [
        { name: "spy", after: (e) => void seen.push(e) },
      ]);
      expect(() => sink.emit("notice", { topic: "t", text: "x".repeat(600 * 1024) })).toThrow();
      expect(seen).toEqual([]);
      expect(log.lastSeq).toBe(0);
    });
  });

  it("builds touch, auto title and push (only with push configured) for every session", async () => {
    await inObject((state) => {
      const db = drizzle(state.storage);
      const base = {
        env,
        identity: { id: "s", owner: "o@example.com" },
        log: new EventLog(db),
        meta: new MetaStore(db),
        alarms: new AlarmMultiplexer(state.storage),
        ownerHere: () => false,
        waitUntil: () => {},
      };
      const config = parseConfig({ DEV_AUTH: "1" });
      const names = (push: typeof config.push) =>
        sessionHooks({ ...base, config: { ...config, push } }).map((h) => h.name);
      expect(names(null)).toEqual(["touch", "auto-title"]);
      const push = {
        vapid: { publicKey: "p", privateKey: "k", subject: "mailto:a@example.com" },
        allowLoopbackHttp: true,
      };
      expect(names(push)).toEqual(["touch", "auto-title", "push"]);
    });
  });

  it("a scheduled task's message goes through the sink like a device's: the session is touched", async () => {
    const t = `t-${crypto.randomUUID()}`;
    await fetch(`${FAKE}/__script`, {
      method: "POST",
      body: JSON.stringify({ match: t, steps: [{ kind: "text", chunks: ["done"] }] }),
    });
    const token = await login(`sink-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token, "Named already");
    const created = await api(`/api/sessions/${id}/tasks`, token, {
      method: "POST",
      body: JSON.stringify({ prompt: `task ${t}`, cron: "0 9 * * *", timeZone: "UTC" }),
    });
    expect(created.status).toBe(201);
    const stub = env.SESSION.getByName(id);
    const before = await stub.getMeta();
    await runInDurableObject(stub, async (_o, state) => {
      state.storage.sql.exec("UPDATE tasks SET next_run_at = ?", Date.now() - 1000);
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await stub.getMeta();
    expect(after?.title).toBe("Named already");
    expect(after?.updatedAt).toBeGreaterThan(before?.updatedAt ?? Number.POSITIVE_INFINITY);
  });
});
