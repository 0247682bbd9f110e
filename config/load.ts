// The configuration loader: the environment read once per isolate, unknown variables refused. The edge's alone.

import { type Config, type ConfigVars, KNOWN_VARIABLES, parseConfig } from "./config";
import { providerProblem } from "./llm";
import { configError } from "./read";

/** Prefixes of our variables: an unknown name with one of them is a typo and stops start-up. */
const OUR_PREFIXES = [
  "ACCESS_",
  "ADMIN_",
  "LLM_",
  "OPENAI_",
  "ANTHROPIC_",
  "AI_GATEWAY_",
  "SANDBOX_",
  "DEV_",
  "AGENT_",
  "BUDGET_",
  "RATE_LIMIT_",
  "AB_",
  "EXEC_",
  "APPROVAL_",
  "SNAPSHOT_",
  "SESSION_",
  "MCP_",
  "VAPID_",
  "OUTBOUND_",
  "SERVICE_",
  "UPLOAD_",
  "TELEGRAM_",
  // The variables without a family prefix: MAX_CONCURRENT_TURNS, SYSTEM_PROMPT, ALLOWED_ORIGINS.
  "MAX_",
  "SYSTEM_",
  "ALLOWED_",
];

function checkUnknown(env: object): void {
  for (const [name, value] of Object.entries(env)) {
    // An empty value sets nothing (the test suite blanks variables a developer's .dev.vars may add).
    if (typeof value !== "string" || value === "" || KNOWN_VARIABLES.has(name)) continue;
    if (OUR_PREFIXES.some((prefix) => name.startsWith(prefix))) throw configError(name, "is not a known variable");
  }
}

const cache = new WeakMap<object, Config>();

/** The configuration for this env object, parsed once per isolate. */
export function getConfig(env: ConfigVars): Config {
  let config = cache.get(env);
  if (config === undefined) {
    checkUnknown(env);
    config = parseConfig(env);
    const problem = providerProblem(config);
    if (problem) throw problem;
    cache.set(env, config);
  }
  return config;
}
