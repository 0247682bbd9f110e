// `npm run bench:heap`: what an idle session holds in a system's isolate. Heap snapshots (each after a full
// garbage collection) before and after opening N sessions with one device each, and after each answered one
// turn, summed by constructor / closure / internal kind and divided by N.
// BENCH_HEAP_SYSTEM: edgeclaw (default), peer or both. BENCH_HEAP_SESSIONS: N (200). BENCH_HEAP_TOP: rows (30).

import { startFakeLlm } from "../devtools/demo-model/server.ts";
import { bundleSourceMap, type Resolve } from "./cpu-profile.ts";
import { agentsSdk, type BenchDevice, type BenchSystem, edgeclaw } from "./drivers.ts";
import { snapshotThenUsage } from "./heap.ts";
import { type HeapSummary, perSession, summarise, totalBytes } from "./heap-snapshot.ts";
import { Inspector } from "./inspector.ts";
import { PEER_DIR, startEdgeclaw, startPeer } from "./servers.ts";
import { fmt, table } from "./stats.ts";

const which = process.env.BENCH_HEAP_SYSTEM ?? "edgeclaw";
const sessions = Number(process.env.BENCH_HEAP_SESSIONS ?? 200);
const top = Number(process.env.BENCH_HEAP_TOP ?? 30);
const kib = (bytes: number) => fmt(bytes / 1024, 2);

interface Point {
  summary: HeapSummary;
  used: number;
}

/**
 * A heap snapshot (after a full collection). No RSS here: a snapshot leaves workerd hundreds of MiB larger (see
 * heap.ts), so this process's resident set means nothing after the first one.
 */
async function snapshot(inspector: Inspector, resolve: Resolve | null): Promise<Point> {
  const chunks: string[] = [];
  const used = await snapshotThenUsage(inspector, (chunk) => chunks.push(chunk));
  return { summary: summarise(chunks.join(""), resolve), used };
}

async function openSessions(system: BenchSystem, count: number): Promise<BenchDevice[]> {
  return Promise.all(Array.from({ length: count }, async () => (await system.room()).open()));
}

function report(title: string, before: Point, after: Point): void {
  const rows = perSession(before.summary, after.summary, sessions);
  console.log(`\n## ${title}: ${sessions} sessions\n`);
  console.log(
    `used heap ${kib((after.used - before.used) / sessions)} KiB per session; self sizes in the snapshot ${kib((totalBytes(after.summary) - totalBytes(before.summary)) / sessions)} KiB per session\n`,
  );
  console.log(
    table(
      ["kind", "objects per session", "KiB per session"],
      rows.slice(0, top).map((r) => [r.kind.replaceAll("|", "/"), fmt(r.count, 1), kib(r.bytes)]),
    ),
  );
}

async function measure(name: "edgeclaw" | "peer"): Promise<void> {
  const llm = await startFakeLlm();
  const server = await (name === "peer" ? startPeer(llm) : startEdgeclaw(llm));
  const inspector = await Inspector.open(server.inspectorPort);
  try {
    const rss = () => 0;
    const heap = () => Promise.resolve(0);
    const system = name === "peer" ? agentsSdk(server.url, rss, heap) : edgeclaw(server.url, rss, heap);
    // A warm-up: code compiled and module-level state built once is not a session's.
    const warm = await openSessions(system, 5);
    await answerAll(warm, llm);
    const resolve = bundleSourceMap(name === "peer" ? PEER_DIR : ".");
    const before = await snapshot(inspector, resolve);
    const devices = await openSessions(system, sessions);
    const idle = await snapshot(inspector, resolve);
    await answerAll(devices, llm);
    const active = await snapshot(inspector, resolve);
    console.log(`# ${system.name}`);
    report("idle (one device connected, no turn)", before, idle);
    report("active (after one answered turn each)", before, active);
    await Promise.all([...warm, ...devices].map((device) => device.close()));
  } finally {
    inspector.close();
    await server.stop();
    await llm.close();
  }
}

async function answerAll(devices: BenchDevice[], llm: Awaited<ReturnType<typeof startFakeLlm>>): Promise<void> {
  await Promise.all(
    devices.map(async (device) => {
      const tag = `heap-${crypto.randomUUID()}`;
      llm.script({ match: tag, steps: [{ kind: "text", chunks: ["hello ", "there"] }] });
      await device.answered(device.send(tag), 120_000);
    }),
  );
}

if (which !== "peer") await measure("edgeclaw");
if (which !== "edgeclaw") await measure("peer");
