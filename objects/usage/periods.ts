// Budget periods in UTC: the day and the month a time falls in, and when each resets.

export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export function monthOf(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}

/** The next UTC midnight after `at`. */
export function nextDay(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/** The first instant of the next UTC month after `at`. */
export function nextMonth(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function startOfDay(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

export function startOfMonth(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
