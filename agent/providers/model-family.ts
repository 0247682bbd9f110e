// Model families and the request parameters each accepts: the one place a model name decides the wire shape.

/** How a model is called: which token limit it takes and whether it reasons. */
export type ModelFamily =
  /** OpenAI o-series and gpt-5: `max_completion_tokens`, `reasoning_effort`, no `max_tokens`. */
  | "openai-reasoning"
  /** Every other Chat Completions model (gpt-4o, open models on Ollama, vLLM, llama.cpp): `max_tokens`. */
  | "openai-chat"
  /** Claude models that can think (extended thinking with a token budget). */
  | "anthropic-thinking"
  /** Claude models without extended thinking (3.5 and older). */
  | "anthropic";

/** o1, o3, o4-mini, gpt-5, gpt-5-mini, gpt-5.1 … (with or without a date suffix or an `openai/` prefix). */
const OPENAI_REASONING = /^(?:openai\/)?(?:o\d(?:-[\w.-]*)?|gpt-5(?:[.-][\w.-]*)?)$/i;
/** Claude 3.7 and every Claude 4 family model think; 3.5 and older do not. */
const ANTHROPIC_THINKING = /claude-(?:3-7|(?:opus|sonnet|haiku)-4|4)/i;

export function openAiFamily(model: string): "openai-reasoning" | "openai-chat" {
  return OPENAI_REASONING.test(model.trim()) ? "openai-reasoning" : "openai-chat";
}

export function anthropicFamily(model: string): "anthropic-thinking" | "anthropic" {
  return ANTHROPIC_THINKING.test(model) ? "anthropic-thinking" : "anthropic";
}

import type { ThinkLevel } from "./types.ts";

/**
 * OpenAI's `reasoning_effort` for a level. "off" asks for the least the model allows: `none` from gpt-5.1 on,
 * `minimal` for gpt-5 and its -mini and -nano, `low` for codex models and the o-series (each refuses the others).
 */
export function reasoningEffort(level: ThinkLevel, model: string): "none" | "minimal" | "low" | "high" {
  if (level === "high") return "high";
  if (level === "low") return "low";
  const name = model.trim().replace(/^openai\//i, "");
  if (/codex/i.test(name) || !/^gpt-5/i.test(name)) return "low";
  return /^gpt-5\.\d/i.test(name) ? "none" : "minimal";
}

/** Most output tokens per request of known models (thinking included), as their providers publish them. */
const OUTPUT_CEILINGS: [RegExp, number][] = [
  [/claude-opus-4-5/i, 64_000],
  [/claude-opus-4/i, 32_000],
  [/claude-(?:sonnet|haiku)-4|claude-3-7-sonnet/i, 64_000],
  [/claude-3-5-(?:sonnet|haiku)/i, 8_192],
  [/claude-3-(?:opus|sonnet|haiku)/i, 4_096],
  [/^(?:openai\/)?gpt-5/i, 128_000],
  [/^(?:openai\/)?gpt-4\.1/i, 32_768],
  [/^(?:openai\/)?gpt-4o/i, 16_384],
  [/^(?:openai\/)?o1-mini/i, 65_536],
  [/^(?:openai\/)?o\d/i, 100_000],
];

/** The most output tokens a request to this model may ask for, or null for a model we do not know. */
export function outputCeiling(model: string): number | null {
  return OUTPUT_CEILINGS.find(([pattern]) => pattern.test(model.trim()))?.[1] ?? null;
}

/** `wanted` output tokens, lowered to the model's ceiling when it has a known one. */
export function outputTokens(model: string, wanted: number): number {
  const ceiling = outputCeiling(model);
  return ceiling === null ? wanted : Math.min(wanted, ceiling);
}

/** Anthropic's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

/** Anthropic's thinking budget for a level, kept below `maxTokens` as the API requires; null means no thinking. */
export function thinkingBudget(level: ThinkLevel, maxTokens: number): number | null {
  if (level === "off") return null;
  const wanted = level === "high" ? 16_000 : 2_048;
  const budget = Math.min(wanted, maxTokens - 1);
  return budget >= MIN_THINKING_BUDGET ? budget : null;
}

/**
 * Models that take images by name: every Claude 3+ model, OpenAI's gpt-4o/4.1/4.5/5 and o1/o3/o4 (not the
 * -mini reasoning models before o4), and open vision models (llava, llama3.2-vision, qwen-vl, gemma3, pixtral…).
 */
const OPENAI_VISION =
  /^(?:openai\/)?(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|gpt-5|chatgpt-4o|o1(?!-mini)|o3(?!-mini)|o4)|vision|llava|-vl\b|vl-|qwen\d*(?:\.\d+)?-?vl|gemma-?3|pixtral|minicpm-v|moondream|mistral-small-3/i;

/** Whether the model takes image input: by provider and name; unknown names are text-only. */
export function acceptsImages(provider: "openai" | "anthropic" | "workers-ai", model: string): boolean {
  if (provider === "anthropic") return !/claude-(?:instant|[12](?:\.|-|$))/i.test(model);
  if (provider === "workers-ai") return false;
  return OPENAI_VISION.test(model.trim());
}
