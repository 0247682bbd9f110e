// The Anthropic Messages request body: alternating turns, thinking kept with its signature, cache breakpoints.

import { attachmentWire, textWithDescriptions } from "./attachments";
import { anthropicFamily, MIN_THINKING_BUDGET, outputCeiling, outputTokens, thinkingBudget } from "./model-family";
import { argumentsObject } from "./tool-arguments";
import { anthropicToolId } from "./tool-ids";
import type { ChatMessage, ChatRequest, ReasoningPart } from "./types";

export const DEFAULT_MAX_TOKENS = 4096;
/** Prompt caching: the API reads a cached prefix up to a block marked with this. */
const EPHEMERAL = { type: "ephemeral" } as const;

type Block = Record<string, unknown>;
type WireMessage = { role: "user" | "assistant"; content: Block[] };

function reasoningBlock(part: ReasoningPart): Block | null {
  if (part.kind === "thinking") return { type: "thinking", thinking: part.text, signature: part.signature };
  if (part.kind === "redacted_thinking") return { type: "redacted_thinking", data: part.data };
  return null;
}

/** A user message's blocks: images and PDF documents first (as Anthropic advises), then the text. */
function userBlocks(message: Extract<ChatMessage, { role: "user" }>, request: ChatRequest): Block[] {
  const attachments = message.attachments ?? [];
  const wires = attachments.map((a) => attachmentWire(a, "anthropic", request));
  const blocks: Block[] = [];
  attachments.forEach((a, i) => {
    const source = { type: "base64", media_type: a.mime, data: a.data ?? "" };
    if (wires[i] === "image") blocks.push({ type: "image", source });
    else if (wires[i] === "document") blocks.push({ type: "document", source, title: a.name });
  });
  const text = textWithDescriptions(message, wires);
  if (text.trim() !== "") blocks.push({ type: "text", text });
  return blocks;
}

/** Tool results travel in user messages, and neighbours of one role merge (the API merges them too). */
function toWire(messages: ChatMessage[], request: ChatRequest): WireMessage[] {
  const wire: WireMessage[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    const last = wire.at(-1);
    if (last && last.role === role) {
      // tool_result blocks come first in a user message.
      if (role === "user" && blocks.every((b) => b.type === "tool_result")) {
        const firstOther = last.content.findIndex((b) => b.type !== "tool_result");
        if (firstOther >= 0) last.content.splice(firstOther, 0, ...blocks);
        else last.content.push(...blocks);
      } else last.content.push(...blocks);
    } else wire.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === "user") {
      const blocks = userBlocks(m, request);
      if (blocks.length > 0) push("user", blocks);
    } else if (m.role === "tool")
      push("user", [{ type: "tool_result", tool_use_id: anthropicToolId(m.toolCallId), content: m.content }]);
    else {
      const blocks: Block[] = [];
      for (const part of m.reasoning ?? []) {
        const block = reasoningBlock(part);
        if (block) blocks.push(block);
      }
      if (m.content.trim() !== "") blocks.push({ type: "text", text: m.content });
      for (const c of m.toolCalls ?? [])
        blocks.push({
          type: "tool_use",
          id: anthropicToolId(c.id),
          name: c.name,
          input: argumentsObject(c.argumentsJson),
        });
      if (blocks.length > 0) push("assistant", blocks);
    }
  }
  return wire;
}

/** Marks the last cacheable block of a message (thinking blocks cannot carry a breakpoint). */
function markLast(message: WireMessage | undefined): void {
  const block = message?.content.findLast((b) => b.type !== "thinking" && b.type !== "redacted_thinking");
  if (block) block.cache_control = EPHEMERAL;
}

/**
 * Four breakpoints, the API's limit: the system prompt, the tools, the newest message (this call writes the
 * conversation so far to the cache), and the user message before it (what the previous call wrote, read now).
 */
function addCacheBreakpoints(wire: WireMessage[]): void {
  markLast(wire.at(-1));
  const previousUser = wire.slice(0, -1).findLast((m) => m.role === "user");
  markLast(previousUser);
}

/** Thinking may be turned on only where the tool step being answered started with thinking (or none is). */
function thinkingAllowed(wire: WireMessage[]): boolean {
  const last = wire.at(-1);
  if (!last?.content.some((b) => b.type === "tool_result")) return true;
  const first = wire.at(-2)?.content[0];
  return first?.type === "thinking" || first?.type === "redacted_thinking";
}

/**
 * The answer's tokens and the thinking budget, which comes on top, within the model's output ceiling: the answer
 * gives way first down to half the ceiling, then the budget; a budget under its minimum means no thinking.
 */
function fitThinking(model: string, answer: number, budget: number): { maxTokens: number; budget: number | null } {
  const ceiling = outputCeiling(model);
  if (ceiling === null || answer + budget <= ceiling) return { maxTokens: answer, budget };
  const fitted = Math.min(answer, Math.max(ceiling - budget, Math.ceil(ceiling / 2)));
  const room = ceiling - fitted;
  return room >= MIN_THINKING_BUDGET
    ? { maxTokens: fitted, budget: room }
    : { maxTokens: Math.min(answer, ceiling), budget: null };
}

/** The body we POST to /v1/messages. */
export function anthropicBody(request: ChatRequest): Record<string, unknown> {
  const messages = toWire(request.messages, request);
  addCacheBreakpoints(messages);
  const wanted = request.maxTokens ?? DEFAULT_MAX_TOKENS;
  const thinks = anthropicFamily(request.model) === "anthropic-thinking" && request.think !== undefined;
  const wantedBudget = thinks && request.think ? thinkingBudget(request.think, Number.MAX_SAFE_INTEGER) : null;
  const { maxTokens, budget } =
    wantedBudget !== null && thinkingAllowed(messages)
      ? fitThinking(request.model, wanted, wantedBudget)
      : { maxTokens: outputTokens(request.model, wanted), budget: null };
  const thinking = budget !== null;
  const tools = (request.tools ?? []).map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: t.parameters,
  }));
  const lastTool = tools.at(-1);
  return {
    model: request.model,
    max_tokens: budget !== null ? maxTokens + budget : maxTokens,
    stream: true,
    messages,
    ...(request.system ? { system: [{ type: "text", text: request.system, cache_control: EPHEMERAL }] } : {}),
    ...(lastTool ? { tools: [...tools.slice(0, -1), { ...lastTool, cache_control: EPHEMERAL }] } : {}),
    ...(thinking ? { thinking: { type: "enabled", budget_tokens: budget } } : {}),
  };
}
