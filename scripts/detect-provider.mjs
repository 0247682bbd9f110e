// Which model `npm run dev` uses: a configured provider, else a running local OpenAI-compatible server, else the demo model.
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";

/** The variables that choose and reach a provider; from the process env these are forwarded to the worker. */
export const PROVIDER_VARIABLES = [
  "LLM_PROVIDER",
  "LLM_MODEL",
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_BASE_URL",
  "AI_GATEWAY_ACCOUNT_ID",
  "AI_GATEWAY_ID",
  "AI_GATEWAY_TOKEN",
];

/** Local OpenAI-compatible servers, probed in this order through their model lists. */
export const LOCAL_SERVERS = [
  { name: "Ollama", baseUrl: "http://127.0.0.1:11434/v1" },
  { name: "LM Studio", baseUrl: "http://127.0.0.1:1234/v1" },
  { name: "llama.cpp server", baseUrl: "http://127.0.0.1:8080/v1" },
];

/** Set to 0 (process env or .dev.vars) to skip probing local servers. */
export const PROBE_SWITCH = "EDGECLAW_LOCAL_LLM_PROBE";

/** A probe gives up on a server after this long (nothing listening answers at once; this bounds a hung one). */
const PROBE_TIMEOUT_MS = 2000;

/** The variables of a `.dev.vars` file, or {} when there is none. */
export function readDevVars(path) {
  return existsSync(path) ? parseEnv(readFileSync(path, "utf8")) : {};
}

/** The `--var NAME:value` (or `--var=NAME:value`) pairs of wrangler arguments. */
export function argVars(args) {
  const vars = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const pair = arg === "--var" ? (args[++i] ?? "") : arg.startsWith("--var=") ? arg.slice(6) : null;
    if (pair === null) continue;
    const colon = pair.indexOf(":");
    if (colon > 0) vars[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return vars;
}

const set = (value) => typeof value === "string" && value.trim() !== "";

/**
 * Whether these variables really configure the chosen provider: its key is set, or its base URL names a server
 * (a keyless one such as Ollama). wrangler.toml's [vars] defaults are not read, so they never count.
 */
export function configuredProvider(vars) {
  const provider = set(vars.LLM_PROVIDER) ? vars.LLM_PROVIDER.trim() : "openai";
  const gateway = set(vars.AI_GATEWAY_ACCOUNT_ID) && set(vars.AI_GATEWAY_ID);
  if (provider === "openai" && (set(vars.OPENAI_API_KEY) || set(vars.OPENAI_BASE_URL) || gateway)) return provider;
  if (provider === "anthropic" && (set(vars.ANTHROPIC_API_KEY) || set(vars.ANTHROPIC_BASE_URL) || gateway))
    return provider;
  if (provider === "workers-ai") return provider;
  return null;
}

/** The first chat model a server lists at GET {baseUrl}/models, or null when none answers. */
export async function probeServer(baseUrl, fetchImpl = fetch) {
  try {
    const response = await fetchImpl(`${baseUrl}/models`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (!response.ok) return null;
    const body = await response.json();
    const ids = Array.isArray(body?.data) ? body.data.map((m) => m?.id).filter((id) => typeof id === "string") : [];
    return ids.find((id) => !/embed/i.test(id)) ?? null;
  } catch {
    return null;
  }
}

/**
 * Picks the model. `sources` are the process env, `.dev.vars` and the `--var`s, later ones winning.
 * Returns what was found and the variables the worker must get on top of the developer's own.
 */
export async function detectProvider({ processEnv, devVars, cliVars, servers = LOCAL_SERVERS, fetchImpl = fetch }) {
  const fromProcess = Object.fromEntries(
    PROVIDER_VARIABLES.filter((name) => set(processEnv[name])).map((name) => [name, processEnv[name]]),
  );
  const merged = { ...fromProcess, ...devVars, ...cliVars };
  const provider = configuredProvider(merged);
  if (provider !== null) {
    const model = set(merged.LLM_MODEL) ? merged.LLM_MODEL : "the default model";
    return { kind: "configured", label: `${provider} (${model})`, vars: fromProcess };
  }
  const probe = (processEnv[PROBE_SWITCH] ?? devVars[PROBE_SWITCH] ?? "1") !== "0";
  for (const server of probe ? servers : []) {
    const model = await probeServer(server.baseUrl, fetchImpl);
    if (model === null) continue;
    const vars = { LLM_PROVIDER: "openai", OPENAI_BASE_URL: server.baseUrl, LLM_MODEL: model };
    return { kind: "local", label: `${server.name} at ${server.baseUrl} (${model})`, vars: freeModel(vars, merged) };
  }
  return { kind: "demo", label: "the built-in demo model (scripted replies)", vars: {} };
}

/** The worker variables of the demo model served at `url`, priced at 0 explicitly (LLM_PRICES). */
export function demoVars(url, merged = {}) {
  const vars = { LLM_PROVIDER: "openai", OPENAI_BASE_URL: `${url}/v1`, LLM_MODEL: "edgeclaw-demo", LLM_DEMO: "1" };
  return freeModel(vars, merged);
}

/** A model on this machine costs nothing: price it at 0 (added to any LLM_PRICES the developer set). */
function freeModel(vars, merged) {
  let prices = [];
  try {
    prices = set(merged.LLM_PRICES) ? JSON.parse(merged.LLM_PRICES) : [];
  } catch {
    return vars; // A malformed LLM_PRICES is left for the worker to report.
  }
  const free = { provider: "openai", model: vars.LLM_MODEL, input: 0, output: 0 };
  return { ...vars, LLM_PRICES: JSON.stringify([...(Array.isArray(prices) ? prices : []), free]) };
}

/** Lines of a dotenv file: single-quoted values are taken literally by wrangler's parser. */
export function envFileText(vars) {
  return Object.entries(vars)
    .map(([name, value]) => {
      const quote = !value.includes("'") ? "'" : !value.includes('"') ? '"' : "`";
      return `${name}=${quote}${value}${quote}`;
    })
    .join("\n");
}
