// `npm run bench:profile`: a CPU profile of one system's workerd while it answers a fixed number of turns
// (50 sessions × 4 devices, 5 turns each, after a warm-up; the sessions are opened before the profile
// starts), printed per cost of the turn, per file and per function: CPU per turn, whatever the load.
// BENCH_PROFILE: a comparison scenario's name instead (its setup is then profiled too).
// BENCH_PROFILE_SYSTEM: edgeclaw (default) or peer. BENCH_QUICK=1: 10 sessions.
// The whole profile goes to $TMPDIR/bench-<system>.cpuprofile (Chrome DevTools opens it).

import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeLlm } from "../devtools/demo-model/server.ts";
import { type Scenario, scenarios } from "./compare.ts";
import { byCost } from "./costs.ts";
import {
  type Attribution,
  bundleSourceMap,
  type CpuProfile,
  intervalMs,
  profileWhile,
  summarise,
} from "./cpu-profile.ts";
import { agentsSdk, type BenchDevice, edgeclaw } from "./drivers.ts";
import { jsHeap } from "./heap.ts";
import { workerdRss } from "./rss.ts";
import { PEER_DIR, startEdgeclaw, startPeer } from "./servers.ts";
import { fmt, median, table } from "./stats.ts";

const name = process.env.BENCH_PROFILE ?? "turns";
const peer = process.env.BENCH_PROFILE_SYSTEM === "peer";
const quick = process.env.BENCH_QUICK === "1";
const TOP = 40;

/** The default workload: sessions opened first (not profiled), then every session answers `turns` turns. */
const turnsScenario: Scenario = {
  name: "turns",
  async run(system, llm) {
    const rooms = await Promise.all(
      Array.from({ length: quick ? 10 : 50 }, async () => {
        const room = await system.room();
        const devices: BenchDevice[] = [];
        for (let i = 0; i < 4; i++) devices.push(await room.open());
        return devices;
      }),
    );
    const latencies: number[] = [];
    const work = async () => {
      await Promise.all(
        rooms.map(async (devices) => {
          for (let k = 0; k < 5; k++) {
            const sender = devices[k % devices.length];
            if (!sender) return;
            const tag = `pf-${crypto.randomUUID()}`;
            llm.script({ match: tag, steps: [{ kind: "text", chunks: ["a", "b", "c"] }] });
            const sent = performance.now();
            const id = sender.send(tag);
            latencies.push(Math.max(...(await Promise.all(devices.map((d) => d.answered(id, 60_000))))) - sent);
          }
        }),
      );
    };
    if (profiling) await profiling(work);
    else await work();
    await Promise.all(rooms.flat().map((d) => d.close()));
    return [
      {
        scenario: "turn latency until all 4 devices have the answer",
        unit: "ms",
        higherIsBetter: false,
        samples: latencies,
      },
    ];
  },
};
/** Set while the profiled run goes: wraps the part of the workload to profile. */
let profiling: ((work: () => Promise<void>) => Promise<void>) | undefined;

const scenario = name === "turns" ? turnsScenario : scenarios({ quick, bigHistory: 2000 }).find((s) => s.name === name);
if (!scenario) throw new Error(`no scenario named ${name}`);
const llm = await startFakeLlm();
try {
  const server = await (peer ? startPeer(llm) : startEdgeclaw(llm));
  try {
    const rss = () => workerdRss(server.processGroup);
    const heap = jsHeap(server.inspectorPort, server.url);
    const system = peer ? agentsSdk(server.url, rss, heap) : edgeclaw(server.url, rss, heap);
    await scenario.run(system, llm);
    let figures: Awaited<ReturnType<typeof scenario.run>> = [];
    const calls = llm.requests.length;
    let profile: CpuProfile | undefined;
    if (scenario === turnsScenario) {
      profiling = async (work) => {
        profile = await profileWhile(server.inspectorPort, work);
      };
      figures = await scenario.run(system, llm);
    } else {
      profile = await profileWhile(server.inspectorPort, async () => {
        figures = await scenario.run(system, llm);
      });
    }
    if (!profile) throw new Error("no profile was taken");
    const resolve = bundleSourceMap(peer ? PEER_DIR : ".");
    const file = join(tmpdir(), `bench-${peer ? "peer" : "edgeclaw"}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const sampled = profile.samples.length * intervalMs(profile);
    const idle = summarise(profile, "function").find((line) => line.name.startsWith("(idle)"))?.selfMs ?? 0;
    console.log(`# ${system.name}: ${name}\n`);
    for (const f of figures)
      console.log(`- ${f.scenario}: ${f.samples.length} samples, median ${fmt(median(f.samples))}`);
    const wall = profile.timeDeltas.reduce((a, b) => a + b, 0) / 1000;
    console.log(
      `\nprofiled ${fmt(wall, 0)} ms of wall time; ${profile.samples.length} samples of ${fmt(intervalMs(profile), 3)} ms: ${fmt(sampled, 0)} ms running, ${fmt(sampled - idle, 0)} ms busy; whole profile: ${file}`,
    );
    // Every answered turn of these scenarios makes one model call.
    const turns = Math.max(1, llm.requests.length - calls);
    console.log(`\n## per cost: CPU ms per turn (${turns} model calls)\n`);
    console.log(
      table(
        ["cost", "ms per turn"],
        byCost(summarise(profile, "ours", resolve)).map(([cost, ms]) => [cost, fmt(ms / turns, 3)]),
      ),
    );
    const views: [Attribution, string][] = [
      ["ours", "by our nearest function (library and runtime time charged to it)"],
      ["file", "by source file"],
      ["function", "by function"],
    ];
    for (const [by, title] of views) {
      const lines = summarise(profile, by, resolve).slice(0, TOP);
      console.log(`\n## ${title}\n`);
      console.log(
        table(
          [by, "self ms", "total ms"],
          lines.map((l) => [l.name, fmt(l.selfMs, 1), fmt(l.totalMs, 1)]),
        ),
      );
    }
  } finally {
    await server.stop();
  }
} finally {
  await llm.close();
}
