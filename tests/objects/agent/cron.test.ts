// Cron expressions in time zones.

import { describe, expect, it } from "vitest";
import { nextRun, parseCron } from "../../../objects/session/tasks/cron";

describe("cron", () => {
  it("finds the next run in UTC and in a time zone", () => {
    const start = Date.UTC(2026, 10, 24, 10, 30); // Tue 24 Nov 2026 10:30 UTC
    expect(new Date(nextRun(parseCron("0 9 * * *"), "UTC", start) ?? 0).toISOString()).toBe("2026-11-25T09:00:00.000Z");
    expect(new Date(nextRun(parseCron("*/15 * * * *"), "UTC", start) ?? 0).toISOString()).toBe(
      "2026-11-24T10:45:00.000Z",
    );
    // 09:00 in Paris (UTC+1 in November) is 08:00 UTC.
    expect(new Date(nextRun(parseCron("0 9 * * 1-5"), "Europe/Paris", start) ?? 0).toISOString()).toBe(
      "2026-11-25T08:00:00.000Z",
    );
    // Mondays at 07:30 in New York (UTC-5).
    expect(new Date(nextRun(parseCron("30 7 * * 1"), "America/New_York", start) ?? 0).toISOString()).toBe(
      "2026-11-30T12:30:00.000Z",
    );
    expect(new Date(nextRun(parseCron("0 0 1 1 *"), "UTC", start) ?? 0).toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("refuses malformed expressions", () => {
    for (const bad of ["* * * *", "61 * * * *", "* 24 * * *", "*/0 * * * *", "a b c d e"])
      expect(() => parseCron(bad)).toThrow();
  });
});
