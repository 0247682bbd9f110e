// The event log's kept reads (what a kept read returns always equals what the table holds, across appends),
// its record of edits and regenerates, and its frames.

import { env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { EventLog } from "../../../objects/session/event-log";
import type { EventType } from "../../../protocol/frames";

const inObject = <R>(fn: (state: DurableObjectState) => R | Promise<R>) =>
  runInDurableObject(env.SESSION.getByName(`log-${crypto.randomUUID()}`), (_o, state) => fn(state));

describe("event log kept reads", () => {
  it("follows the appends of its types, lets go of what is before a later start, and reads again for an earlier one", async () => {
    await inObject((state) => {
      const log = new EventLog(drizzle(state.storage));
      const types: EventType[] = ["user_message", "turn_end"];
      // Another instance over the same table reads it fresh every time: the truth to compare against.
      const fresh = () => new EventLog(drizzle(state.storage));
      log.append("user_message", { id: "a", text: "one", user: "u@example.com" }, "a");
      log.append("notice", { topic: "t", text: "not kept" });
      expect(log.allOf(types, 0, { keep: true })).toEqual(fresh().allOf(types, 0));
      log.append("turn_start", { turnId: "t1", model: "m" });
      log.append("turn_end", { turnId: "t1", reason: "done" });
      log.append("user_message", { id: "b", text: "two", user: "u@example.com" }, "b");
      const kept = log.allOf(types, 0, { keep: true });
      expect(kept.map((e) => e.type)).toEqual(["user_message", "turn_end", "user_message"]);
      expect(kept).toEqual(fresh().allOf(types, 0));
      // A caller changing the array it got does not change what is kept.
      kept.length = 0;
      expect(log.allOf(types, 0, { keep: true })).toEqual(fresh().allOf(types, 0));
      // A later start (a compaction moved the context on): only what follows it.
      expect(log.allOf(types, 3, { keep: true })).toEqual(fresh().allOf(types, 3));
      log.append("turn_end", { turnId: "t2", reason: "done" });
      expect(log.allOf(types, 3, { keep: true })).toEqual(fresh().allOf(types, 3));
      // An earlier start than the kept one reads the table again.
      expect(log.allOf(types, 0, { keep: true })).toEqual(fresh().allOf(types, 0));
      expect(log.allOf(types, 0, { keep: true })).toHaveLength(4);
    });
  });

  it("knows whether a message was edited or an answer regenerated, from the table and from its appends", async () => {
    await inObject((state) => {
      const log = new EventLog(drizzle(state.storage));
      const fresh = () => new EventLog(drizzle(state.storage));
      log.append("user_message", { id: "a", text: "one", user: "u@example.com" }, "a");
      expect(log.hasRevisions()).toBe(false);
      log.append("user_message", { id: "b", text: "one, edited", user: "u@example.com", editOf: "a" }, "b");
      expect(log.hasRevisions()).toBe(true);
      expect(fresh().hasRevisions()).toBe(true);
    });
    await inObject((state) => {
      const log = new EventLog(drizzle(state.storage));
      expect(log.hasRevisions()).toBe(false);
      log.append("regenerate", { turnId: "t1", user: "u@example.com" }, "r");
      expect(log.hasRevisions()).toBe(true);
      expect(new EventLog(drizzle(state.storage)).hasRevisions()).toBe(true);
    });
  });

  it("records an event with its frame: the same frame a replay sends, parsing to the event", async () => {
    await inObject((state) => {
      const log = new EventLog(drizzle(state.storage));
      const { event, frame } = log.record("user_message", { id: "a", text: 'hé "quoted"', user: "u@example.com" }, "a");
      expect(JSON.parse(frame)).toEqual(event);
      expect(frame).toBe(log.framesAfter(0)[0]?.frame);
      const empty = log.record("turn_start", { turnId: "t", model: "m" });
      expect(JSON.parse(empty.frame)).toEqual({
        type: "turn_start",
        turnId: "t",
        model: "m",
        seq: 2,
        at: empty.event.at,
      });
    });
  });
});
