// Cost of one call from its normalised usage: integer micro-USD, or null when the model has no price.

import type { Usage } from "../providers/types";
import { CATALOG, type ModelPrice, PRICE_VERSION } from "./catalog";

export interface PriceBook {
  version: string;
  prices: readonly ModelPrice[];
}

export const DEFAULT_PRICES: PriceBook = { version: PRICE_VERSION, prices: CATALOG };

/**
 * The price of a model: an exact match, else the longest catalog name it starts with followed by "-"
 * (so dated snapshots such as `claude-sonnet-4-5-20250929` match `claude-sonnet-4-5`). Undefined when unknown.
 */
export function priceFor(book: PriceBook, provider: string, model: string): ModelPrice | undefined {
  const candidates = book.prices.filter((p) => p.provider === provider);
  const exact = candidates.find((p) => p.model === model);
  if (exact) return exact;
  return candidates.filter((p) => model.startsWith(`${p.model}-`)).sort((a, b) => b.model.length - a.model.length)[0];
}

/**
 * micro-USD, rounded once at the end (half up). Uncached input, cache reads, cache writes by lifetime
 * (writes the provider did not split are priced as 5-minute writes) and output (reasoning included).
 */
export function costMicros(price: ModelPrice, usage: Usage): number {
  const write1h = usage.cacheWrite1hTokens ?? 0;
  const write5m = usage.cacheWrite5mTokens ?? Math.max(0, usage.cacheWriteTokens - write1h);
  const unsplit = Math.max(0, usage.cacheWriteTokens - write5m - write1h);
  const total =
    usage.inputTokens * price.input +
    usage.cacheReadTokens * price.cacheRead +
    (write5m + unsplit) * price.cacheWrite5m +
    write1h * price.cacheWrite1h +
    usage.outputTokens * price.output;
  return Math.floor(total / 1_000_000 + 0.5);
}

/** The worst case of a call before it is made: all input uncached, every allowed output token used. */
export function worstCaseMicros(price: ModelPrice, inputTokens: number, maxOutputTokens: number): number {
  const inputRate = Math.max(price.input, price.cacheWrite5m, price.cacheWrite1h);
  return Math.ceil((inputTokens * inputRate + maxOutputTokens * price.output) / 1_000_000);
}

/** Reads LLM_PRICES: a JSON array of ModelPrice objects (micro-USD per million) that replace or add entries. */
export function priceBookWith(overrides: readonly ModelPrice[]): PriceBook {
  if (overrides.length === 0) return DEFAULT_PRICES;
  const key = (p: ModelPrice) => `${p.provider}:${p.model}`;
  const replaced = new Set(overrides.map(key));
  return {
    version: `${PRICE_VERSION}+overrides`,
    prices: [...CATALOG.filter((p) => !replaced.has(key(p))), ...overrides],
  };
}
