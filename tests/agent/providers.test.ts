// Provider adapters fed by handwritten streams: SSE edge cases, tool-call assembly, usage, errors, gateway.

import { describe, expect, it } from "vitest";
import { anthropicProvider } from "../../agent/providers/anthropic";
import { createProvider } from "../../agent/providers/factory";
import { openAiProvider } from "../../agent/providers/openai";
import { readSse } from "../../agent/providers/sse";
import { type ChatRequest, ProviderError, type ProviderEvent } from "../../agent/providers/types";
import { parseConfig } from "../../config/config";

const encoder = new TextEncoder();

/** A body that delivers `parts` as separate chunks, optionally failing at the end. */
function body(parts: string[], fail = false): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const part = parts.shift();
      if (part !== undefined) controller.enqueue(encoder.encode(part));
      else if (fail) controller.error(new Error("connection reset"));
      else controller.close();
    },
  });
}

interface Captured {
  url: string;
  headers: Headers;
  body: Record<string, unknown>;
}

function fakeFetch(response: () => Response, seen: Captured[] = []) {
  return async (url: string, init: RequestInit) => {
    seen.push({ url, headers: new Headers(init.headers), body: JSON.parse(String(init.body)) });
    return response();
  };
}

const sse =
  (parts: string[], fail = false) =>
  () =>
    new Response(body(parts, fail), { headers: { "content-type": "text/event-stream" } });

type Meta = Extract<ProviderEvent, { type: "meta" }>;

/** The events of a stream; the header-derived `meta` event is kept apart. */
async function collect(
  stream: AsyncIterable<ProviderEvent>,
): Promise<{ events: ProviderEvent[]; meta?: Meta; error?: ProviderError }> {
  const events: ProviderEvent[] = [];
  let meta: Meta | undefined;
  try {
    for await (const event of stream) {
      if (event.type === "meta") meta = event;
      else events.push(event);
    }
    return { events, ...(meta ? { meta } : {}) };
  } catch (error) {
    if (error instanceof ProviderError) return { events, ...(meta ? { meta } : {}), error };
    throw error;
  }
}

const request: ChatRequest = {
  model: "m",
  messages: [{ role: "user", content: "hi" }],
  metadata: { user: "u@x.com", session: "s1" },
};

describe("readSse", () => {
  it("handles chunks split anywhere, CRLF, comments and multi-line data", async () => {
    const events = [];
    const parts = [": comment\r\nevent: a\r", "\ndata: one\r\ndata: two\r\n", "\r\ndata: thr", "ee\n\n"];
    for await (const event of readSse(body(parts))) events.push(event);
    expect(events).toEqual([
      { event: "a", data: "one\ntwo" },
      { event: "message", data: "three" },
    ]);
  });
});

describe("OpenAI-compatible adapter", () => {
  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const usageChunk = `data: ${JSON.stringify({
    choices: [],
    usage: {
      prompt_tokens: 1000,
      completion_tokens: 50,
      prompt_tokens_details: { cached_tokens: 800 },
      completion_tokens_details: { reasoning_tokens: 20 },
    },
  })}\n\n`;
  const provider = (response: () => Response, seen?: Captured[]) =>
    openAiProvider({ baseUrl: "http://llm/v1", apiKey: "sk-test", fetch: fakeFetch(response, seen) });

  it("streams text, assembles tool calls from pieces and normalises usage", async () => {
    const parts = [
      chunk({ content: "Hel" }),
      chunk({ content: "lo" }),
      chunk({ tool_calls: [{ index: 0, id: "c1", function: { name: "get", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
      chunk({}, "tool_calls"),
      usageChunk,
      "data: [DONE]\n\n",
    ];
    const seen: Captured[] = [];
    const { events, error } = await collect(provider(sse(parts), seen).stream(request));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: "text", text: "Hel" },
      { type: "text", text: "lo" },
      { type: "tool_call", id: "c1", name: "get", argumentsJson: '{"a":1}' },
      {
        type: "usage",
        usage: {
          inputTokens: 200,
          outputTokens: 50,
          cacheReadTokens: 800,
          cacheWriteTokens: 0,
          reasoningTokens: 20,
          source: "provider",
        },
      },
      { type: "done", stopReason: "tool_calls" },
    ]);
    expect(seen[0]?.url).toBe("http://llm/v1/chat/completions");
    expect(seen[0]?.body.stream_options).toEqual({ include_usage: true });
    expect(seen[0]?.headers.get("authorization")).toBe("Bearer sk-test");
    expect(seen[0]?.headers.get("cf-aig-metadata")).toBeNull();
  });

  it("reports a cut stream after the text it received, and a malformed line", async () => {
    const cut = await collect(provider(sse([chunk({ content: "part" })], true)).stream(request));
    expect(cut.events).toEqual([{ type: "text", text: "part" }]);
    expect(cut.error?.code).toBe("stream_cut");
    const ended = await collect(provider(sse([chunk({ content: "x" })])).stream(request));
    expect(ended.error?.code).toBe("stream_cut");
    const bad = await collect(provider(sse(["data: {nope\n\n"])).stream(request));
    expect(bad.error?.code).toBe("bad_stream");
  });

  it("maps HTTP errors: 429 with Retry-After, 5xx, context overflow, network failure", async () => {
    const status =
      (code: number, text = "", headers: Record<string, string> = {}) =>
      () =>
        new Response(text, { status: code, headers });
    const run = async (response: () => Response) => (await collect(provider(response).stream(request))).error;
    const limited = await run(status(429, "slow down", { "retry-after": "7" }));
    expect([limited?.code, limited?.retryable, limited?.retryAfterMs]).toEqual(["provider_rate_limited", true, 7000]);
    const failed = await run(status(503));
    expect([failed?.code, failed?.retryable]).toEqual(["provider_error", true]);
    const overflow = await run(status(400, '{"error":{"message":"maximum context length is 8192 tokens"}}'));
    expect([overflow?.code, overflow?.retryable]).toEqual(["context_overflow", false]);
    const refused = () => Promise.reject(new TypeError("refused"));
    const down = await collect(openAiProvider({ baseUrl: "http://llm/v1", fetch: refused }).stream(request));
    expect([down.error?.code, down.error?.retryable]).toEqual(["provider_unavailable", true]);
  });

  it("stops promptly when aborted", async () => {
    const controller = new AbortController();
    const slow = () =>
      new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(encoder.encode(chunk({ content: "first" })));
          },
        }),
      );
    const events: ProviderEvent[] = [];
    // The body never closes: only the abort can end the stream (a hang fails the test by its timeout).
    const result = (async () => {
      for await (const event of provider(slow).stream({ ...request, signal: controller.signal })) {
        if (event.type === "meta") continue;
        events.push(event);
        controller.abort();
      }
    })();
    await expect(result).rejects.toMatchObject({ code: "aborted" });
    expect(events).toEqual([{ type: "text", text: "first" }]);
  });
});

describe("Anthropic adapter", () => {
  const ev = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const startUsage = {
    input_tokens: 30,
    output_tokens: 1,
    cache_read_input_tokens: 500,
    cache_creation_input_tokens: 70,
    cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 50 },
  };

  it("streams text and tool_use, and reads cumulative usage with cache reads and writes", async () => {
    const parts = [
      ev("message_start", { message: { usage: startUsage } }),
      ev("ping", {}),
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hi" } }),
      ev("content_block_stop", { index: 0 }),
      ev("content_block_start", {
        index: 1,
        content_block: { type: "tool_use", id: "toolu_1", name: "get", input: {} },
      }),
      ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"q":' } }),
      ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '"x"}' } }),
      ev("content_block_stop", { index: 1 }),
      ev("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 25 } }),
      ev("message_delta", { delta: {}, usage: { output_tokens: 42 } }),
      ev("message_stop", {}),
    ];
    const seen: Captured[] = [];
    const provider = anthropicProvider({ baseUrl: "http://llm", apiKey: "sk-ant", fetch: fakeFetch(sse(parts), seen) });
    const { events, error } = await collect(provider.stream({ ...request, system: "be brief" }));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: "text", text: "Hi" },
      { type: "tool_call", id: "toolu_1", name: "get", argumentsJson: '{"q":"x"}' },
      {
        type: "usage",
        usage: {
          inputTokens: 30,
          outputTokens: 42,
          cacheReadTokens: 500,
          cacheWriteTokens: 70,
          cacheWrite5mTokens: 20,
          cacheWrite1hTokens: 50,
          reasoningTokens: 0,
          source: "provider",
        },
      },
      { type: "done", stopReason: "tool_calls" },
    ]);
    expect(seen[0]?.url).toBe("http://llm/v1/messages");
    expect(seen[0]?.headers.get("x-api-key")).toBe("sk-ant");
    expect(seen[0]?.headers.get("anthropic-version")).toBe("2023-06-01");
    // The system prompt travels as a text block carrying a cache breakpoint (prompt caching).
    expect(seen[0]?.body.system).toEqual([{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }]);
  });

  it("turns an in-stream error event into a retryable provider error", async () => {
    const parts = [
      ev("message_start", { message: { usage: { input_tokens: 1 } } }),
      ev("error", { error: { type: "overloaded_error", message: "Overloaded" } }),
    ];
    const { error } = await collect(
      anthropicProvider({ baseUrl: "http://llm", fetch: fakeFetch(sse(parts)) }).stream(request),
    );
    expect([error?.code, error?.retryable]).toEqual(["provider_error", true]);
  });
});

describe("AI Gateway", () => {
  const done = () => new Response(body(["data: [DONE]\n\n"]));
  const anthropicDone = () => new Response(body([`data: ${JSON.stringify({ type: "message_stop" })}\n\n`]));
  const deps = (response: () => Response, seen: Captured[]) => ({ fetch: fakeFetch(response, seen), ai: undefined });

  it("routes through the gateway with its headers when configured, and not otherwise", async () => {
    const withGateway = parseConfig({
      DEV_AUTH: "1",
      AI_GATEWAY_ACCOUNT_ID: "acct",
      AI_GATEWAY_ID: "gw",
      AI_GATEWAY_TOKEN: "cf-token",
    }).agent;
    const seen: Captured[] = [];
    await collect(createProvider({ ...withGateway, provider: "openai", model: "m" }, deps(done, seen)).stream(request));
    await collect(
      createProvider({ ...withGateway, provider: "anthropic", model: "m" }, deps(anthropicDone, seen)).stream(request),
    );
    expect(seen.map((s) => s.url)).toEqual([
      "https://gateway.ai.cloudflare.com/v1/acct/gw/openai/chat/completions",
      "https://gateway.ai.cloudflare.com/v1/acct/gw/anthropic/v1/messages",
    ]);
    for (const call of seen) {
      expect(call.headers.get("cf-aig-authorization")).toBe("Bearer cf-token");
      expect(JSON.parse(call.headers.get("cf-aig-metadata") ?? "{}")).toEqual({ user: "u@x.com", session: "s1" });
    }
    const hit = () =>
      new Response(body(["data: [DONE]\n\n"]), { headers: { "cf-aig-cache-status": "HIT", "cf-aig-log-id": "log-1" } });
    const cached = await collect(
      createProvider({ ...withGateway, provider: "openai", model: "m" }, deps(hit, [])).stream(request),
    );
    expect(cached.meta).toEqual({ type: "meta", cacheHit: true, gatewayLogId: "log-1" });
    const options = { cacheTtlSeconds: 0, customCost: { perTokenIn: 1.5e-7, perTokenOut: 6e-7 } };
    const skip: Captured[] = [];
    await collect(
      createProvider({ ...withGateway, provider: "openai", model: "m" }, deps(done, skip)).stream({
        ...request,
        gateway: options,
      }),
    );
    expect(skip[0]?.headers.get("cf-aig-skip-cache")).toBe("true");
    expect(JSON.parse(skip[0]?.headers.get("cf-aig-custom-cost") ?? "{}")).toEqual({
      per_token_in: 1.5e-7,
      per_token_out: 6e-7,
    });
    const ttl: Captured[] = [];
    const withTtl = { ...request, gateway: { cacheTtlSeconds: 3600 } };
    await collect(createProvider({ ...withGateway, provider: "openai", model: "m" }, deps(done, ttl)).stream(withTtl));
    expect(ttl[0]?.headers.get("cf-aig-cache-ttl")).toBe("3600");
    const plain: Captured[] = [];
    const direct = parseConfig({ DEV_AUTH: "1", OPENAI_API_KEY: "sk-x" }).agent;
    await collect(createProvider({ ...direct, provider: "openai", model: "m" }, deps(done, plain)).stream(request));
    expect(plain[0]?.url).toBe("https://api.openai.com/v1/chat/completions");
    expect([...(plain[0]?.headers.keys() ?? [])].filter((h) => h.startsWith("cf-aig"))).toEqual([]);
  });
});
