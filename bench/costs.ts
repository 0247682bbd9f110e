// The costs of a turn that issue 22 profiles, by the source file of our nearest function on the stack:
// each CPU sample of the session, usage and directory objects is charged to one of them.

/** A cost of the turn and the files whose functions make it up (the first match wins). */
const COSTS: [string, RegExp][] = [
  ["schema migration (a new object's tables)", /^objects\/shared\/migrate\.ts|^migrations\//],
  ["usage object: admission, settlement, running-turn marks", /^objects\/usage\//],
  ["meter: admission and settlement calls, ledger row", /^objects\/session\/agent\/(meter|settlements)\.ts/],
  ["event log: storing and reading events", /^objects\/session\/event-log\.ts/],
  ["session meta (owner, title, queue mode)", /^objects\/session\/meta-store\.ts/],
  ["auto title (session and both directories)", /^objects\/session\/auto-title\.ts|^objects\/directory\//],
  ["fan-out and presence", /^objects\/session\/devices\.ts|^node_modules\/partyserver\//],
  ["delta coalescing timers", /^objects\/session\/agent\/delta-buffer\.ts/],
  [
    "replay and frame handling (hello, parse, rate limit)",
    /^objects\/session\/(frame-handler|rate-limit)\.ts|^protocol\//,
  ],
  [
    "turn bookkeeping (queue, heartbeat alarm, think level)",
    /^objects\/session\/(agent\/(turn-store|turn-controller|think-level)|tasks\/)/,
  ],
  [
    "context and prompt (transcript → messages, tools)",
    /^objects\/session\/(agent\/context|turn-wiring)|^agent\/tools\//,
  ],
  [
    "model call (request, stream parsing)",
    /^agent\/(providers|pricing)\/|^objects\/session\/agent\/(model-call|turn-runner)\.ts/,
  ],
  ["edge: auth, routes, session creation", /^worker\//],
  ["session object shell", /^objects\/(session\/session-object|shared)\//],
];

/** The cost a "name file:line" key of the "ours" profile view belongs to, or "other". */
export function costOf(key: string): string {
  const file = key.split(" ").at(-1)?.replace(/:\d+$/, "") ?? "";
  return COSTS.find(([, pattern]) => pattern.test(file))?.[0] ?? "other (runtime, GC, idle excluded)";
}

/** Self milliseconds summed per cost, largest first (idle time left out). */
export function byCost(lines: { name: string; selfMs: number }[]): [string, number][] {
  const sums = new Map<string, number>();
  for (const line of lines) {
    if (line.name.startsWith("(idle)")) continue;
    const cost = costOf(line.name);
    sums.set(cost, (sums.get(cost) ?? 0) + line.selfMs);
  }
  return [...sums.entries()].sort((a, b) => b[1] - a[1]);
}
