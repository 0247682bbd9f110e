// The two wire protocols the stand-in speaks: OpenAI Chat Completions chunks and Anthropic message events.

import type { Step, Usage } from "./scripts.ts";

export type Frame = { data: string; event?: string };

const usageOf = (u: Usage | undefined) => ({
  input: u?.input ?? 12,
  output: u?.output ?? 7,
  cached: u?.cached ?? 0,
  cacheWrite: u?.cacheWrite ?? 0,
  reasoning: u?.reasoning ?? 0,
});

function split(text: string, pieces: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [""];
}

export function openAiFrames(step: Step, model: string): Frame[] {
  const chunk = (delta: unknown, finish: string | null = null) =>
    JSON.stringify({
      id: "chatcmpl-fake",
      object: "chat.completion.chunk",
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      usage: null,
    });
  const frames: Frame[] = [{ data: chunk({ role: "assistant", content: "" }) }];
  if (step.kind === "tools") {
    step.calls.forEach((call, index) => {
      frames.push({
        data: chunk({
          tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
        }),
      });
      for (const piece of split(call.args, step.pieces ?? 3)) {
        frames.push({ data: chunk({ tool_calls: [{ index, function: { arguments: piece } }] }) });
      }
    });
    frames.push({ data: chunk({}, "tool_calls") });
  } else if (step.kind !== "error") {
    for (const text of step.chunks) frames.push({ data: chunk({ content: text }) });
    if (step.kind !== "text") return frames;
    frames.push({ data: chunk({}, "stop") });
  }
  const u = usageOf(step.kind === "text" || step.kind === "tools" ? step.usage : undefined);
  frames.push({
    data: JSON.stringify({
      id: "chatcmpl-fake",
      object: "chat.completion.chunk",
      model,
      choices: [],
      usage: {
        prompt_tokens: u.input + u.cached,
        completion_tokens: u.output,
        total_tokens: u.input + u.cached + u.output,
        prompt_tokens_details: { cached_tokens: u.cached },
        completion_tokens_details: { reasoning_tokens: u.reasoning },
      },
    }),
  });
  frames.push({ data: "[DONE]" });
  return frames;
}

export function anthropicFrames(step: Step, model: string): Frame[] {
  const u = usageOf(step.kind === "text" || step.kind === "tools" ? step.usage : undefined);
  const ev = (event: string, body: Record<string, unknown>): Frame => ({
    event,
    data: JSON.stringify({ type: event, ...body }),
  });
  const frames: Frame[] = [
    ev("message_start", {
      message: {
        id: "msg_fake",
        type: "message",
        role: "assistant",
        model,
        content: [],
        usage: {
          input_tokens: u.input,
          output_tokens: 1,
          cache_read_input_tokens: u.cached,
          cache_creation_input_tokens: u.cacheWrite,
        },
      },
    }),
    ev("ping", {}),
  ];
  if (step.kind === "tools") {
    step.calls.forEach((call, index) => {
      frames.push(
        ev("content_block_start", {
          index,
          content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
        }),
      );
      for (const piece of split(call.args, step.pieces ?? 3)) {
        frames.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } }));
      }
      frames.push(ev("content_block_stop", { index }));
    });
  } else if (step.kind !== "error") {
    frames.push(ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
    for (const text of step.chunks)
      frames.push(ev("content_block_delta", { index: 0, delta: { type: "text_delta", text } }));
    if (step.kind !== "text") return frames;
    frames.push(ev("content_block_stop", { index: 0 }));
  }
  frames.push(
    ev("message_delta", {
      delta: { stop_reason: step.kind === "tools" ? "tool_use" : "end_turn" },
      usage: {
        output_tokens: u.output,
        input_tokens: u.input,
        cache_read_input_tokens: u.cached,
        cache_creation_input_tokens: u.cacheWrite,
      },
    }),
  );
  frames.push(ev("message_stop", {}));
  return frames;
}
