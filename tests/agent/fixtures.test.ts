// The recorded stream corpus: our parsers give the same text, tool calls and usage as the official SDKs
// (`openai`, `@anthropic-ai/sdk`), which serve as the oracle; quirks they do not model say what they mean.

import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { ChatCompletionStream } from "openai/lib/ChatCompletionStream";
import { describe, expect, it } from "vitest";
import { anthropicProvider } from "../../agent/providers/anthropic";
import { openAiProvider } from "../../agent/providers/openai";
import {
  type ChatRequest,
  ProviderError,
  type ProviderEvent,
  type ReasoningPart,
  type Usage,
} from "../../agent/providers/types";
import { workersAiProvider } from "../../agent/providers/workers-ai";
import { ANTHROPIC } from "./fixtures/anthropic";
import { OPENAI_CHAT } from "./fixtures/openai-chat";
import type { StreamFixture } from "./fixtures/sse";
import { WORKERS_AI } from "./fixtures/workers-ai";

const body = (text: string) => new Blob([text]).stream();
const replay = (text: string) => async () =>
  new Response(body(text), { headers: { "content-type": "text/event-stream" } });

interface Parsed {
  text: string;
  reasoning: string;
  parts: ReasoningPart[];
  toolCalls: { id: string; name: string; args: unknown }[];
  usage: Usage | null;
  error: unknown;
}

async function ours(events: AsyncIterable<ProviderEvent>): Promise<Parsed> {
  const out: Parsed = { text: "", reasoning: "", parts: [], toolCalls: [], usage: null, error: undefined };
  try {
    for await (const event of events) {
      if (event.type === "text") out.text += event.text;
      else if (event.type === "reasoning") out.reasoning += event.text;
      else if (event.type === "reasoning_part") out.parts.push(event.part);
      else if (event.type === "tool_call")
        out.toolCalls.push({ id: event.id, name: event.name, args: JSON.parse(event.argumentsJson) });
      else if (event.type === "usage") out.usage = event.usage;
    }
  } catch (error) {
    out.error = error;
  }
  return out;
}

const request = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };

/** What the OpenAI SDK's own stream accumulator makes of a Chat Completions stream. */
async function openAiOracle(sse: string) {
  const client = new OpenAI({ apiKey: "sk-test", baseURL: "http://fixture/v1", fetch: replay(sse), maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
  });
  let last: OpenAI.Chat.Completions.ChatCompletionChunk["usage"] = null;
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    if (chunk.usage) last = chunk.usage;
  }
  // The SDK's own accumulator, fed the chunks its own SSE reader parsed.
  const runner = ChatCompletionStream.fromReadableStream(
    new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(`${JSON.stringify(chunk)}\n`));
        controller.close();
      },
    }),
  );
  const message = (await runner.finalChatCompletion()).choices[0]?.message;
  return { message, usage: last };
}

function openAiUsageOf(raw: OpenAI.CompletionUsage) {
  const cached = raw.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    inputTokens: raw.prompt_tokens - cached,
    outputTokens: raw.completion_tokens,
    cacheReadTokens: cached,
    reasoningTokens: raw.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

function checkExpected(fixture: StreamFixture, parsed: Parsed) {
  const expected = fixture.expected;
  if (!expected) return;
  if (expected.text !== undefined) expect(parsed.text).toBe(expected.text);
  if (expected.reasoning !== undefined) expect(parsed.reasoning).toBe(expected.reasoning);
  if (expected.toolCalls)
    expect(parsed.toolCalls.map(({ name, args }) => ({ name, args }))).toEqual(expected.toolCalls);
  if (expected.usage === "none") expect(parsed.usage).toBeNull();
  if (expected.inputTokens !== undefined) expect(parsed.usage?.inputTokens).toBe(expected.inputTokens);
  if (expected.outputTokens !== undefined) expect(parsed.usage?.outputTokens).toBe(expected.outputTokens);
}

async function compareWithOpenAiSdk(fixture: StreamFixture, parsed: Parsed) {
  expect(parsed.error).toBeUndefined();
  const { message, usage } = await openAiOracle(fixture.sse);
  const content = message?.content ?? "";
  // Open models' <think> block is reasoning for us and plain content for the SDK.
  const think = /^\s*<think>([\s\S]*?)<\/think>/.exec(content);
  expect(parsed.text).toBe(`${think ? content.slice(think[0].length) : content}${message?.refusal ?? ""}`);
  if (think) expect(parsed.reasoning).toBe(think[1]);
  if (!fixture.expected?.toolCalls) {
    expect(parsed.toolCalls).toEqual(
      (message?.tool_calls ?? []).map((call) => ({
        id: call.id,
        name: call.type === "function" ? call.function.name : "",
        args: call.type === "function" ? JSON.parse(call.function.arguments) : null,
      })),
    );
  }
  if (usage) expect(parsed.usage).toMatchObject(openAiUsageOf(usage));
  else expect(parsed.usage).toBeNull();
}

describe("recorded OpenAI Chat Completions streams", () => {
  for (const fixture of OPENAI_CHAT) {
    it(`${fixture.name} — parsed as the openai SDK does`, async () => {
      const provider = openAiProvider({ baseUrl: "http://fixture/v1", fetch: replay(fixture.sse) });
      const parsed = await ours(provider.stream(request));
      await compareWithOpenAiSdk(fixture, parsed);
      checkExpected(fixture, parsed);
    });
  }
});

describe("recorded Anthropic Messages streams", () => {
  for (const fixture of ANTHROPIC) {
    it(`${fixture.name} — parsed as the @anthropic-ai/sdk does`, async () => {
      const provider = anthropicProvider({ baseUrl: "http://fixture", fetch: replay(fixture.sse) });
      const parsed = await ours(provider.stream(request));
      const client = new Anthropic({
        apiKey: "k",
        baseURL: "http://fixture",
        fetch: replay(fixture.sse),
        maxRetries: 0,
      });
      let final: Anthropic.Message | null = null;
      let sdkError: unknown;
      try {
        final = await client.messages
          .stream({ model: "m", max_tokens: 100, messages: [{ role: "user", content: "hi" }] })
          .finalMessage();
      } catch (error) {
        sdkError = error;
      }
      if (sdkError !== undefined || final === null) {
        // Both fail: ours as a retryable provider error.
        expect(sdkError).toBeDefined();
        expect(parsed.error).toBeInstanceOf(ProviderError);
        expect(parsed.error).toMatchObject({ code: "provider_error", retryable: true });
        return;
      }
      expect(parsed.error).toBeUndefined();
      const blocks = final.content;
      expect(parsed.text).toBe(blocks.map((b) => (b.type === "text" ? b.text : "")).join(""));
      expect(parsed.toolCalls).toEqual(
        blocks.flatMap((b) => (b.type === "tool_use" ? [{ id: b.id, name: b.name, args: b.input }] : [])),
      );
      expect(parsed.parts).toEqual(
        blocks.flatMap((b): ReasoningPart[] =>
          b.type === "thinking"
            ? [{ kind: "thinking", text: b.thinking, signature: b.signature }]
            : b.type === "redacted_thinking"
              ? [{ kind: "redacted_thinking", data: b.data }]
              : [],
        ),
      );
      expect(parsed.reasoning).toBe(blocks.map((b) => (b.type === "thinking" ? b.thinking : "")).join(""));
      const u = final.usage;
      expect(parsed.usage).toMatchObject({
        inputTokens: u.input_tokens,
        outputTokens: u.output_tokens,
        cacheReadTokens: u.cache_read_input_tokens ?? 0,
        cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
        ...(u.cache_creation
          ? {
              cacheWrite5mTokens: u.cache_creation.ephemeral_5m_input_tokens,
              cacheWrite1hTokens: u.cache_creation.ephemeral_1h_input_tokens,
            }
          : {}),
      });
    });
  }
});

/**
 * What the AI binding refuses of a text-generation input, after its published input schema (workers-types'
 * `Ai_Cf_Meta_Llama_3_3_70B_Instruct_Fp8_Fast_Messages`): content a string or parts (never null), tools with a
 * name and a parameters object with `type` and `properties`.
 */
function workersAiInputProblem(input: unknown): string | null {
  const { messages, tools } = input as { messages?: unknown; tools?: unknown };
  if (!Array.isArray(messages) || messages.length === 0) return "messages is required";
  for (const [i, m] of messages.entries()) {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    if (typeof role !== "string") return `/messages/${i}/role must be string`;
    if (typeof content !== "string" && !Array.isArray(content)) return `/messages/${i}/content must be string`;
  }
  for (const [i, t] of (Array.isArray(tools) ? tools : []).entries()) {
    const fn = ((t as { function?: unknown })?.function ?? t) as { name?: unknown; parameters?: unknown };
    const parameters = fn.parameters as { type?: unknown; properties?: unknown } | undefined;
    if (typeof fn.name !== "string") return `/tools/${i} name is required`;
    if (typeof parameters?.type !== "string" || typeof parameters.properties !== "object")
      return `/tools/${i} parameters must have type and properties`;
  }
  return null;
}

describe("Workers AI through a fake AI binding replaying recorded streams", () => {
  it("sends an assistant message that only called tools with string content, as the binding's schema wants", async () => {
    const inputs: unknown[] = [];
    const ai = {
      run: async (_model: string, input: unknown) => {
        const problem = workersAiInputProblem(input);
        if (problem) throw new Error(`AiError: 5006: ${problem}`);
        inputs.push(input);
        return body(WORKERS_AI[0]?.sse ?? "");
      },
    };
    const provider = workersAiProvider({ ai });
    const history: ChatRequest["messages"] = [
      { role: "user", content: "list" },
      { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "exec", argumentsJson: "{}" }] },
      { role: "tool", toolCallId: "c1", content: "a.txt" },
    ];
    const tools = [{ name: "exec", description: "runs", parameters: { type: "object" } }];
    const parsed = await ours(provider.stream({ ...request, messages: history, tools }));
    expect(parsed.error).toBeUndefined();
    expect(inputs).toHaveLength(1);
    expect(workersAiInputProblem({ messages: [{ role: "assistant", content: null }] })).toMatch(/content/);
  });

  for (const fixture of WORKERS_AI) {
    it(`${fixture.name}`, async () => {
      const calls: unknown[][] = [];
      const ai = {
        run: async (...args: unknown[]) => {
          const problem = workersAiInputProblem(args[1]);
          if (problem) throw new Error(`AiError: 5006: ${problem}`);
          calls.push(args);
          return body(fixture.sse);
        },
      };
      const provider = workersAiProvider({ ai, gateway: () => ({ id: "gw", metadata: { user: "u" } }) });
      const parsed = await ours(
        provider.stream({ ...request, model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast", maxTokens: 64 }),
      );
      expect(calls[0]?.[0]).toBe("@cf/meta/llama-3.3-70b-instruct-fp8-fast");
      expect(calls[0]?.[1]).toMatchObject({
        stream: true,
        max_tokens: 64,
        messages: [{ role: "user", content: "hi" }],
      });
      // Through AI Gateway when configured.
      expect(calls[0]?.[2]).toEqual({ gateway: { id: "gw", metadata: { user: "u" } } });
      if (fixture.expected) {
        expect(parsed.error).toBeUndefined();
        checkExpected(fixture, parsed);
      } else await compareWithOpenAiSdk(fixture, parsed);
    });
  }
});
