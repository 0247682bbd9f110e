// The comparison scenarios, each run the same way on edgeclaw and on the Agents SDK peer (see fair.ts).

import type { FakeLlm } from "../devtools/demo-model/server.ts";
import { type BenchDevice, type BenchRoom, type BenchSystem, type Reopened, reopenMissing } from "./drivers.ts";
import { median, percentile } from "./stats.ts";

/** One measured figure: samples (ms unless the unit says otherwise). */
export interface Figure {
  scenario: string;
  unit: string;
  /** Higher is better (throughput) or lower is better (latency, memory). */
  higherIsBetter: boolean;
  samples: number[];
  /** A count worth reporting beside the figure (seq gaps, incomplete turns, events stored). */
  note?: string;
  /** Set when the system cannot do what the row measures (its samples are then left out): why. */
  unsupported?: string;
}

const at = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function openMany(system: BenchSystem, devices: number) {
  const room = await system.room();
  const list: BenchDevice[] = [];
  for (let i = 0; i < devices; i++) list.push(await room.open());
  return { room, devices: list };
}

/** 1. Fan-out: a message sent by one device, until every other device has it (one device: its own echo). */
async function fanOut(system: BenchSystem, llm: FakeLlm, devices: number, rounds: number): Promise<Figure> {
  const { devices: list } = await openMany(system, devices);
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const tag = `fan-${crypto.randomUUID()}`;
    llm.script({ match: tag, steps: [{ kind: "text", chunks: ["ok"] }] });
    const [sender, ...others] = list;
    if (!sender) break;
    const sent = at();
    const id = sender.send(tag);
    const targets = others.length > 0 ? others : [sender];
    const arrivals = await Promise.all(targets.map((d) => d.seen(id)));
    samples.push(Math.max(...arrivals) - sent);
    await sender.answered(id);
  }
  await Promise.all(list.map((d) => d.close()));
  return {
    scenario: `fan-out to ${devices} device${devices > 1 ? "s" : ""}`,
    unit: "ms",
    higherIsBetter: false,
    samples,
  };
}

/** 2. Streaming: provider first byte → first text on a device; and text pieces per second one session sustains. */
async function streaming(system: BenchSystem, llm: FakeLlm, rounds: number): Promise<Figure[]> {
  const {
    devices: [device],
  } = await openMany(system, 1);
  if (!device) return [];
  const firstDelta: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const tag = `ttft-${crypto.randomUUID()}`;
    llm.script({ match: tag, steps: [{ kind: "text", chunks: ["Hi", " there"] }] });
    const id = device.send(tag);
    await device.answered(id);
    const request = llm.requests.findLast((r) => JSON.stringify(r.body).includes(tag));
    if (request?.timing.firstByteAt && device.firstText(id))
      firstDelta.push(device.firstText(id) - request.timing.firstByteAt);
  }
  const pieces = 2000;
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const tag = `rate-${crypto.randomUUID()}`;
    llm.script({ match: tag, steps: [{ kind: "text", chunks: Array.from({ length: pieces }, (_, k) => `t${k} `) }] });
    const sent = at();
    const id = device.send(tag);
    const done = await device.answered(id, 120_000);
    const start = device.firstText(id) || sent;
    rates.push(pieces / Math.max(0.001, (done - start) / 1000));
  }
  await device.close();
  return [
    {
      scenario: "streaming: provider first byte → first text on a device",
      unit: "ms",
      higherIsBetter: false,
      samples: firstDelta,
    },
    {
      scenario: "streaming: tokens per second through one session",
      unit: "tokens/s",
      higherIsBetter: true,
      samples: rates,
    },
  ];
}

/** 3. Throughput: many sessions × devices chatting at once; answered turns per second, all devices complete. */
async function throughput(
  system: BenchSystem,
  llm: FakeLlm,
  sessions: number,
  devices: number,
  seconds: number,
): Promise<Figure[]> {
  const rooms = await Promise.all(Array.from({ length: sessions }, () => openMany(system, devices)));
  const started = at();
  let turns = 0;
  let incomplete = 0;
  const latencies: number[] = [];
  await Promise.all(
    rooms.map(async ({ devices: list }) => {
      let k = 0;
      while (at() - started < seconds * 1000) {
        const sender = list[k++ % list.length];
        if (!sender) break;
        const tag = `tp-${crypto.randomUUID()}`;
        llm.script({ match: tag, steps: [{ kind: "text", chunks: ["a", "b", "c"] }] });
        const sent = at();
        const id = sender.send(tag);
        try {
          const done = await Promise.all(list.map((d) => d.answered(id, 30_000)));
          latencies.push(Math.max(...done) - sent);
          turns++;
        } catch {
          incomplete++;
        }
      }
    }),
  );
  const elapsed = (at() - started) / 1000;
  const all = rooms.flatMap((r) => r.devices);
  const delivered = all.reduce((n, d) => n + d.delivered(), 0);
  const text = all.reduce((n, d) => n + d.textDelivered(), 0);
  const gaps = all.reduce((n, d) => n + d.gaps(), 0);
  await Promise.all(all.map((d) => d.close()));
  return [
    {
      scenario: `throughput: ${sessions} sessions × ${devices} devices, answered turns/s`,
      unit: "turns/s",
      higherIsBetter: true,
      samples: [turns / elapsed],
      note: `${incomplete} incomplete`,
    },
    {
      scenario: "throughput: answer text delivered to devices per second",
      unit: "chars/s",
      higherIsBetter: true,
      samples: [text / elapsed],
    },
    {
      scenario: "throughput: frames delivered per second",
      unit: "frames/s",
      higherIsBetter: true,
      samples: [delivered / elapsed],
      // What a frame carries differs: edgeclaw coalesces an answer's text into few stored events.
      note: [
        `${(delivered / Math.max(1, turns) / devices).toFixed(1)} frames a turn per device`,
        ...(system.name === "edgeclaw" ? [`${gaps} seq gaps or duplicates`] : []),
      ].join(", "),
    },
    {
      scenario: `throughput: turn latency until all ${devices} devices have the answer`,
      unit: "ms",
      higherIsBetter: false,
      samples: latencies,
    },
  ];
}

/** 4 and 6. Resume with missed messages, and opening a session with its whole history (seeded once per system). */
async function history(room: BenchRoom, messages: number, missed: number): Promise<Figure[]> {
  const resume: number[] = [];
  const open: number[] = [];
  const count = (n: number) => n.toLocaleString("en");
  let shortfall = "";
  let held = "";
  for (let i = 0; i < 3; i++) {
    const resumed = await reopenMissing(room, missed);
    held = `the session holds ${count(resumed.total)} ${resumed.of}`;
    if (!resumed.complete) throw new Error(`resume got ${resumed.received} of the ${missed} missed messages`);
    resume.push(resumed.ms);
    const opened = await reopenMissing(room, Number.MAX_SAFE_INTEGER);
    if (opened.complete) open.push(opened.ms);
    else shortfall = `sends only the newest ${count(opened.received)} of ${count(opened.total)} messages`;
  }
  return [
    {
      scenario: `resume: reconnect having missed ${count(missed)} of ${count(messages)} messages`,
      unit: "ms",
      higherIsBetter: false,
      samples: resume,
      note: held,
    },
    {
      scenario: `history: open a session of ${count(messages)} messages`,
      unit: "ms",
      higherIsBetter: false,
      samples: open,
      ...(shortfall ? { unsupported: shortfall } : {}),
    },
  ];
}

/**
 * A history longer than the peer can send whole: resume (both), the newest `window` messages (edgeclaw: that many
 * events after `lastSeq`; peer: all it reads, its newest 10,001 messages), and the whole history (edgeclaw; the
 * peer's shortfall reported as a row it cannot do).
 */
async function bigHistory(room: BenchRoom, messages: number, missed: number, window: number): Promise<Figure[]> {
  const [resume, whole] = await history(room, messages, missed);
  const newest: number[] = [];
  for (let i = 0; i < 3; i++) {
    const opened = await reopenMissing(room, window);
    if (opened.received < Math.min(window, opened.total))
      throw new Error(`the newest ${window}: got ${opened.received} of ${opened.total}`);
    newest.push(opened.ms);
  }
  const count = (n: number) => n.toLocaleString("en");
  return [
    ...(resume ? [resume] : []),
    {
      scenario: `history: open the newest ${count(window)} of a session of ${count(messages)} messages`,
      unit: "ms",
      higherIsBetter: false,
      samples: newest,
    },
    ...(whole ? [whole] : []),
  ];
}

/** 5. Cold start: the first message to a session whose object has never run, until the first answer text. */
async function coldStart(system: BenchSystem, llm: FakeLlm, rounds: number): Promise<Figure> {
  const samples: number[] = [];
  const phases: [number[], number[], number[]] = [[], [], []];
  for (let i = 0; i < rounds; i++) {
    const tag = `cold-${crypto.randomUUID()}`;
    llm.script({ match: tag, steps: [{ kind: "text", chunks: ["warm"] }] });
    const started = at();
    const room = await system.room();
    const created = at();
    const device = await room.connect();
    const opened = at();
    const id = device.send(tag);
    await device.answered(id);
    samples.push(device.firstText(id) - started);
    phases[0].push(created - started);
    phases[1].push(opened - created);
    phases[2].push(device.firstText(id) - opened);
    await device.close();
  }
  const [create, connect, answer] = phases.map((p) => median(p).toFixed(1));
  return {
    scenario: "cold start: new session, connect and first message → first answer text",
    unit: "ms",
    higherIsBetter: false,
    samples,
    // Where the time goes (medians of this round): creating the session, opening the socket (as an app does:
    // edgeclaw's `hello` goes out with it and the message follows at once), and the first message until its
    // first answer text.
    note: `create ${create} + connect ${connect} + first text ${answer} ms`,
  };
}

/**
 * Sessions of the memory scenario: 200 idle sessions grow the peer's live heap by about 10 MiB and ours by about
 * 2 MiB, and workerd's RSS by about 100 MiB, far above the readings' spread after a forced collection (tens of KiB
 * of heap, a few hundred KiB of RSS).
 */
const MEMORY_SESSIONS = 200;

/**
 * Sessions opened, each answering a turn, on the new server before the first reading: the code loaded and
 * compiled and the isolate's one-time allocations made are not any session's.
 */
const MEMORY_WARM_SESSIONS = 10;

/** How long the memory scenario waits for each of its turns. */
const MEMORY_TURN_TIMEOUT_MS = 300_000;

/** Readings per point of the memory scenario; the median is used and the spread is the noise. */
const MEMORY_READINGS = 3;
/** RSS samples per reading, taken this far apart after the collection, so the allocator has settled. */
const RSS_SAMPLES = 5;
const RSS_SAMPLE_GAP_MS = 200;

/** The system's memory at one point: live JS heap and workerd RSS, each a median of readings with its spread. */
async function memoryPoint(
  system: BenchSystem,
): Promise<{ heap: number; rss: number; heapSpread: number; rssSpread: number }> {
  const heaps: number[] = [];
  const rsses: number[] = [];
  for (let i = 0; i < MEMORY_READINGS; i++) {
    // A full garbage collection first (bench/heap.ts), then the resident set's median over a second.
    heaps.push(await system.heap());
    const samples: number[] = [];
    for (let k = 0; k < RSS_SAMPLES; k++) {
      await sleep(RSS_SAMPLE_GAP_MS);
      samples.push(system.rss());
    }
    rsses.push(median(samples));
  }
  const spread = (values: number[]) => Math.max(...values) - Math.min(...values);
  return { heap: median(heaps), rss: median(rsses), heapSpread: spread(heaps), rssSpread: spread(rsses) };
}

/** The live heap is at rest when it stays within REST_BYTES for REST_WINDOW_MS of readings (at most REST_MAX_MS). */
const REST_GAP_MS = 2000;
const REST_WINDOW_MS = 20_000;
const REST_BYTES = 64 * 1024;
const REST_MAX_MS = 120_000;

/**
 * Waits until the system's live JS heap (a forced collection before each reading) has held still for a while.
 * The warm-up sessions finish their work after their answers (settlement, titles, alarms) and then hibernate;
 * freed during the reading window, that would be taken off the sessions' growth. The heap must stay put for
 * longer than that takes.
 */
async function heapAtRest(system: BenchSystem): Promise<void> {
  const started = at();
  let low = await system.heap();
  let high = low;
  let since = at();
  while (at() - since < REST_WINDOW_MS && at() - started < REST_MAX_MS) {
    await sleep(REST_GAP_MS);
    const now = await system.heap();
    low = Math.min(low, now);
    high = Math.max(high, now);
    if (high - low >= REST_BYTES) {
      low = now;
      high = now;
      since = at();
    }
  }
}

/** A per-session growth figure; when the growth is within the readings' noise the note says so. */
function perSessionFigure(scenario: string, growth: number, noise: number, sessions: number): Figure {
  const kib = (bytes: number) => bytes / 1024 / sessions;
  const note =
    Math.abs(growth) <= noise
      ? `below the noise: growth ${kib(growth).toFixed(1)} KiB within ±${kib(noise).toFixed(1)} KiB per session`
      : `noise ±${kib(noise).toFixed(1)} KiB per session`;
  return { scenario, unit: "KiB", higherIsBetter: false, samples: [kib(growth)], note };
}

/**
 * Sessions opened, and turns answered, at a time: sessions come and go one by one, and the memory a burst of
 * 200 at once needs on its way (and the allocator keeps) is not what a session holds.
 */
const MEMORY_BATCH = 10;

/** Runs `work` on each item, `MEMORY_BATCH` at a time; the results in order. */
async function inBatches<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += MEMORY_BATCH)
    out.push(...(await Promise.all(items.slice(i, i + MEMORY_BATCH).map(work))));
  return out;
}

/** `count` new sessions with one device each. */
async function newDevices(system: BenchSystem, count: number): Promise<BenchDevice[]> {
  const rooms = await inBatches(
    Array.from({ length: count }, () => 1),
    () => openMany(system, 1),
  );
  return rooms.flatMap((r) => r.devices);
}

/** Each device sends one message and waits for its answer. */
async function answerOnce(devices: BenchDevice[], llm: FakeLlm): Promise<void> {
  await inBatches(devices, async (device) => {
    const tag = `mem-${crypto.randomUUID()}`;
    llm.script({ match: tag, steps: [{ kind: "text", chunks: ["hello ", "there"] }] });
    // On a shared machine the time a turn takes is not what this measures.
    await device.answered(device.send(tag), MEMORY_TURN_TIMEOUT_MS);
  });
}

/**
 * 7. Memory per session: the live JS heap (after a forced full collection) and workerd's resident set before and
 * after opening `sessions` sessions with one device each (idle), and after each answered one turn (active).
 * Each round runs on a server of its own: on a server shared with earlier rounds, what those rounds' objects
 * freed (or had not yet) moved one system's reading by hundreds of KiB per session from round to round.
 */
async function memory(system: BenchSystem, llm: FakeLlm, sessions: number): Promise<Figure[]> {
  if (!system.fresh) throw new Error(`memory: ${system.name} cannot start a server of its own`);
  const server = await system.fresh();
  try {
    return await memoryOf(server.system, llm, sessions);
  } finally {
    await server.stop();
  }
}

async function memoryOf(system: BenchSystem, llm: FakeLlm, sessions: number): Promise<Figure[]> {
  await answerOnce(await newDevices(system, MEMORY_WARM_SESSIONS), llm);
  await heapAtRest(system);
  const before = await memoryPoint(system);
  const devices = await newDevices(system, sessions);
  const idle = await memoryPoint(system);
  await answerOnce(devices, llm);
  const active = await memoryPoint(system);
  const rows = [
    ["idle", "workerd RSS", idle, "rss"],
    ["idle", "JS heap", idle, "heap"],
    ["active", "workerd RSS", active, "rss"],
    ["active", "JS heap", active, "heap"],
  ] as const;
  return rows.map(([state, what, point, key]) =>
    perSessionFigure(
      `memory: ${what} per ${state} session (${sessions} sessions${key === "heap" ? "; after a full garbage collection" : ""})`,
      point[key] - before[key],
      point[`${key}Spread`] + before[`${key}Spread`],
      sessions,
    ),
  );
}

/**
 * Storms per round: one storm is a single reading of the whole, which the machine's other work of that moment
 * moved by ±15 % from round to round; the round's figure is the median of three.
 */
const STORMS_PER_ROUND = 3;

/** 8. Reconnect storm: every device of many sessions reconnects at once, each having missed a few messages. */
async function reconnectStorm(rooms: BenchRoom[], devicesPerRoom: number, missed: number): Promise<Figure[]> {
  const all: number[] = [];
  const each: number[] = [];
  let devices = 0;
  for (let storm = 0; storm < STORMS_PER_ROUND; storm++) {
    const reopeners: (() => Promise<Reopened>)[] = [];
    for (const room of rooms) for (let i = 0; i < devicesPerRoom; i++) reopeners.push(await room.prepareReopen(missed));
    devices = reopeners.length;
    const started = at();
    const reopened = await Promise.all(reopeners.map((reopen) => reopen()));
    all.push(at() - started);
    if (reopened.some((r) => !r.complete)) throw new Error("reconnect storm: a device did not catch up");
    each.push(...reopened.map((r) => r.ms));
  }
  const label = `${devices} devices over ${rooms.length} sessions`;
  return [
    {
      scenario: `reconnect storm: ${label} reconnect at once, until all caught up`,
      unit: "ms",
      higherIsBetter: false,
      samples: all,
    },
    {
      scenario: `reconnect storm: ${label}, one device until caught up`,
      unit: "ms",
      higherIsBetter: false,
      samples: each,
    },
  ];
}

/** 9. Contention: one user starts a turn in each of `sessions` sessions at once (edgeclaw meters them in one usage object). */
async function concurrentTurns(system: BenchSystem, llm: FakeLlm, sessions: number): Promise<Figure[]> {
  const rooms = await Promise.all(Array.from({ length: sessions }, () => openMany(system, 1)));
  const devices = rooms.flatMap((r) => r.devices);
  const tags = devices.map(() => `cc-${crypto.randomUUID()}`);
  for (const tag of tags) llm.script({ match: tag, steps: [{ kind: "text", chunks: ["one ", "two ", "three"] }] });
  const started = at();
  const done = await Promise.all(devices.map((device, i) => device.answered(device.send(tags[i] ?? ""), 60_000)));
  await Promise.all(devices.map((d) => d.close()));
  return [
    {
      scenario: `contention: ${sessions} concurrent turns in one user's sessions, until all answered`,
      unit: "ms",
      higherIsBetter: false,
      samples: [Math.max(...done) - started],
    },
    {
      scenario: `contention: ${sessions} concurrent turns in one user's sessions, one turn`,
      unit: "ms",
      higherIsBetter: false,
      samples: done.map((t) => t - started),
    },
  ];
}

/** One comparison scenario: run once per round on each system. */
export interface Scenario {
  name: string;
  run(system: BenchSystem, llm: FakeLlm): Promise<Figure[]>;
}

/** Makes something once per system (a seeded history) and reuses it in later rounds. */
function oncePerSystem<T>(make: (system: BenchSystem) => Promise<T>): (system: BenchSystem) => Promise<T> {
  const made = new Map<string, Promise<T>>();
  return (system) => {
    let value = made.get(system.name);
    if (!value) {
      value = make(system);
      made.set(system.name, value);
    }
    return value;
  };
}

async function seededRoom(system: BenchSystem, messages: number): Promise<BenchRoom> {
  const room = await system.room();
  await room.seed(messages);
  return room;
}

/** Every comparison scenario, sized for a full run or a quick one. */
export function scenarios(options: { quick: boolean; bigHistory: number }): Scenario[] {
  const q = options.quick;
  const historyRoom = oncePerSystem((system) => seededRoom(system, q ? 1000 : 10_000));
  const bigRoom = oncePerSystem((system) => seededRoom(system, options.bigHistory));
  const stormRooms = oncePerSystem(async (system) => {
    const rooms: BenchRoom[] = [];
    for (let i = 0; i < (q ? 10 : 50); i++) rooms.push(await seededRoom(system, 20));
    return rooms;
  });
  return [
    { name: "fan-out 1", run: async (s, llm) => [await fanOut(s, llm, 1, q ? 5 : 30)] },
    { name: "fan-out 10", run: async (s, llm) => [await fanOut(s, llm, 10, q ? 5 : 20)] },
    { name: "fan-out 100", run: async (s, llm) => [await fanOut(s, llm, 100, q ? 3 : 30)] },
    { name: "streaming", run: (s, llm) => streaming(s, llm, q ? 5 : 30) },
    { name: "throughput", run: (s, llm) => throughput(s, llm, q ? 10 : 50, 4, q ? 5 : 20) },
    { name: "history", run: async (s) => history(await historyRoom(s), q ? 1000 : 10_000, q ? 1000 : 10_000) },
    { name: "big history", run: async (s) => bigHistory(await bigRoom(s), options.bigHistory, 1000, 10_000) },
    { name: "cold start", run: async (s, llm) => [await coldStart(s, llm, q ? 3 : 10)] },
    { name: "memory", run: (s, llm) => memory(s, llm, q ? 20 : MEMORY_SESSIONS) },
    { name: "reconnect storm", run: async (s) => reconnectStorm(await stormRooms(s), 10, 20) },
    { name: "contention", run: (s, llm) => concurrentTurns(s, llm, 20) },
  ];
}

export function summary(figure: Figure): { median: number; p99: number } {
  return { median: median(figure.samples), p99: percentile(figure.samples, 99) };
}
