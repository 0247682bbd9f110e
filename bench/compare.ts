// The comparison scenarios, run the same way on edgeclaw and on the Agents SDK peer.

import { spawnSync } from "node:child_process";
import type { FakeLlm } from "../devtools/demo-model/server.ts";
import type { BenchDevice, BenchSystem } from "./drivers.ts";
import { median, percentile } from "./stats.ts";

/** One measured figure: samples (ms unless the unit says otherwise). */
export interface Figure {
  scenario: string;
  unit: string;
  /** Higher is better (throughput) or lower is better (latency, memory). */
  higherIsBetter: boolean;
  samples: number[];
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
  const gaps = all.reduce((n, d) => n + d.gaps(), 0);
  await Promise.all(all.map((d) => d.close()));
  return [
    {
      scenario: `throughput: frames delivered per second (seq gaps or duplicates: ${gaps})`,
      unit: "frames/s",
      higherIsBetter: true,
      samples: [delivered / elapsed],
    },
    {
      scenario: `throughput: ${sessions} sessions × ${devices} devices, answered turns/s (${incomplete} incomplete)`,
      unit: "turns/s",
      higherIsBetter: true,
      samples: [turns / elapsed],
    },
    {
      scenario: `throughput: turn latency until all ${devices} devices have the answer`,
      unit: "ms",
      higherIsBetter: false,
      samples: latencies,
    },
  ];
}

/** 4 and 6. Resume with missed messages, and opening a session with a long history. */
async function history(system: BenchSystem, messages: number): Promise<Figure[]> {
  const room = await system.room();
  await room.seed(messages);
  const resume: number[] = [];
  const open: number[] = [];
  for (let i = 0; i < 3; i++) {
    resume.push(await room.reopenMissing(messages));
    open.push(await room.reopenMissing(Number.MAX_SAFE_INTEGER));
  }
  return [
    {
      scenario: `resume: reconnect having missed ${messages.toLocaleString("en")} messages`,
      unit: "ms",
      higherIsBetter: false,
      samples: resume,
    },
    {
      scenario: `history: open a session of ${messages.toLocaleString("en")} messages`,
      unit: "ms",
      higherIsBetter: false,
      samples: open,
    },
  ];
}

/** 5. Cold start: the first message to a session whose object has never run, until the first answer text. */
async function coldStart(system: BenchSystem, llm: FakeLlm, rounds: number): Promise<Figure> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const tag = `cold-${crypto.randomUUID()}`;
    llm.script({ match: tag, steps: [{ kind: "text", chunks: ["warm"] }] });
    const started = at();
    const room = await system.room();
    const device = await room.open();
    const id = device.send(tag);
    await device.answered(id);
    samples.push(device.firstText(id) - started);
    await device.close();
  }
  return {
    scenario: "cold start: new session, connect and first message → first answer text",
    unit: "ms",
    higherIsBetter: false,
    samples,
  };
}

function workerdRss(): number {
  const pid = spawnSync("pgrep", ["-n", "workerd"]).stdout.toString().trim();
  const status = spawnSync("cat", [`/proc/${pid}/status`]).stdout.toString();
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

/** 7. Memory: workerd's resident memory per idle session (one device connected) and per active one (after a turn). */
async function memory(system: BenchSystem, llm: FakeLlm, sessions: number): Promise<Figure[]> {
  await sleep(1000);
  const before = workerdRss();
  const rooms = await Promise.all(Array.from({ length: sessions }, () => openMany(system, 1)));
  await sleep(1000);
  const idle = workerdRss();
  await Promise.all(
    rooms.map(async ({ devices: [device] }) => {
      if (!device) return;
      const tag = `mem-${crypto.randomUUID()}`;
      llm.script({ match: tag, steps: [{ kind: "text", chunks: ["hello ", "there"] }] });
      await device.answered(device.send(tag));
    }),
  );
  await sleep(1000);
  const active = workerdRss();
  await Promise.all(rooms.flatMap((r) => r.devices.map((d) => d.close())));
  // A negative growth is garbage collection between the readings: below what this can measure.
  const kib = (bytes: number) => Math.max(0, bytes) / 1024 / sessions;
  return [
    {
      scenario: `memory: workerd RSS per idle session (${sessions} sessions)`,
      unit: "KiB",
      higherIsBetter: false,
      samples: [kib(idle - before)],
    },
    {
      scenario: `memory: workerd RSS per active session (${sessions} sessions)`,
      unit: "KiB",
      higherIsBetter: false,
      samples: [kib(active - before)],
    },
  ];
}

export interface ScenarioOptions {
  quick?: boolean;
}

/** Runs every scenario on one system (its server must be running). */
export async function runScenarios(
  system: BenchSystem,
  llm: FakeLlm,
  options: ScenarioOptions = {},
): Promise<Figure[]> {
  const q = options.quick === true;
  const figures: Figure[] = [];
  figures.push(await fanOut(system, llm, 1, q ? 5 : 30));
  figures.push(await fanOut(system, llm, 10, q ? 5 : 20));
  figures.push(await fanOut(system, llm, 100, q ? 3 : 10));
  figures.push(...(await streaming(system, llm, q ? 5 : 30)));
  figures.push(...(await throughput(system, llm, q ? 10 : 50, 4, q ? 5 : 20)));
  figures.push(...(await history(system, q ? 1000 : 10_000)));
  figures.push(await coldStart(system, llm, q ? 3 : 10));
  figures.push(...(await memory(system, llm, q ? 10 : 50)));
  return figures;
}

export function summary(figure: Figure): { median: number; p99: number } {
  return { median: median(figure.samples), p99: percentile(figure.samples, 99) };
}
