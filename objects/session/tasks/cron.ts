// Five-field cron expressions (minute hour day-of-month month day-of-week) evaluated in an IANA time zone.

export interface Cron {
  minute: Set<number>;
  hour: Set<number>;
  day: Set<number>;
  month: Set<number>;
  weekday: Set<number>;
  /** Whether day-of-month and day-of-week were both restricted (then either may match, as in Vixie cron). */
  dayOr: boolean;
}

const RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

function field(text: string, [min, max]: [number, number], name: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in the ${name} field: ${part}`);
    let [from, to] = [min, max];
    if (range !== "*") {
      const [a, b] = range.split("-").map(Number);
      if (a === undefined || !Number.isInteger(a)) throw new Error(`bad value in the ${name} field: ${part}`);
      from = a;
      to = b === undefined ? (stepText === undefined ? a : max) : b;
    }
    if (from < min || to > max || from > to) throw new Error(`the ${name} field is out of range: ${part}`);
    for (let v = from; v <= to; v += step) out.add(name === "weekday" && v === 7 ? 0 : v);
  }
  return out;
}

export function parseCron(expression: string): Cron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error("a cron expression has five fields: minute hour day month weekday");
  const names = ["minute", "hour", "day", "month", "weekday"];
  const sets = parts.map((p, i) => field(p, i === 4 ? [0, 7] : (RANGES[i] ?? [0, 0]), names[i] ?? ""));
  const [minute, hour, day, month, weekday] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return { minute, hour, day, month, weekday, dayOr: parts[2] !== "*" && parts[4] !== "*" };
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Local calendar fields of an instant in a time zone. */
function local(at: number, format: Intl.DateTimeFormat) {
  const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour) % 24,
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: WEEKDAYS[parts.weekday ?? "Sun"] ?? 0,
  };
}

/** The first minute strictly after `after` that matches, searched up to a year ahead; null when none. */
export function nextRun(cron: Cron, timeZone: string, after: number): number | null {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    minute: "numeric",
    hour: "numeric",
    day: "numeric",
    month: "numeric",
    weekday: "short",
  });
  let at = Math.floor(after / 60_000) * 60_000 + 60_000;
  const limit = after + 366 * 24 * 60 * 60_000;
  while (at <= limit) {
    const t = local(at, format);
    const dayMatch = cron.dayOr
      ? cron.day.has(t.day) || cron.weekday.has(t.weekday)
      : cron.day.has(t.day) && cron.weekday.has(t.weekday);
    if (!cron.month.has(t.month) || !dayMatch) {
      at += 60 * 60_000 - (at % (60 * 60_000)) || 60 * 60_000;
      continue;
    }
    if (!cron.hour.has(t.hour)) {
      at += 60 * 60_000 - (at % (60 * 60_000)) || 60 * 60_000;
      continue;
    }
    if (cron.minute.has(t.minute)) return at;
    at += 60_000;
  }
  return null;
}
