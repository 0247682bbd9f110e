// The price catalog and cost arithmetic: complete, plausible, and exact to the micro-dollar.

import { describe, expect, it } from "vitest";
import { assignVariant } from "../../agent/ab";
import { CATALOG } from "../../agent/pricing/catalog";
import { costMicros, DEFAULT_PRICES, priceBookWith, priceFor, worstCaseMicros } from "../../agent/pricing/cost";
import type { Usage } from "../../agent/providers/types";

const usage = (u: Partial<Usage>): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  source: "provider",
  ...u,
});

describe("price catalog", () => {
  it("has every field, a source and a date, and no absurd cache price", () => {
    const seen = new Set<string>();
    for (const p of CATALOG) {
      const key = `${p.provider}:${p.model}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      for (const field of ["input", "output", "cacheRead", "cacheWrite5m", "cacheWrite1h"] as const) {
        expect(Number.isInteger(p[field]) && p[field] >= 0, `${key} ${field}`).toBe(true);
      }
      expect(p.input, key).toBeGreaterThan(0);
      expect(p.output, key).toBeGreaterThanOrEqual(p.input);
      expect(p.cacheRead, key).toBeLessThanOrEqual(p.input);
      // A cache write may cost more than plain input, but not absurdly so.
      expect(p.cacheWrite5m, key).toBeLessThanOrEqual(p.input * 3);
      expect(p.cacheWrite1h, key).toBeLessThanOrEqual(p.input * 3);
      expect(p.source.length, key).toBeGreaterThan(5);
      expect(p.date, key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("matches dated snapshots by prefix, and knows nothing of unknown models", () => {
    expect(priceFor(DEFAULT_PRICES, "anthropic", "claude-sonnet-4-5-20250929")?.model).toBe("claude-sonnet-4-5");
    expect(priceFor(DEFAULT_PRICES, "openai", "gpt-4o-mini")?.model).toBe("gpt-4o-mini");
    expect(priceFor(DEFAULT_PRICES, "openai", "gpt-4o-mini-2024-07-18")?.model).toBe("gpt-4o-mini");
    expect(priceFor(DEFAULT_PRICES, "openai", "mystery-model")).toBeUndefined();
    expect(priceFor(DEFAULT_PRICES, "anthropic", "gpt-4o")).toBeUndefined();
  });

  it("prices OpenAI and Anthropic usage exactly, counting cache tokens once", () => {
    const mini = priceFor(DEFAULT_PRICES, "openai", "gpt-4o-mini");
    const haiku = priceFor(DEFAULT_PRICES, "anthropic", "claude-haiku-4-5");
    if (!mini || !haiku) throw new Error("catalog entries missing");
    // 100 uncached × 0.15 + 300 cached × 0.075 + 40 output × 0.60 (per million) = 61.5 µ$ → 62.
    expect(
      costMicros(mini, usage({ inputTokens: 100, cacheReadTokens: 300, outputTokens: 40, reasoningTokens: 12 })),
    ).toBe(62);
    // 100 × 1 + 300 × 0.1 + 20 (5 m) × 1.25 + 30 (1 h) × 2 + 40 × 5 = 100 + 30 + 25 + 60 + 200 = 415 µ$.
    const split = usage({
      inputTokens: 100,
      cacheReadTokens: 300,
      cacheWriteTokens: 50,
      cacheWrite5mTokens: 20,
      cacheWrite1hTokens: 30,
      outputTokens: 40,
    });
    expect(costMicros(haiku, split)).toBe(415);
    // Unsplit writes are 5-minute writes: 100 + 30 + 62.5 + 200 = 392.5 → 393.
    expect(
      costMicros(haiku, usage({ inputTokens: 100, cacheReadTokens: 300, cacheWriteTokens: 50, outputTokens: 40 })),
    ).toBe(393);
    expect(worstCaseMicros(mini, 1000, 4096)).toBe(Math.ceil((1000 * 150_000 + 4096 * 600_000) / 1e6));
  });

  it("lets configuration override and add prices under a new version", () => {
    const book = priceBookWith([
      {
        provider: "openai",
        model: "gpt-4o-mini",
        input: 1,
        output: 2,
        cacheRead: 0,
        cacheWrite5m: 0,
        cacheWrite1h: 0,
        source: "x",
        date: "y",
      },
    ]);
    expect(book.version).toContain("overrides");
    expect(priceFor(book, "openai", "gpt-4o-mini")?.input).toBe(1);
    expect(priceFor(book, "openai", "gpt-4o")?.input).toBe(2_500_000);
  });
});

describe("A/B assignment", () => {
  it("is stable per session and within 5 % of the weights over 1,000 sessions", async () => {
    const experiment = {
      name: "models-v1",
      variants: [
        { name: "a", model: "gpt-4o-mini", weight: 70 },
        { name: "b", model: "anthropic:claude-haiku-4-5", weight: 30 },
      ],
    };
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 1000; i++) {
      const id = `session-${i}`;
      const variant = await assignVariant(experiment, id);
      expect((await assignVariant(experiment, id)).name).toBe(variant.name);
      counts[variant.name as "a" | "b"]++;
    }
    expect(Math.abs(counts.a / 1000 - 0.7)).toBeLessThan(0.05);
    expect(Math.abs(counts.b / 1000 - 0.3)).toBeLessThan(0.05);
  });
});
