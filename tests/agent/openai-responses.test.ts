// The Responses adapter: stateless (store: false), encrypted reasoning carried across a tool step.

import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { openAiResponsesBody, openAiResponsesProvider } from "../../agent/providers/openai-responses";
import type { ChatMessage, ProviderEvent } from "../../agent/providers/types";
import { checkWire } from "../../agent/providers/wire-check/index";
import { RESPONSES_TOOL_STEP } from "./fixtures/openai-responses";

const replay = (text: string) => async () =>
  new Response(new Blob([text]).stream(), { headers: { "content-type": "text/event-stream" } });

describe("OpenAI Responses adapter", () => {
  it("parses a tool step as the openai SDK does, and sends its encrypted reasoning back with the call", async () => {
    const provider = openAiResponsesProvider({ baseUrl: "http://fixture/v1", fetch: replay(RESPONSES_TOOL_STEP) });
    const events: ProviderEvent[] = [];
    for await (const event of provider.stream({ model: "o4-mini", messages: [{ role: "user", content: "ls" }] }))
      if (event.type !== "meta") events.push(event);
    const client = new OpenAI({
      apiKey: "k",
      baseURL: "http://fixture/v1",
      fetch: replay(RESPONSES_TOOL_STEP),
      maxRetries: 0,
    });
    const final = await client.responses.stream({ model: "o4-mini", input: "ls" }).finalResponse();
    const sdkCall = final.output.find((item) => item.type === "function_call");
    const sdkReasoning = final.output.find((item) => item.type === "reasoning");
    const calls = events.filter((e) => e.type === "tool_call");
    expect(calls).toEqual([
      { type: "tool_call", id: sdkCall?.call_id, name: sdkCall?.name, argumentsJson: sdkCall?.arguments },
    ]);
    const part = events.find((e) => e.type === "reasoning_part");
    expect(part).toEqual({
      type: "reasoning_part",
      part: {
        kind: "encrypted",
        id: sdkReasoning?.id,
        encryptedContent: sdkReasoning?.encrypted_content,
        summary: sdkReasoning?.summary.map((s) => s.text).join("\n\n"),
      },
    });
    const usage = final.usage;
    expect(events.find((e) => e.type === "usage")).toMatchObject({
      usage: {
        inputTokens: (usage?.input_tokens ?? 0) - (usage?.input_tokens_details.cached_tokens ?? 0),
        cacheReadTokens: usage?.input_tokens_details.cached_tokens,
        outputTokens: usage?.output_tokens,
        reasoningTokens: usage?.output_tokens_details.reasoning_tokens,
      },
    });
    expect(events.at(-1)).toEqual({ type: "done", stopReason: "tool_calls" });

    // The next step: the reasoning item travels back encrypted, before its call, and the body is valid.
    const messages: ChatMessage[] = [
      { role: "user", content: "ls" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_12345xyz", name: "exec", argumentsJson: '{"cmd":"ls"}' }],
        ...(part?.type === "reasoning_part" ? { reasoning: [part.part] } : {}),
      },
      { role: "tool", toolCallId: "call_12345xyz", content: "a.txt" },
    ];
    const body = openAiResponsesBody({ model: "o4-mini", messages, think: "high", maxTokens: 500, system: "be brief" });
    expect(body).toMatchObject({
      store: false,
      include: ["reasoning.encrypted_content"],
      reasoning: { effort: "high" },
      max_output_tokens: 500,
      instructions: "be brief",
    });
    expect(body.input).toEqual([
      { role: "user", content: "ls" },
      {
        type: "reasoning",
        id: "rs_6820f383d7c08191846711c5df8233bc",
        encrypted_content: "gAAAAABoIPOE-encrypted",
        summary: [{ type: "summary_text", text: "Need the file list." }],
      },
      { type: "function_call", call_id: "call_12345xyz", name: "exec", arguments: '{"cmd":"ls"}' },
      { type: "function_call_output", call_id: "call_12345xyz", output: "a.txt" },
    ]);
    expect(checkWire("openai-responses", body)).toEqual([]);
    // What the API refuses: an output with no call, reasoning without its encrypted content when stateless.
    const input = Array.isArray(body.input) ? body.input : [];
    expect(checkWire("openai-responses", { ...body, input: [input[0], input[3]] }).map((v) => v.rule)).toEqual([
      "tool_result_without_call",
    ]);
    const stripped = input.map((item) =>
      item && typeof item === "object" && "encrypted_content" in item ? { type: "reasoning", id: "rs_1" } : item,
    );
    expect(checkWire("openai-responses", { ...body, input: stripped }).map((v) => v.rule)).toEqual([
      "reasoning_not_carried",
    ]);
  });
});
