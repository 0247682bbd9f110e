// `npm run bench`: edgeclaw and the Agents SDK peer, each under `wrangler dev` with the stand-in LLM on
// loopback, driven by real WebSocket clients from Node through the same scenarios; prints a table and
// writes docs/benchmarks.md. BENCH_QUICK=1 runs a smaller version.

import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { startDevServer } from "../tests/e2e/helpers/dev-server.ts";
import { startFakeLlm } from "../tests/fake-llm/server.ts";
import { benchAgentStream } from "./agent-stream.ts";
import { type Figure, runScenarios, summary } from "./compare.ts";
import { agentsSdk, edgeclaw } from "./drivers.ts";
import { benchSnapshot } from "./snapshot.ts";
import { fmt, table } from "./stats.ts";

const quick = process.env.BENCH_QUICK === "1";
const PEER_DIR = "bench/peers/agents-sdk";
const limits = {
  RATE_LIMIT_REQUESTS_PER_MIN: "100000",
  RATE_LIMIT_TOKENS_PER_MIN: "1000000000",
  MAX_CONCURRENT_TURNS: "1000",
  RATE_LIMIT_FRAMES_PER_SEC: "100000",
};

const llm = await startFakeLlm();
let ours: Figure[] = [];
let peer: Figure[] = [];
let stream = { markdown: "" };
let snapshot = { markdown: "" };
try {
  const server = await startDevServer({
    vars: { OPENAI_BASE_URL: `${llm.url}/v1`, LLM_MODEL: "bench-model", LLM_FREE_MODELS: "bench-model", ...limits },
  });
  try {
    stream = await benchAgentStream(server.url, llm);
    snapshot = await benchSnapshot(server.url, server.sandbox);
    ours = await runScenarios(edgeclaw(server.url), llm, { quick });
  } finally {
    await server.stop();
  }
  if (!existsSync(`${PEER_DIR}/node_modules`)) {
    spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", PEER_DIR], { stdio: "inherit" });
  }
  const peerServer = await startDevServer({
    config: `${PEER_DIR}/wrangler.toml`,
    vars: { OPENAI_BASE_URL: `${llm.url}/v1` },
  });
  try {
    peer = await runScenarios(agentsSdk(peerServer.url), llm, { quick });
  } finally {
    await peerServer.stop();
  }
} finally {
  await llm.close();
}

const rows = ours.map((figure, i) => {
  const mine = summary(figure);
  const theirs = peer[i] ? summary(peer[i]) : { median: Number.NaN, p99: Number.NaN };
  const ratio = mine.median / theirs.median;
  const better = figure.higherIsBetter ? ratio >= 1 : ratio <= 1;
  return [
    figure.scenario,
    figure.unit,
    fmt(mine.median),
    fmt(mine.p99),
    fmt(theirs.median),
    fmt(theirs.p99),
    `${fmt(ratio)}× ${Number.isFinite(ratio) ? (better ? "(edgeclaw better)" : "(peer better)") : ""}`,
  ];
});
const comparison = table(
  ["scenario", "unit", "edgeclaw median", "edgeclaw p99", "Agents SDK median", "Agents SDK p99", "edgeclaw ÷ peer"],
  rows,
);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const doc = [
  "# Benchmarks",
  "",
  "Measured by `npm run bench` in one run on loopback: each system under `wrangler dev` (workerd), the",
  "stand-in LLM (`tests/fake-llm/server.ts`) as the provider of both, and real WebSocket clients from Node.",
  "The peer is a minimal chat app on the Cloudflare Agents SDK (`AIChatAgent`, `bench/peers/agents-sdk/`).",
  "",
  `Machine: ${machine}. Run: ${new Date().toISOString()}${quick ? " (quick mode)" : ""}.`,
  "Reproduce: `npm run bench` (`BENCH_QUICK=1 npm run bench` for a short run).",
  "",
  "## edgeclaw and the Agents SDK, side by side",
  "",
  comparison,
  "",
  "How each is measured:",
  "",
  "- **fan-out**: one device sends a message; the time until every other device has it (edgeclaw: the",
  "  `user_message` event; peer: the `cf_agent_chat_messages` broadcast). With one device: its own",
  "  confirmation (edgeclaw: the echoed event; peer: the first response frame, as it echoes nothing).",
  "- **streaming**: from the stand-in provider writing its first byte to the first text on the device;",
  "  and text pieces per second over three 2,000-piece answers.",
  "- **throughput**: every session's devices take turns sending; a turn counts when all its devices",
  "  have the whole answer. edgeclaw's clients also check that `seq` has no gap (see `npm run soak`).",
  "- **resume / history**: a session seeded with the messages; edgeclaw replays only what a device",
  "  missed (`hello {lastSeq}`); the peer has no partial resume and sends the whole transcript.",
  "- **cold start**: a session never used before: create, connect, first message, first answer text.",
  "  (`wrangler dev` cannot force an eviction; a fresh object is the same cold path.)",
  "- **memory**: workerd's resident set before and after opening the sessions (one device each), and",
  "  after each ran a turn, divided by the number of sessions.",
  "",
  "## Agent streaming (edgeclaw)",
  "",
  stream.markdown,
  "",
  "## Workspace snapshots (edgeclaw)",
  "",
  snapshot.markdown,
  "",
].join("\n");
writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), doc);
console.log(doc);
