// `npm run bench`: starts the service (wrangler dev) and the stand-in LLM on loopback, runs every benchmark,
// prints the figures and writes docs/benchmarks.md.

import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { startDevServer } from "../tests/e2e/helpers/dev-server.ts";
import { startFakeLlm } from "../tests/fake-llm/server.ts";
import { benchAgentStream } from "./agent-stream.ts";
import { benchSnapshot } from "./snapshot.ts";

const llm = await startFakeLlm();
const server = await startDevServer({ vars: { OPENAI_BASE_URL: `${llm.url}/v1`, LLM_MODEL: "bench-model" } });
try {
  const stream = await benchAgentStream(server.url, llm);
  const snapshot = await benchSnapshot(server.url, server.sandbox);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const doc = [
    "# Benchmarks",
    "",
    "Measured by `npm run bench` on loopback: `wrangler dev` (workerd) serving edgeclaw, the stand-in LLM",
    "(`tests/fake-llm/server.ts`) as the provider, and real WebSocket clients from Node.",
    "",
    `Machine: ${machine}. Run: ${new Date().toISOString()}.`,
    "",
    "## Agent streaming",
    "",
    stream.markdown,
    "",
    "The first piece of an answer is sent at once; later pieces are coalesced into at most one",
    "`assistant_delta` per 50 ms, so a long answer costs few storage writes.",
    "",
    "## Workspace snapshots",
    "",
    snapshot.markdown,
    "",
  ].join("\n");
  writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), doc);
  console.log(doc);
} finally {
  await server.stop();
  await llm.close();
}
