// Cron expressions in time zones (croner), across daylight saving changes, and the task store's use of them.

import { env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { parseCron } from "../../../../objects/session/tasks/cron";
import { TaskStore } from "../../../../objects/session/tasks/task-store";

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
const next = (expression: string, timeZone: string, after: number) => iso(parseCron(expression, timeZone).next(after));

/** Every run in [from, to), each found from the one before, as the scheduler does. */
function runs(expression: string, timeZone: string, from: string, to: string): string[] {
  const schedule = parseCron(expression, timeZone);
  const out: string[] = [];
  for (let at = schedule.next(Date.parse(from) - 1); at !== null && at < Date.parse(to); at = schedule.next(at))
    out.push(new Date(at).toISOString());
  return out;
}

describe("cron", () => {
  it("finds the next run in UTC and in a time zone", () => {
    const start = Date.UTC(2026, 10, 24, 10, 30); // Tue 24 Nov 2026 10:30 UTC
    expect(next("0 9 * * *", "UTC", start)).toBe("2026-11-25T09:00:00.000Z");
    expect(next("*/15 * * * *", "UTC", start)).toBe("2026-11-24T10:45:00.000Z");
    // 09:00 in Paris (UTC+1 in November) is 08:00 UTC.
    expect(next("0 9 * * 1-5", "Europe/Paris", start)).toBe("2026-11-25T08:00:00.000Z");
    // Mondays at 07:30 in New York (UTC-5).
    expect(next("30 7 * * 1", "America/New_York", start)).toBe("2026-11-30T12:30:00.000Z");
    expect(next("0 0 1 1 *", "UTC", start)).toBe("2027-01-01T00:00:00.000Z");
    // Strictly after, on whole minutes.
    expect(next("* * * * *", "UTC", start)).toBe("2026-11-24T10:31:00.000Z");
    expect(next("* * * * *", "UTC", start + 15_000)).toBe("2026-11-24T10:31:00.000Z");
  });

  it("reads day and month names, L, W and #, nicknames and Sunday as 7", () => {
    const friday = Date.UTC(2026, 10, 27, 10); // Fri 27 Nov 2026 10:00 UTC
    expect(runs("0 9 * * MON-FRI", "Europe/Paris", "2026-11-27T10:00Z", "2026-12-03T00:00Z")).toEqual([
      "2026-11-30T08:00:00.000Z",
      "2026-12-01T08:00:00.000Z",
      "2026-12-02T08:00:00.000Z",
    ]);
    expect(next("0 9 * * sat,sun", "UTC", friday)).toBe("2026-11-28T09:00:00.000Z");
    expect(next("0 9 * * 7", "UTC", friday)).toBe("2026-11-29T09:00:00.000Z");
    expect(next("0 9 1 JAN-MAR *", "UTC", friday)).toBe("2027-01-01T09:00:00.000Z");
    expect(next("0 9 L * *", "UTC", friday)).toBe("2026-11-30T09:00:00.000Z"); // last day of the month
    expect(next("0 9 15W * *", "UTC", friday)).toBe("2026-12-15T09:00:00.000Z"); // weekday nearest the 15th
    expect(next("0 9 * * FRI#2", "UTC", friday)).toBe("2026-12-11T09:00:00.000Z"); // second Friday
    expect(next("@daily", "UTC", friday)).toBe("2026-11-28T00:00:00.000Z");
    expect(next("@hourly", "UTC", friday)).toBe("2026-11-27T11:00:00.000Z");
    expect(next("@weekly", "UTC", friday)).toBe("2026-11-29T00:00:00.000Z");
    expect(next("@monthly", "America/New_York", friday)).toBe("2026-12-01T05:00:00.000Z");
    expect(next("@yearly", "UTC", friday)).toBe("2027-01-01T00:00:00.000Z");
    // Day of month and day of week both restricted: either matches, as in Vixie cron.
    expect(runs("0 0 13 * 5", "UTC", "2026-11-01T00:00Z", "2026-11-21T00:00Z")).toEqual([
      "2026-11-06T00:00:00.000Z",
      "2026-11-13T00:00:00.000Z",
      "2026-11-20T00:00:00.000Z",
    ]);
  });

  it("runs a time that does not exist that day once, right after the jump", () => {
    // 2026-03-08 in New York: 02:00 EST becomes 03:00 EDT, so 02:30 never happens that day.
    expect(runs("30 2 * * *", "America/New_York", "2026-03-07T00:00Z", "2026-03-10T00:00Z")).toEqual([
      "2026-03-07T07:30:00.000Z", // 02:30 EST
      "2026-03-08T07:00:00.000Z", // 03:00 EDT, the first minute after the jump
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
    ]);
    // 2026-03-29 in Paris: 02:00 CET becomes 03:00 CEST; a list of fixed times behaves the same.
    expect(runs("15 2,14 * * *", "Europe/Paris", "2026-03-29T00:00Z", "2026-03-30T00:00Z")).toEqual([
      "2026-03-29T01:00:00.000Z", // 03:00 CEST
      "2026-03-29T12:15:00.000Z", // 14:15 CEST
    ]);
    // A gap at midnight (Santiago, 2026-09-06 00:00 becomes 01:00): the day is not skipped.
    expect(runs("0 0 * * *", "America/Santiago", "2026-09-05T00:00Z", "2026-09-08T00:00Z")).toEqual([
      "2026-09-05T04:00:00.000Z",
      "2026-09-06T04:00:00.000Z", // 01:00 -03, right after the jump
      "2026-09-07T03:00:00.000Z",
    ]);
  });

  it("runs a time that happens twice once, at its first occurrence", () => {
    // 2026-11-01 in New York: 02:00 EDT becomes 01:00 EST, so 01:30 happens at 05:30Z and at 06:30Z.
    expect(runs("30 1 * * *", "America/New_York", "2026-10-31T00:00Z", "2026-11-03T00:00Z")).toEqual([
      "2026-10-31T05:30:00.000Z",
      "2026-11-01T05:30:00.000Z", // 01:30 EDT only
      "2026-11-02T06:30:00.000Z",
    ]);
    // Asked from the first occurrence, the next run is the next day, not the repeat an hour later.
    expect(next("30 1 * * *", "America/New_York", Date.parse("2026-11-01T05:30Z"))).toBe("2026-11-02T06:30:00.000Z");
    // A list of fixed minutes is fixed-time too (a step would make it an interval job).
    expect(runs("0,20,40 1 * * *", "America/New_York", "2026-11-01T00:00Z", "2026-11-02T00:00Z")).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:20:00.000Z",
      "2026-11-01T05:40:00.000Z",
    ]);
  });

  it("keeps interval jobs on real time across both changes", () => {
    // Every 30 minutes: no run is lost or doubled; the clock's missing hour is simply not there.
    expect(runs("*/30 * * * *", "America/New_York", "2026-03-08T06:00Z", "2026-03-08T08:00Z")).toEqual([
      "2026-03-08T06:00:00.000Z", // 01:00 EST
      "2026-03-08T06:30:00.000Z", // 01:30 EST
      "2026-03-08T07:00:00.000Z", // 03:00 EDT
      "2026-03-08T07:30:00.000Z",
    ]);
    expect(runs("*/30 * * * *", "America/New_York", "2026-11-01T05:00Z", "2026-11-01T07:00Z")).toEqual([
      "2026-11-01T05:00:00.000Z", // 01:00 EDT
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:00:00.000Z", // 01:00 EST
      "2026-11-01T06:30:00.000Z",
    ]);
  });

  it("refuses malformed expressions with a clear message", () => {
    for (const bad of [
      "* * * *",
      "61 * * * *",
      "* 24 * * *",
      "*/0 * * * *",
      "a b c d e",
      "1-x * * * *",
      "1,,2 * * * *",
      "5-1 * * * *",
      "0 9 * * MONDAY",
      "0 0 * * * *", // six fields (seconds) are not taken
      "0 0 1 1 * 2027",
      "2026-12-01T10:00:00",
      "1:2 * * * *",
      "@reboot",
      "@sometimes",
      "",
    ])
      expect(() => parseCron(bad), bad).toThrow(/cron expression/);
    expect(() => parseCron("1-x * * * *")).toThrow('invalid cron expression "1-x * * * *": ');
    expect(() => parseCron("61 * * * *")).toThrow(/minute/);
  });

  it("finds no run for an expression that never matches", () => {
    expect(next("0 0 30 2 *", "UTC", Date.UTC(2026, 0, 1))).toBeNull();
  });
});

describe("task store with cron", () => {
  it("schedules across daylight saving, refuses bad or impossible expressions, and survives an old one", async () => {
    const stub = env.SESSION.getByName(`cron-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_object, state) => {
      const db = drizzle(state.storage);
      const store = new TaskStore(db);
      const now = Date.parse("2026-03-07T12:00Z");
      const input = { prompt: "brief", cron: "30 2 * * *", timeZone: "America/New_York", createdBy: "u" };
      const task = store.create(input, now);
      expect(iso(task.nextRunAt)).toBe("2026-03-08T07:00:00.000Z");
      store.ran(task, Date.parse("2026-03-08T07:00:05Z"));
      expect(iso(store.nextDue())).toBe("2026-03-09T06:30:00.000Z");

      const weekdays = store.create({ ...input, cron: " 0 9 * * MON-FRI " }, now);
      expect(weekdays.cron).toBe("0 9 * * MON-FRI");
      expect(iso(weekdays.nextRunAt)).toBe("2026-03-09T13:00:00.000Z");
      expect(store.create({ ...input, cron: "@daily" }, now).nextRunAt).toBe(Date.parse("2026-03-08T05:00Z"));

      for (const cron of ["1-x * * * *", "", "0 0 30 2 *"])
        expect(() => store.create({ ...input, cron }, now), cron).toThrow(/cron expression/);
      expect(store.list()).toHaveLength(3);

      // An expression an older parser stored and croner refuses: the alarm does not fail, the task stops.
      state.storage.sql.exec("UPDATE tasks SET cron = '1,,2 * * * *' WHERE id = ?", task.id);
      const stored = store.list().find((t) => t.id === task.id);
      expect(stored?.cron).toBe("1,,2 * * * *");
      if (stored) store.ran(stored, Date.parse("2026-03-09T06:30:05Z"));
      expect(store.list().find((t) => t.id === task.id)?.nextRunAt).toBeNull();
    });
  });
});
