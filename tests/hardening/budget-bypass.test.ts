// Spend attacks: an unpriced or unallowed model is never called, and parallel calls never exceed a budget.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { costMicros, priceFor } from "../../agent/pricing/cost";
import { inputTokenBound } from "../../agent/pricing/input-bound";
import { isAllowedModel, priceBook } from "../../agent/pricing/model-policy";
import type { ChatRequest, ToolSpec } from "../../agent/providers/types";
import { parseConfig } from "../../config/config";
import type { Script } from "../../devtools/demo-model/scripts";
import { createMeter, MeterRefusal } from "../../objects/session/agent/meter";
import type { AttemptOutcome } from "../../objects/session/agent/model-call";
import { createSession, join, login } from "../helpers/workers";
import { withHarness } from "../objects/agent/harness";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));
const script = (value: Script) => fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify(value) });

const base = { DEV_AUTH: "1", LLM_PROVIDER: "openai", LLM_MODEL: "gpt-4o-mini" };

describe("unpriced and unallowed models (V4)", () => {
  it("lets users pick only models the operator allowed; the default is the configured provider's priced catalog", () => {
    const config = parseConfig({ ...base, LLM_FALLBACK_MODELS: "gpt-4.1-mini", LLM_FREE_MODELS: "local-llama" });
    expect(isAllowedModel(config, "gpt-4o-mini")).toBe(true);
    expect(isAllowedModel(config, "gpt-4.1-mini")).toBe(true);
    expect(isAllowedModel(config, "gpt-4o")).toBe(true);
    expect(isAllowedModel(config, "gpt-4o-2024-08-06")).toBe(true);
    expect(isAllowedModel(config, "local-llama")).toBe(true);
    for (const ref of [
      "o1-pro",
      "chatgpt-4o-latest",
      "anthropic:claude-3-opus-20240229",
      "anthropic:claude-opus-4-1",
    ]) {
      expect(isAllowedModel(config, ref)).toBe(false);
    }
    const listed = parseConfig({ ...base, LLM_ALLOWED_MODELS: "anthropic:claude-haiku-4-5" });
    expect(isAllowedModel(listed, "anthropic:claude-haiku-4-5")).toBe(true);
    expect(isAllowedModel(listed, "gpt-4o-mini")).toBe(true);
    expect(isAllowedModel(listed, "gpt-4o")).toBe(false);
    expect(() => parseConfig({ ...base, LLM_FREE_MODELS: "bad model" })).toThrow(/LLM_FREE_MODELS/);
  });

  it("answers /model with a refusal for a model the operator did not allow, and keeps the current one", async () => {
    await withHarness(
      [],
      async (h) => {
        h.say("/model o1-pro");
        h.say("/model");
        const notices = h.events.flatMap((e) => (e.type === "notice" ? [e.text] : []));
        expect(notices[0]).toMatch(/o1-pro is not among the models this deployment allows/);
        expect(notices[1]).toBe("model: gpt-4o-mini");
      },
      { vars: { LLM_PROVIDER: "openai", LLM_MODEL: "gpt-4o-mini" } },
    );
  });

  it("prices local models at 0 explicitly, never by absence", () => {
    const config = parseConfig({ ...base, LLM_FREE_MODELS: "local-llama,anthropic:house-model" });
    const book = priceBook(config);
    expect(priceFor(book, "openai", "local-llama")).toMatchObject({ input: 0, output: 0, source: "LLM_FREE_MODELS" });
    expect(priceFor(book, "anthropic", "house-model")).toMatchObject({ input: 0, output: 0 });
    expect(priceFor(book, "openai", "o1-pro")).toBeUndefined();
  });

  it("refuses a turn on a model without a price before any call reaches the provider", async () => {
    const tag = `unpriced-${crypto.randomUUID()}`;
    await script({
      match: tag,
      steps: [{ kind: "text", chunks: ["free tokens"], usage: { input: 1_000_000, output: 100_000 } }],
    });
    const token = await login(`v4-${crypto.randomUUID()}@example.com`);
    const socket = await join(await createSession(token), token);
    socket.send({ type: "user_message", id: "m", text: "/model o1-pro" });
    socket.send({ type: "user_message", id: "go", text: `spend ${tag}` });
    await socket.until(() => socket.of("turn_end").length === 1);
    expect(socket.of("turn_end")[0]?.reason).toBe("error");
    const error = socket.of("error").at(-1);
    expect(error?.code).toBe("model_not_allowed");
    expect(error?.message).toMatch(/LLM_PRICES|LLM_FREE_MODELS/);
    expect(socket.of("assistant_delta")).toEqual([]);
    expect(socket.of("usage")).toEqual([]);
    // The stand-in provider never saw the request.
    const seen = await (await fetch(`${FAKE}/__requests`)).text();
    expect(seen).not.toContain(tag);
    socket.close();
  });
});

const TOOLS: ToolSpec[] = Array.from({ length: 12 }, (_, i) => ({
  name: `tool_${i}`,
  description: `A tool with a long description ${"that the model reads ".repeat(40)}`,
  parameters: { type: "object", properties: { path: { type: "string", description: "x".repeat(200) } } },
}));

/** A request whose real token count is far above chars ÷ 4: CJK text, tool schemas, a big system prompt. */
function heavyRequest(): ChatRequest {
  return {
    model: "claude-sonnet-4-5",
    system: `You are edgeclaw.\n${"記憶の要約。".repeat(800)}`,
    messages: [
      { role: "user", content: "東京の天気は？".repeat(400) },
      { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "tool_1", argumentsJson: '{"path":"a"}' }] },
      { role: "tool", toolCallId: "c1", content: "結果".repeat(500) },
    ],
    tools: TOOLS,
    maxTokens: 2_000,
  };
}

describe("budgets under parallel turns (V5)", () => {
  it("never exceeds the budget, whatever the number of parallel calls and however dear the input", async () => {
    const user = `v5-${crypto.randomUUID()}@example.com`;
    await env.USAGE.getByName(`user:${user}`).setBudget({ dailyMicros: 1_000_000, monthlyMicros: null }, "test");
    const config = parseConfig({ ...base, LLM_ALLOWED_MODELS: "anthropic:claude-sonnet-4-5" });
    const request = heavyRequest();
    // The dearest bill a provider could send for this request: every byte a token, all written to a 1-hour
    // cache (2× input), every output token used.
    const price = priceFor(priceBook(config), "anthropic", "claude-sonnet-4-5");
    if (!price) throw new Error("claude-sonnet-4-5 must be priced");
    const bytes = new TextEncoder().encode(JSON.stringify(request)).length;
    const dearest = {
      inputTokens: 0,
      outputTokens: 2_000,
      cacheReadTokens: 0,
      cacheWriteTokens: bytes,
      cacheWrite1hTokens: bytes,
      reasoningTokens: 0,
      source: "provider" as const,
    };
    expect(inputTokenBound(request)).toBeGreaterThanOrEqual(bytes);
    const meters = Array.from({ length: 8 }, (_, i) =>
      createMeter({
        usage: (scope) => env.USAGE.getByName(scope),
        config,
        user,
        sessionId: `s${i}`,
        variant: null,
        cacheTtl: null,
        turnId: `t${i}`,
        step: () => 1,
        record: () => {},
        onWarnings: () => {},
      }),
    );
    // Eight turns ask at once, all before any settles (the parallel case of the review).
    const tickets = await Promise.allSettled(
      meters.map((m) => m.before({ provider: "anthropic", model: "claude-sonnet-4-5", attempt: 1, request })),
    );
    const admitted = tickets.flatMap((t, i) =>
      t.status === "fulfilled" ? [{ meter: meters[i], ticket: t.value }] : [],
    );
    expect(admitted.length).toBeGreaterThan(0);
    expect(admitted.length).toBeLessThan(8);
    for (const t of tickets) {
      if (t.status === "rejected") expect(t.reason).toBeInstanceOf(MeterRefusal);
    }
    const outcome: AttemptOutcome = {
      ok: true,
      error: null,
      text: "x",
      usage: dearest,
      startedAt: Date.now(),
      endedAt: Date.now(),
      firstTokenAt: null,
      cacheHit: false,
      gatewayLogId: null,
    };
    for (const { meter, ticket } of admitted) await meter?.after(ticket, outcome);
    const status = await env.USAGE.getByName(`user:${user}`).budget();
    expect(status.spentTodayMicros).toBe(admitted.length * costMicros(price, dearest));
    expect(status.spentTodayMicros).toBeLessThanOrEqual(1_000_000);
    expect(status.reservedMicros).toBe(0);
  });
});
