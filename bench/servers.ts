// Starts edgeclaw and the Agents SDK peer under `wrangler dev` for the benchmarks, both on the stand-in LLM.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { FakeLlm } from "../devtools/demo-model/server.ts";
import { type DevServer, startDevServer } from "../tests/e2e/helpers/dev-server.ts";

export const PEER_DIR = "bench/peers/agents-sdk";

/** Limits high enough that the benchmarks measure the system, not its rate limits. */
const LIMITS = {
  RATE_LIMIT_REQUESTS_PER_MIN: "100000",
  RATE_LIMIT_TOKENS_PER_MIN: "1000000000",
  MAX_CONCURRENT_TURNS: "1000",
  RATE_LIMIT_FRAMES_PER_SEC: "100000",
};

/** edgeclaw with the stand-in LLM as its provider (the bench model listed as free). */
export function startEdgeclaw(llm: FakeLlm): Promise<DevServer> {
  return startDevServer({
    vars: { OPENAI_BASE_URL: `${llm.url}/v1`, LLM_MODEL: "bench-model", LLM_FREE_MODELS: "bench-model", ...LIMITS },
  });
}

/** The Agents SDK peer (its packages installed on first use). */
export function startPeer(llm: FakeLlm): Promise<DevServer> {
  if (!existsSync(`${PEER_DIR}/node_modules`)) {
    spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", PEER_DIR], { stdio: "inherit" });
  }
  return startDevServer({ config: `${PEER_DIR}/wrangler.toml`, vars: { OPENAI_BASE_URL: `${llm.url}/v1` } });
}
