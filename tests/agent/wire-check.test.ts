// The outgoing-request checker: what OpenAI and Anthropic refuse, and that our adapters' bodies pass it.

import { describe, expect, it } from "vitest";
import { anthropicBody } from "../../agent/providers/anthropic-wire";
import { openAiResponsesBody } from "../../agent/providers/openai-responses";
import { openAiChatBody } from "../../agent/providers/openai-wire";
import type { ChatMessage, ChatRequest } from "../../agent/providers/types";
import { checkWire, MAX_CACHE_BREAKPOINTS } from "../../agent/providers/wire-check/index";
import { MAX_OFFERED_TOOLS, type Tool, ToolRegistry } from "../../agent/tools/types";

const rules = (api: Parameters<typeof checkWire>[0], body: unknown) => checkWire(api, body).map((v) => v.rule);

const loop: ChatMessage[] = [
  { role: "user", content: "list files" },
  {
    role: "assistant",
    content: "",
    toolCalls: [
      { id: "c1", name: "exec", argumentsJson: '{"cmd":"ls"}' },
      { id: "c2", name: "exec", argumentsJson: '{"cmd":"pwd"}' },
    ],
  },
  { role: "tool", toolCallId: "c1", content: "a.txt" },
  { role: "tool", toolCallId: "c2", content: "/w" },
];
const tools = [{ name: "exec", description: "runs", parameters: { type: "object" } }];
const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "gpt-4o-mini",
  system: "be brief",
  messages: loop,
  tools,
  maxTokens: 1000,
  ...extra,
});

describe("OpenAI Chat Completions rules", () => {
  it("accepts our body, and refuses a tool message with no call before it or a call left unanswered", () => {
    expect(rules("openai-chat", openAiChatBody(request()))).toEqual([]);
    const orphan = openAiChatBody(request({ messages: [{ role: "user", content: "hi" }, loop[2] as ChatMessage] }));
    expect(rules("openai-chat", orphan)).toEqual(["tool_result_without_call"]);
    const unanswered = openAiChatBody(request({ messages: [...loop.slice(0, 3), { role: "user", content: "and?" }] }));
    expect(rules("openai-chat", unanswered)).toEqual(["tool_call_unanswered"]);
    // OpenAI needs no alternation: two user messages in a row are fine.
    const twice = openAiChatBody(
      request({
        messages: [
          { role: "user", content: "a" },
          { role: "user", content: "b" },
        ],
      }),
    );
    expect(rules("openai-chat", twice)).toEqual([]);
  });

  it("sends max_completion_tokens and reasoning_effort to o-series and gpt-5, max_tokens to the others", () => {
    for (const model of ["o3", "o4-mini", "gpt-5", "gpt-5-mini-2025-08-07", "o1"]) {
      const body = openAiChatBody(request({ model, think: "low" }));
      expect(body).toMatchObject({ max_completion_tokens: 1000, reasoning_effort: "low" });
      expect(body.max_tokens).toBeUndefined();
      expect(rules("openai-chat", body)).toEqual([]);
    }
    const chat = openAiChatBody(request({ model: "gpt-4o", think: "high" }));
    expect(chat).toMatchObject({ max_tokens: 1000 });
    expect(chat.reasoning_effort).toBeUndefined();
    // What the real API refuses: the old parameter on a reasoning model, reasoning_effort on a chat model.
    expect(rules("openai-chat", { ...openAiChatBody(request({ model: "o3" })), max_tokens: 5 })).toContain(
      "max_tokens_unsupported",
    );
    expect(rules("openai-chat", { ...chat, reasoning_effort: "low" })).toEqual(["reasoning_effort_unsupported"]);
  });
});

describe("reasoning effort per OpenAI model", () => {
  it("asks 'off' as each model allows it: none from gpt-5.1, minimal for gpt-5, low for codex and o-series", () => {
    const cases: [string, string][] = [
      ["gpt-5", "minimal"],
      ["gpt-5-mini-2025-08-07", "minimal"],
      ["gpt-5.1", "none"],
      ["openai/gpt-5.2", "none"],
      ["gpt-5-codex", "low"],
      ["gpt-5.1-codex-mini", "low"],
      ["o3", "low"],
      ["o4-mini", "low"],
    ];
    for (const [model, effort] of cases) {
      const chat = openAiChatBody(request({ model, think: "off" }));
      expect([model, chat.reasoning_effort]).toEqual([model, effort]);
      expect(rules("openai-chat", chat)).toEqual([]);
      const responses = openAiResponsesBody(request({ model, think: "off" }));
      expect(responses.reasoning).toMatchObject({ effort });
      expect(rules("openai-responses", responses)).toEqual([]);
    }
  });

  it("the checkers refuse what each model refuses", () => {
    const chat = (model: string, reasoning_effort: string) =>
      rules("openai-chat", { ...openAiChatBody(request({ model })), reasoning_effort });
    expect(chat("gpt-5.1", "minimal")).toEqual(["reasoning_effort"]);
    expect(chat("gpt-5", "none")).toEqual(["reasoning_effort"]);
    expect(chat("o3", "minimal")).toEqual(["reasoning_effort"]);
    expect(chat("gpt-5-codex", "minimal")).toEqual(["reasoning_effort"]);
    expect(chat("gpt-5.1", "high")).toEqual([]);
    const responses = { ...openAiResponsesBody(request({ model: "gpt-5.1" })), reasoning: { effort: "minimal" } };
    expect(rules("openai-responses", responses)).toEqual(["reasoning_effort"]);
  });
});

describe("Anthropic Messages rules", () => {
  it("accepts our body: tool results first in the merged user turn, 4 cache breakpoints at most", () => {
    const body = anthropicBody(request({ model: "claude-sonnet-4-5" }));
    expect(rules("anthropic", body)).toEqual([]);
    // System, tools, the newest message, and the user message before it (what the previous call cached).
    expect(JSON.stringify(body).split('"cache_control"').length - 1).toBe(MAX_CACHE_BREAKPOINTS);
    const first = anthropicBody(request({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] }));
    expect(JSON.stringify(first).split('"cache_control"').length - 1).toBe(3);
    const long = anthropicBody(
      request({
        model: "claude-sonnet-4-5",
        messages: [...loop, { role: "assistant", content: "two files" }, { role: "user", content: "thanks" }],
      }),
    );
    expect(JSON.stringify(long).split('"cache_control"').length - 1).toBe(MAX_CACHE_BREAKPOINTS);
    expect(rules("anthropic", long)).toEqual([]);
  });

  it("refuses orphan tool_result, unanswered tool_use, tool_result after text, a fifth breakpoint", () => {
    const use = { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "exec", input: {} }] };
    const base = { model: "claude-sonnet-4-5", max_tokens: 100 };
    const result = { type: "tool_result", tool_use_id: "t1", content: "ok" };
    expect(rules("anthropic", { ...base, messages: [{ role: "user", content: [result] }] })).toContain(
      "tool_result_without_call",
    );
    expect(
      rules("anthropic", { ...base, messages: [{ role: "user", content: "hi" }, use, { role: "user", content: "x" }] }),
    ).toEqual(["tool_call_unanswered"]);
    const late = { role: "user", content: [{ type: "text", text: "first" }, result] };
    expect(rules("anthropic", { ...base, messages: [{ role: "user", content: "hi" }, use, late] })).toEqual([
      "tool_result_not_first",
    ]);
    // Consecutive user messages merge, as the API merges them: results split over two messages still count.
    const split = [
      { role: "user", content: [result] },
      { role: "user", content: "more" },
    ];
    expect(rules("anthropic", { ...base, messages: [{ role: "user", content: "hi" }, use, ...split] })).toEqual([]);
    const cc = { type: "ephemeral" };
    const five = Array.from({ length: 5 }, (_, i) => ({ type: "text", text: `t${i}`, cache_control: cc }));
    expect(rules("anthropic", { ...base, messages: [{ role: "user", content: five }] })).toEqual([
      "cache_control_limit",
    ]);
  });

  it("keeps thinking with its signature across a tool step, and refuses thinking without one", () => {
    const withThinking: ChatMessage[] = [
      loop[0] as ChatMessage,
      {
        ...(loop[1] as Extract<ChatMessage, { role: "assistant" }>),
        reasoning: [{ kind: "thinking", text: "hmm", signature: "sig" }],
      },
      ...loop.slice(2),
    ];
    const body = anthropicBody(request({ model: "claude-sonnet-4-5", think: "low", messages: withThinking }));
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(body.max_tokens).toBe(1000 + 2048);
    expect(JSON.stringify(body)).toContain('{"type":"thinking","thinking":"hmm","signature":"sig"}');
    expect(rules("anthropic", body)).toEqual([]);
    // A tool step without its thinking block: thinking stays off for this call rather than a 400.
    const plain = anthropicBody(request({ model: "claude-sonnet-4-5", think: "low" }));
    expect(plain.thinking).toBeUndefined();
    const forced = { ...plain, thinking: { type: "enabled", budget_tokens: 2048 }, max_tokens: 4000 };
    expect(rules("anthropic", forced)).toEqual(["thinking_missing"]);
    const unsigned = JSON.parse(JSON.stringify(body).replace('"signature":"sig"', '"signature":""'));
    expect(rules("anthropic", unsigned)).toEqual(["thinking_signature"]);
    // Claude 3.5 does not think: no thinking parameter is sent.
    expect(anthropicBody(request({ model: "claude-3-5-haiku-latest", think: "high" })).thinking).toBeUndefined();
  });
});

describe("tool call ids from another provider earlier in the session", () => {
  // Kimi names its calls `functions.bash:0`, vLLM `chatcmpl-tool-<32 hex>`: after `/model` to another
  // provider, the history still carries them.
  const kimi = "functions.exec:0";
  const vllm = `chatcmpl-tool-${"0123456789abcdef".repeat(2)}`;
  const history: ChatMessage[] = [
    { role: "user", content: "list files" },
    {
      role: "assistant",
      content: "",
      toolCalls: [
        { id: kimi, name: "exec", argumentsJson: '{"cmd":"ls"}' },
        { id: vllm, name: "exec", argumentsJson: '{"cmd":"pwd"}' },
        { id: "functions_exec_0", name: "exec", argumentsJson: '{"cmd":"id"}' },
      ],
    },
    { role: "tool", toolCallId: kimi, content: "a.txt" },
    { role: "tool", toolCallId: vllm, content: "/w" },
    { role: "tool", toolCallId: "functions_exec_0", content: "uid=65534" },
    { role: "user", content: "and now?" },
  ];

  it("the checkers refuse them as the APIs do", () => {
    const raw = (body: Record<string, unknown>, from: string, to: string) =>
      JSON.parse(JSON.stringify(body).replaceAll(from, to)) as unknown;
    const anthropic = anthropicBody(request({ model: "claude-sonnet-4-5", messages: loop }));
    expect(rules("anthropic", raw(anthropic, '"c1"', `"${kimi}"`))).toEqual(["tool_id_pattern", "tool_id_pattern"]);
    const chat = openAiChatBody(request());
    expect(rules("openai-chat", raw(chat, '"c1"', `"${vllm}"`))).toEqual([
      "string_above_max_length",
      "string_above_max_length",
    ]);
  });

  it("go to each provider in a form it takes, each call still paired with its result, none merged", () => {
    const anthropic = anthropicBody(request({ model: "claude-sonnet-4-5", messages: history }));
    expect(rules("anthropic", anthropic)).toEqual([]);
    expect(rules("openai-chat", openAiChatBody(request({ messages: history })))).toEqual([]);
    const responses = openAiResponsesBody(request({ model: "gpt-5", messages: history }));
    expect(rules("openai-responses", responses)).toEqual([]);
    const [, assistant] = anthropic.messages as { content: { id?: string }[] }[];
    const ids = (assistant?.content ?? []).map((b) => b.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[2]).toBe("functions_exec_0"); // what the first one would become without its hash
    // Ids that fit go unchanged.
    expect(JSON.stringify(openAiChatBody(request()))).toContain('"c1"');
  });
});

describe("tool call arguments that are not a JSON object", () => {
  // A call cut by the token limit, and one whose arguments are a bare number: both refused when they came,
  // both still in the history.
  const calls = [
    { id: "c1", name: "exec", argumentsJson: '{"cmd": "l' },
    { id: "c2", name: "exec", argumentsJson: "42" },
    { id: "c3", name: "exec", argumentsJson: '{ "cmd" : "ls" }' },
  ];
  const history: ChatMessage[] = [
    { role: "user", content: "go" },
    { role: "assistant", content: "", toolCalls: calls },
    ...calls.map((c): ChatMessage => ({ role: "tool", toolCallId: c.id, content: "invalid arguments" })),
    { role: "user", content: "again" },
  ];

  it("go back as objects that keep what the model wrote; a JSON object goes back byte for byte", () => {
    const chat = openAiChatBody(request({ messages: history }));
    expect(rules("openai-chat", chat)).toEqual([]);
    const [, assistant] = (chat.messages as { tool_calls?: { function: { arguments: string } }[] }[]).slice(1);
    expect(assistant?.tool_calls?.map((c) => c.function.arguments)).toEqual([
      JSON.stringify({ invalid_json: '{"cmd": "l' }),
      JSON.stringify({ value: 42 }),
      '{ "cmd" : "ls" }',
    ]);
    expect(rules("openai-responses", openAiResponsesBody(request({ model: "gpt-5", messages: history })))).toEqual([]);
    expect(rules("anthropic", anthropicBody(request({ model: "claude-sonnet-4-5", messages: history })))).toEqual([]);
  });

  it("the checker refuses them as Ollama does", () => {
    const chat = openAiChatBody(request({ messages: history }));
    const raw = JSON.parse(JSON.stringify(chat).replace(JSON.stringify(JSON.stringify({ value: 42 })), '"42"'));
    expect(rules("openai-chat", raw)).toEqual(["tool_arguments"]);
  });
});

describe("tool schemas and counts, as OpenAI takes them", () => {
  // A tool without arguments, as many MCP servers describe it; and one whose schema names no type.
  const bare = [
    { name: "list_regions", description: "lists", parameters: { type: "object" } },
    { name: "ping", description: "pings", parameters: {} },
    { name: "exec", description: "runs", parameters: { type: "object", properties: { cmd: { type: "string" } } } },
  ];
  const many = Array.from({ length: 129 }, (_, i) => ({
    name: `t${i}`,
    description: "a tool",
    parameters: { type: "object", properties: {} },
  }));

  it("the checkers refuse an object schema without properties, and more than 128 tools", () => {
    const chat = {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      tools: bare.map((t) => ({ type: "function", function: t })),
    };
    expect(rules("openai-chat", chat)).toEqual(["invalid_function_parameters", "invalid_function_parameters"]);
    const responses = {
      model: "gpt-5",
      store: false,
      input: [{ role: "user", content: "hi" }],
      tools: bare.map((t) => ({ type: "function", ...t })),
    };
    expect(rules("openai-responses", responses)).toEqual([
      "invalid_function_parameters",
      "invalid_function_parameters",
    ]);
    const crowded = { ...chat, tools: many.map((t) => ({ type: "function", function: t })) };
    expect(rules("openai-chat", crowded)).toEqual(["array_above_max_length"]);
  });

  it("our bodies add the missing type and properties, and leave a full schema as it is", () => {
    const chat = openAiChatBody(request({ tools: bare }));
    expect(rules("openai-chat", chat)).toEqual([]);
    const sent = (chat.tools as { function: { parameters: unknown } }[]).map((t) => t.function.parameters);
    expect(sent).toEqual([{ type: "object", properties: {} }, { type: "object", properties: {} }, bare[2]?.parameters]);
    const responses = openAiResponsesBody(request({ model: "gpt-5", tools: bare }));
    expect(rules("openai-responses", responses)).toEqual([]);
    expect(rules("anthropic", anthropicBody(request({ model: "claude-sonnet-4-5", tools: bare })))).toEqual([]);
  });

  it("a session offers at most 128 tools: the first ones, built-ins before MCP tools", () => {
    const tool = (name: string): Tool => ({
      spec: { name, description: name, parameters: { type: "object", properties: {} } },
      run: async () => ({ ok: true, output: "" }),
    });
    const registry = new ToolRegistry([tool("exec"), tool("exec"), ...many.map((t) => tool(t.name))]);
    expect(registry.specs()).toHaveLength(MAX_OFFERED_TOOLS);
    expect(registry.specs()[0]?.name).toBe("exec");
    expect(registry.leftOut).toEqual(["t127", "t128"]);
    expect(rules("openai-chat", openAiChatBody(request({ tools: registry.specs() })))).toEqual([]);
  });
});

describe("output tokens within each model's ceiling", () => {
  it("lowers a large LLM_MAX_OUTPUT_TOKENS to the model's ceiling; thinking comes on top within it", () => {
    const big = 100_000;
    const ask = (model: string, maxTokens: number, think?: "high") =>
      request({ model, maxTokens, messages: [{ role: "user", content: "hi" }], ...(think ? { think } : {}) });
    const opus = anthropicBody(ask("claude-opus-4-1-20250805", big, "high"));
    expect(rules("anthropic", opus)).toEqual([]);
    expect(opus.max_tokens).toBe(32_000);
    expect(opus.thinking).toEqual({ type: "enabled", budget_tokens: 16_000 });
    // 32,000 + 16,000 was what we sent before: over Opus 4.1's 32,000.
    expect(rules("anthropic", { ...opus, max_tokens: 48_000 })).toEqual(["output_ceiling"]);
    const sonnet = anthropicBody(ask("claude-sonnet-4-5", 32_000, "high"));
    expect([sonnet.max_tokens, (sonnet.thinking as { budget_tokens: number }).budget_tokens]).toEqual([48_000, 16_000]);
    const haiku3 = anthropicBody(request({ model: "claude-3-haiku-20240307", maxTokens: big }));
    expect([haiku3.max_tokens, rules("anthropic", haiku3)]).toEqual([4_096, []]);
    const mini = openAiChatBody(request({ model: "gpt-4o-mini", maxTokens: big }));
    expect([mini.max_tokens, rules("openai-chat", mini)]).toEqual([16_384, []]);
    expect(rules("openai-chat", { ...mini, max_tokens: 16_385 })).toEqual(["output_ceiling"]);
    const five = openAiResponsesBody(request({ model: "gpt-5", maxTokens: 1_000_000 }));
    expect([five.max_output_tokens, rules("openai-responses", five)]).toEqual([128_000, []]);
    // A model we do not know (a local server's) gets what was asked.
    expect(openAiChatBody(request({ model: "llama3.1:8b", maxTokens: big })).max_tokens).toBe(big);
  });
});
