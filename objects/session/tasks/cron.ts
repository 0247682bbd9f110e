// Cron expressions (five fields, or a nickname such as @daily) evaluated in an IANA time zone by croner.
//
// Daylight saving time: a job at a fixed wall time (no `*` or step in its minute and hour fields) whose
// time does not exist that day (spring forward) runs once, right after the jump; one whose time happens
// twice (fall back) runs once, at the first occurrence. Interval jobs (`*/15 * * * *`) keep their rhythm
// in real time: they skip the missing hour and run through the repeated one.

import { Cron } from "croner";

/** A cron expression read in a time zone. */
export interface CronSchedule {
  /** The first run strictly after `after` (epoch ms), or null when the expression never matches again. */
  next(after: number): number | null;
}

const FIELDS = "a cron expression has five fields (minute hour day month weekday) or is a nickname such as @daily";

/** Parses an expression; throws an Error whose message is meant for the user. */
export function parseCron(expression: string, timeZone = "UTC"): CronSchedule {
  const text = expression.trim();
  // croner reads a string with ":" as a one-off date and accepts six or seven fields (seconds, years).
  const shape = text.startsWith("@") ? /^@[a-z]+$/i.test(text) : text.split(/\s+/).length === 5 && !text.includes(":");
  if (!shape) throw new Error(FIELDS);
  let cron: Cron;
  try {
    cron = new Cron(text, { timezone: timeZone, paused: true, mode: "5-part", fixedTimeRule: "no-wildcard" });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^\w+: /, "") : String(error);
    throw new Error(`invalid cron expression "${text}": ${reason}`);
  }
  return { next: (after) => cron.nextRun(new Date(after))?.getTime() ?? null };
}
