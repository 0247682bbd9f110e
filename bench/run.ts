// `npm run bench`: edgeclaw and the Agents SDK peer, both under `wrangler dev` at the same time with the
// stand-in LLM on loopback, driven by real WebSocket clients from Node through the same scenarios in
// alternating rounds (fair.ts); prints a table and writes docs/benchmarks.md.
// BENCH_QUICK=1: smaller scenarios. BENCH_ROUNDS: measured rounds (3). BENCH_ONLY: comma list of scenario
// names. BENCH_BIG_HISTORY: messages in the long-history session (100,000). BENCH_SNAPSHOT_MB: workspace sizes of
// the large snapshot-and-restore scenario (64,256,1024 MiB; 16,64 quick; 0 skips it, it takes 15-30 minutes).

import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { type FakeLlm, startFakeLlm } from "../devtools/demo-model/server.ts";
import type { DevServer } from "../tests/e2e/helpers/dev-server.ts";
import { benchAgentStream } from "./agent-stream.ts";
import { scenarios } from "./compare.ts";
import { agentsSdk, type BenchSystem, edgeclaw } from "./drivers.ts";
import { alternate, type FairRow, summarise } from "./fair.ts";
import { jsHeap } from "./heap.ts";
import { benchR2Simulator } from "./r2-sim-memory.ts";
import { workerdRss } from "./rss.ts";
import { startEdgeclaw, startPeer } from "./servers.ts";
import { benchSnapshot } from "./snapshot.ts";
import { benchLargeSnapshot } from "./snapshot-large.ts";
import { fmt, table } from "./stats.ts";

const quick = process.env.BENCH_QUICK === "1";
const rounds = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
const bigHistory = Number(process.env.BENCH_BIG_HISTORY ?? (quick ? 2000 : 100_000));
const log = (line: string) => console.error(line);

/** Parts of the run that failed: the rest still runs and is written, and the run exits non-zero. */
const failures: string[] = [];
const notRun = { markdown: 'Failed in this run: see "Failures" above.' };

/** Runs one part of the benchmark; a failure is recorded (and reported) instead of ending the run. */
async function attempt<T>(name: string, part: () => Promise<T>): Promise<T | undefined> {
  try {
    return await part();
  } catch (error) {
    const reason = String(error instanceof Error ? error.message : error).split("\n")[0] ?? "";
    failures.push(`${name}: ${reason}`);
    log(`${name} FAILED: ${reason}`);
    return undefined;
  }
}

const llm = await startFakeLlm();

/** The system on `server`, able to start itself again on a new server (the memory scenario's rounds). */
function served(server: DevServer, start: (llm: FakeLlm) => Promise<DevServer>, driver: typeof edgeclaw): BenchSystem {
  const on = (s: DevServer) => driver(s.url, () => workerdRss(s.processGroup), jsHeap(s.inspectorPort, s.url));
  return {
    ...on(server),
    async fresh() {
      const other = await start(llm);
      return { system: on(other), stop: () => other.stop() };
    },
  };
}
const rows: FairRow[] = [];
let stream = { markdown: "" };
let snapshot = { markdown: "" };
const skipped = { markdown: "Not run (`BENCH_SNAPSHOT_MB=0`)." };
let largeSnapshot = skipped;
let r2Simulator = skipped;
/** Workspace sizes (MiB) of the large snapshot scenario; `BENCH_SNAPSHOT_MB=0` skips it and the R2 simulator's. */
const largeSizes = (process.env.BENCH_SNAPSHOT_MB ?? (quick ? "16,64" : "64,256,1024"))
  .split(",")
  .map(Number)
  .filter((mib) => mib > 0);
try {
  const ours = await startEdgeclaw(llm);
  const peer = await startPeer(llm);
  try {
    const systems = { ours: served(ours, startEdgeclaw, edgeclaw), peer: served(peer, startPeer, agentsSdk) };
    for (const scenario of scenarios({ quick, bigHistory })) {
      if (only && !only.includes(scenario.name)) continue;
      log(`${scenario.name}: warm-up and ${rounds} alternating rounds`);
      const measured = await attempt(scenario.name, () => alternate(scenario, systems, llm, rounds, log));
      if (measured) rows.push(...measured);
    }
    if (!only) {
      stream = (await attempt("agent streaming", () => benchAgentStream(ours.url, llm))) ?? notRun;
      snapshot = (await attempt("snapshots", () => benchSnapshot(ours.url, ours.sandbox))) ?? notRun;
      if (largeSizes.length > 0)
        largeSnapshot =
          (await attempt("large snapshots", () =>
            benchLargeSnapshot(ours.url, ours.sandbox, ours.processGroup, largeSizes),
          )) ?? notRun;
    }
  } finally {
    await Promise.all([ours.stop(), peer.stop()]);
  }
  if (!only && largeSizes.length > 0)
    r2Simulator = (await attempt("R2 simulator", () => benchR2Simulator(largeSizes))) ?? notRun;
} finally {
  await llm.close();
}

function verdict(s: ReturnType<typeof summarise>): string {
  if (s.peerCannot) return "edgeclaw (the peer cannot)";
  if (s.lead) return "edgeclaw, every round";
  if (s.ahead) return "edgeclaw by the median, not every round";
  return "**peer**";
}

const comparison = table(
  ["scenario", "unit", "edgeclaw", "Agents SDK", "edgeclaw ÷ peer (median)", "spread of ratios", "ahead", "load"],
  rows.map((row) => {
    const s = summarise(row);
    const notes = [
      ...[...new Set(row.notes.ours)].map((note) => `edgeclaw: ${note}`),
      ...[...new Set(row.notes.peer)].map((note) => `peer: ${note}`),
      ...(row.unsupported.ours ? [`edgeclaw cannot: ${row.unsupported.ours}`] : []),
      ...(row.unsupported.peer ? [`peer cannot: ${row.unsupported.peer}`] : []),
    ].join("; ");
    return [
      notes ? `${row.scenario} (${notes})` : row.scenario,
      row.unit,
      fmt(s.ours),
      fmt(s.peer),
      s.peerCannot ? "—" : `${fmt(s.ratio)}×`,
      s.peerCannot ? "—" : `${fmt(s.spread[0])}–${fmt(s.spread[1])}`,
      verdict(s),
      `${fmt(s.load[0])}–${fmt(s.load[1])}`,
    ];
  }),
);
const perRound = table(
  ["scenario", ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}: edgeclaw / peer (ratio)`)],
  rows.map((row) => [
    row.scenario,
    ...row.rounds.map(
      (r) => `${fmt(r.ours)} / ${fmt(r.peer)} (${fmt(r.ratio)}×${r.oursFirst ? ", e first" : ", p first"})`,
    ),
  ]),
);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const doc = [
  "# Benchmarks",
  "",
  "Measured by `npm run bench` on loopback: both systems under `wrangler dev` (workerd) at the same time,",
  "the stand-in LLM (`devtools/demo-model/server.ts`) as the provider of both, and real WebSocket clients from Node.",
  "The peer is a minimal chat app on the Cloudflare Agents SDK (`AIChatAgent`, `bench/peers/agents-sdk/`).",
  "",
  `Machine: ${machine}. Run: ${new Date().toISOString()}${quick ? " (quick mode)" : ""}, ${rounds} rounds.`,
  "Reproduce: `npm run bench` (`BENCH_QUICK=1` short, `BENCH_ROUNDS=5` more rounds, `BENCH_ONLY=throughput,cold start`,",
  "`BENCH_SNAPSHOT_MB=64,256,1024` the large workspaces, `0` to skip them).",
  "",
  "## How it is measured fairly",
  "",
  "Each scenario runs once on each system as a warm-up (discarded), then in rounds: the peer first in",
  "round 1, edgeclaw first in round 2, and so on, so both meet the same machine state back to back.",
  "A round's ratio is edgeclaw's median ÷ the peer's median in that round; the table gives the median",
  "of those ratios and their spread, and the 1-minute load average when each round began. A row is a",
  "lead only when **every** round's ratio is on edgeclaw's side. For throughput, answered turns and",
  "answer text per second are what a user gets; frames per second is shown beside them (edgeclaw",
  "coalesces deltas, so it sends fewer, larger frames for the same answer).",
  "",
  "## edgeclaw and the Agents SDK, side by side",
  "",
  comparison,
  "",
  "### Every round",
  "",
  perRound,
  "",
  ...(failures.length > 0 ? ["### Failures", "", ...failures.map((f) => `- ${f}`), ""] : []),
  "What each scenario does:",
  "",
  "- **fan-out**: one device sends a message; the time until every other device has it (edgeclaw: the",
  "  `user_message` event; peer: the `cf_agent_chat_messages` broadcast). With one device: its own",
  "  confirmation (edgeclaw: the echoed event; peer: the first response frame, as it echoes nothing).",
  "  30 messages a round with 1 and 100 devices, 20 with 10.",
  "- **streaming**: from the stand-in provider writing its first byte to the first text on the device;",
  "  and text pieces per second over three 2,000-piece answers.",
  "- **throughput**: every session's devices take turns sending; a turn counts when all its devices",
  "  have the whole answer; the latency is until the last device has it. edgeclaw's clients check `seq`.",
  "- **resume / history**: a session seeded once per system; edgeclaw replays only what a device",
  "  missed (`hello {lastSeq}`); the peer has no partial resume and sends the whole transcript.",
  "  The Agents SDK reads at most 10,000 parent links of a branch, so from a longer session it sends only",
  "  its newest 10,001 messages: the long session compares resume and the newest 10,000 (edgeclaw: the",
  "  last 10,000 events), and reports opening it whole as a row the peer cannot do.",
  "- **cold start**: a session never used before: create, connect, first message, first answer text.",
  "  (`wrangler dev` cannot force an eviction; a fresh object is the same cold path.)",
  "- **memory**: each round on a new server of the system's own, warmed by 10 sessions that each answer a",
  "  turn; then 200 sessions, one device each, opened and then each answering a turn; per session, the",
  "  growth of the worker isolate's live JS heap (inspector `HeapProfiler.collectGarbage` run by a request,",
  "  then `Runtime.getHeapUsage`) and of the system's own workerd resident set (after that collection, the",
  "  median of 5 samples a second long); each point the median of 3 readings, their spread the row's noise.",
  "- **reconnect storm**: sessions seeded with 20 messages; every device, having missed them, reconnects",
  "  at the same moment (edgeclaw with `lastSeq`; the peer socket + `get-messages`); three storms a round,",
  "  the round's figure their median.",
  "- **contention**: one user, a new session each, all turns sent at once (edgeclaw admits and settles",
  "  each in the user's one usage object; the peer has no metering).",
  "",
  "## Agent streaming (edgeclaw)",
  "",
  stream.markdown,
  "",
  "## Workspace snapshots (edgeclaw)",
  "",
  snapshot.markdown,
  "",
  "### Large workspaces (`bench/snapshot-large.ts`)",
  "",
  "Incompressible files; the archive streams sandbox → session object → R2 (multipart, 8 MiB parts) and back",
  "(8 MiB ranged reads, each pulled when the sandbox took the one before). workerd's",
  "resident set is sampled every 100 ms: before, its peak during the snapshot and the restore, and after.",
  "It must not grow with the workspace's size.",
  "",
  largeSnapshot.markdown,
  "",
  "### The R2 simulator alone (`bench/r2-sim-memory.ts`)",
  "",
  "One Miniflare workerd streams the same bytes the same way (8 MiB parts, hashed on the way), once into",
  "nothing and once into the simulated R2 bucket, then back out (from a loopback source, from R2 in 8 MiB",
  "ranges as restores read, or from R2 in one get) into a loopback sink. What grows with the size only on the",
  "R2 side is the simulator's, not the session's.",
  "",
  r2Simulator.markdown,
  "",
  // The profile of the turn and the reasons behind the rows, written by hand from `npm run bench:profile`.
  readFileSync(new URL("./analysis.md", import.meta.url), "utf8").trim(),
  "",
].join("\n");
if (!only) writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), doc);
console.log(doc);
if (failures.length > 0) process.exitCode = 1;
