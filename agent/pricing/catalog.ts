// The price catalog: integer micro-USD per million tokens, versioned, with the source and date of each figure.

import type { ModelPrice } from "../../config/metering";

export type { ModelPrice };

/** Bump when any figure changes; every ledger row records the version it was priced with. */
export const PRICE_VERSION = "2026-11-01";

const LITELLM = "BerriAI/litellm model_prices_and_context_window.json (commit 00035b69)";
const CF_DOCS = "cloudflare-docs workers-ai/platform/pricing.mdx";
const READ = "2026-11-01";
const usd = (dollars: number) => Math.round(dollars * 1_000_000);

function openai(model: string, input: number, output: number, cacheRead: number): ModelPrice {
  return {
    provider: "openai",
    model,
    input: usd(input),
    output: usd(output),
    cacheRead: usd(cacheRead),
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    source: LITELLM,
    date: READ,
  };
}

function anthropic(model: string, input: number, output: number): ModelPrice {
  // Anthropic: read 0.1×, 5-minute write 1.25×, 1-hour write 2× the input price.
  return {
    provider: "anthropic",
    model,
    input: usd(input),
    output: usd(output),
    cacheRead: usd(input * 0.1),
    cacheWrite5m: usd(input * 1.25),
    cacheWrite1h: usd(input * 2),
    source: LITELLM,
    date: READ,
  };
}

/**
 * A model priced at 0 explicitly (a local server, a built-in demo model): budgets admit it because its
 * price is known to be nothing, never because it has no price.
 */
export function freeModel(provider: ModelPrice["provider"], model: string, source: string): ModelPrice {
  return { provider, model, input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, source, date: READ };
}

export const CATALOG: readonly ModelPrice[] = [
  openai("gpt-4o", 2.5, 10, 1.25),
  openai("gpt-4o-mini", 0.15, 0.6, 0.075),
  openai("gpt-4.1", 2, 8, 0.5),
  openai("gpt-4.1-mini", 0.4, 1.6, 0.1),
  openai("gpt-4.1-nano", 0.1, 0.4, 0.025),
  openai("o3", 2, 8, 0.5),
  openai("o4-mini", 1.1, 4.4, 0.275),
  openai("gpt-5", 1.25, 10, 0.125),
  openai("gpt-5-mini", 0.25, 2, 0.025),
  openai("gpt-5-nano", 0.05, 0.4, 0.005),
  openai("gpt-5.1", 1.25, 10, 0.125),
  openai("gpt-5.2", 1.75, 14, 0.175),
  anthropic("claude-sonnet-4-5", 3, 15),
  anthropic("claude-sonnet-4", 3, 15),
  anthropic("claude-haiku-4-5", 1, 5),
  anthropic("claude-opus-4-5", 5, 25),
  anthropic("claude-opus-4-1", 15, 75),
  anthropic("claude-opus-4", 15, 75),
  {
    provider: "workers-ai",
    model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
    input: usd(0.293),
    output: usd(2.253),
    cacheRead: 0,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    source: CF_DOCS,
    date: READ,
  },
];
