// Configuration of cost control: budgets, rate limits, output cap, price overrides, caching and the A/B split.

import { isRecord } from "../protocol/json";
import { configError as fail, integer, type VarsOf } from "./read";

/** Prices of one model, in micro-USD per million tokens (the catalog's entries and LLM_PRICES's). */
export interface ModelPrice {
  provider: "openai" | "anthropic" | "workers-ai";
  /** The model name as sent to the provider; dated snapshots match by prefix (see `priceFor`). */
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  /** Cache writes that live 5 minutes (Anthropic's default), and 1 hour. Zero where the provider charges none. */
  cacheWrite5m: number;
  cacheWrite1h: number;
  /** Where the figures come from, and when they were read. */
  source: string;
  date: string;
}

export interface Variant {
  name: string;
  /** A model reference ("gpt-4o-mini", "anthropic:claude-haiku-4-5"). */
  model: string;
  weight: number;
}

export interface Experiment {
  name: string;
  variants: Variant[];
}

export interface MeteringConfig {
  /** Per-user defaults (admins override per user); null is no limit. micro-USD. */
  userDailyMicros: number | null;
  userMonthlyMicros: number | null;
  /** Limits over everyone; null is none (and then no global object is in any call's path). */
  globalDailyMicros: number | null;
  globalMonthlyMicros: number | null;
  /** Daily limits per model for each user (micro-USD), from BUDGET_MODEL_DAILY_USD. */
  modelDailyMicros: Map<string, number>;
  requestsPerMinute: number;
  tokensPerMinute: number;
  concurrentTurns: number;
  /** Output tokens a call may produce (sent as max_tokens; the budget reserves for it). */
  maxOutputTokens: number;
  prices: ModelPrice[];
  /**
   * Model references (`model` or `provider:model`) priced at 0 explicitly, from LLM_FREE_MODELS: local
   * OpenAI-compatible servers and other models that cost nothing. A model with no price is never called.
   */
  freeModels: string[];
  /**
   * Models a user may pick with `/model` (LLM_ALLOWED_MODELS), besides the configured model, its fallbacks
   * and the A/B variants; "*" allows any name; null is the default (the configured provider's priced models).
   */
  allowedModels: string[] | "*" | null;
  /** Gateway cache TTL in seconds for new sessions; null leaves the gateway's default, 0 skips the cache. */
  cacheTtlSeconds: number | null;
  experiment: Experiment | null;
}

export const METERING_VARIABLES = [
  "BUDGET_DAILY_USD",
  "BUDGET_MONTHLY_USD",
  "BUDGET_GLOBAL_DAILY_USD",
  "BUDGET_GLOBAL_MONTHLY_USD",
  "BUDGET_MODEL_DAILY_USD",
  "RATE_LIMIT_REQUESTS_PER_MIN",
  "RATE_LIMIT_TOKENS_PER_MIN",
  "MAX_CONCURRENT_TURNS",
  "LLM_MAX_OUTPUT_TOKENS",
  "LLM_PRICES",
  "LLM_FREE_MODELS",
  "LLM_ALLOWED_MODELS",
  "LLM_CACHE_TTL",
  "AB_EXPERIMENT",
] as const;
export type MeteringVars = VarsOf<typeof METERING_VARIABLES>;

export interface MeteringSlice {
  metering: MeteringConfig;
}

function usd(variable: string, value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw fail(variable, `must be a non-negative number of US dollars (got "${value}")`);
  return Math.round(n * 1_000_000);
}

/** An integer where a blank value (spaces only) is the default too. */
function int(variable: string, value: string | undefined, fallback: number, min: number, max: number): number {
  return integer(variable, value?.trim() === "" ? undefined : value, fallback, min, max);
}

function json(variable: string, value: string | undefined): unknown {
  if (value === undefined || value.trim() === "") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw fail(variable, "is not valid JSON");
  }
}

const PRICE_FIELDS = ["input", "output", "cacheRead", "cacheWrite5m", "cacheWrite1h"] as const;

function parsePrices(value: unknown): ModelPrice[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw fail("LLM_PRICES", "must be a JSON array");
  return value.map((entry, i) => {
    if (!isRecord(entry)) throw fail("LLM_PRICES", `entry ${i} is not an object`);
    const { provider, model } = entry;
    if (provider !== "openai" && provider !== "anthropic" && provider !== "workers-ai") {
      throw fail("LLM_PRICES", `entry ${i} needs provider openai, anthropic or workers-ai`);
    }
    if (typeof model !== "string" || model === "") throw fail("LLM_PRICES", `entry ${i} needs a model`);
    const numbers = PRICE_FIELDS.map((field) => {
      const n = entry[field] ?? 0;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
        throw fail("LLM_PRICES", `entry ${i}: ${field} must be integer micro-USD per million tokens`);
      }
      return n;
    });
    const [input = 0, output = 0, cacheRead = 0, cacheWrite5m = 0, cacheWrite1h = 0] = numbers;
    return {
      provider,
      model,
      input,
      output,
      cacheRead,
      cacheWrite5m,
      cacheWrite1h,
      source: "LLM_PRICES",
      date: "configured",
    };
  });
}

function parseExperiment(value: unknown): Experiment | null {
  if (value === undefined) return null;
  if (!isRecord(value) || typeof value.name !== "string" || !Array.isArray(value.variants)) {
    throw fail("AB_EXPERIMENT", 'must be {"name": "...", "variants": [{"name", "model", "weight"}, ...]}');
  }
  const variants = value.variants.map((v, i) => {
    if (
      !isRecord(v) ||
      typeof v.name !== "string" ||
      typeof v.model !== "string" ||
      typeof v.weight !== "number" ||
      v.weight <= 0
    ) {
      throw fail("AB_EXPERIMENT", `variant ${i} needs a name, a model and a positive weight`);
    }
    return { name: v.name, model: v.model, weight: v.weight };
  });
  if (variants.length < 2) throw fail("AB_EXPERIMENT", "needs at least two variants");
  return { name: value.name, variants };
}

const MODEL_REF = /^[\w.:/@-]{1,128}$/;

/** A comma-separated list of model references; each must look like a model name. */
function modelRefs(variable: string, value: string | undefined): string[] {
  const refs = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const ref of refs)
    if (!MODEL_REF.test(ref)) throw fail(variable, `has an entry that is not a model name: "${ref}"`);
  return refs;
}

function allowedModels(value: string | undefined): string[] | "*" | null {
  if (value === undefined || value.trim() === "") return null;
  if (value.trim() === "*") return "*";
  return modelRefs("LLM_ALLOWED_MODELS", value);
}

/** "gpt-4o=5, claude-opus-4-1=20": US dollars a day per model. */
function modelLimits(value: string | undefined): Map<string, number> {
  const limits = new Map<string, number>();
  for (const item of (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.lastIndexOf("=");
    const micros = eq > 0 ? usd("BUDGET_MODEL_DAILY_USD", item.slice(eq + 1)) : null;
    if (micros === null) throw fail("BUDGET_MODEL_DAILY_USD", `entries are model=dollars (got "${item}")`);
    limits.set(item.slice(0, eq).trim(), micros);
  }
  return limits;
}

export function parseMetering(vars: MeteringVars): MeteringSlice {
  return { metering: parseMeteringConfig(vars) };
}

function parseMeteringConfig(vars: MeteringVars): MeteringConfig {
  const ttl = vars.LLM_CACHE_TTL;
  return {
    userDailyMicros: usd("BUDGET_DAILY_USD", vars.BUDGET_DAILY_USD),
    userMonthlyMicros: usd("BUDGET_MONTHLY_USD", vars.BUDGET_MONTHLY_USD),
    globalDailyMicros: usd("BUDGET_GLOBAL_DAILY_USD", vars.BUDGET_GLOBAL_DAILY_USD),
    globalMonthlyMicros: usd("BUDGET_GLOBAL_MONTHLY_USD", vars.BUDGET_GLOBAL_MONTHLY_USD),
    modelDailyMicros: modelLimits(vars.BUDGET_MODEL_DAILY_USD),
    requestsPerMinute: int("RATE_LIMIT_REQUESTS_PER_MIN", vars.RATE_LIMIT_REQUESTS_PER_MIN, 60, 1, 100_000),
    tokensPerMinute: int("RATE_LIMIT_TOKENS_PER_MIN", vars.RATE_LIMIT_TOKENS_PER_MIN, 1_000_000, 1, 1_000_000_000),
    concurrentTurns: int("MAX_CONCURRENT_TURNS", vars.MAX_CONCURRENT_TURNS, 4, 1, 1000),
    maxOutputTokens: int("LLM_MAX_OUTPUT_TOKENS", vars.LLM_MAX_OUTPUT_TOKENS, 4096, 1, 1_000_000),
    prices: parsePrices(json("LLM_PRICES", vars.LLM_PRICES)),
    freeModels: modelRefs("LLM_FREE_MODELS", vars.LLM_FREE_MODELS),
    allowedModels: allowedModels(vars.LLM_ALLOWED_MODELS),
    cacheTtlSeconds: ttl === undefined || ttl === "" ? null : int("LLM_CACHE_TTL", ttl, 0, 0, 2_592_000),
    experiment: parseExperiment(json("AB_EXPERIMENT", vars.AB_EXPERIMENT)),
  };
}
