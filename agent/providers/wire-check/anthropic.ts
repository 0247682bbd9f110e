// The rules Anthropic Messages enforces on a request body (400 invalid_request_error when broken).

import { MIN_THINKING_BUDGET } from "../model-family.ts";
import { ANTHROPIC_MAX_IMAGES, checkAnthropicMedia } from "./media.ts";
import { checkOutputCeiling } from "./output-ceilings.ts";
import { isRecord, violation, type WireViolation } from "./violation.ts";

/** The API allows at most this many `cache_control` breakpoints in one request. */
export const MAX_CACHE_BREAKPOINTS = 4;
/** What a `tool_use.id` (and the `tool_use_id` answering it) may be made of. */
const TOOL_ID = /^[a-zA-Z0-9_-]+$/;

type Turn = { role: string; blocks: Record<string, unknown>[]; index: number };

/** Consecutive messages of one role are merged by the API before it checks them, so we do the same. */
function mergedTurns(messages: unknown[], out: WireViolation[]): Turn[] {
  const turns: Turn[] = [];
  messages.forEach((message, index) => {
    const path = `messages.${index}`;
    if (!isRecord(message) || (message.role !== "user" && message.role !== "assistant")) {
      out.push(violation("role", `${path}.role`, `${path}.role: Input should be 'user' or 'assistant'`));
      return;
    }
    const blocks =
      typeof message.content === "string"
        ? [{ type: "text", text: message.content }]
        : Array.isArray(message.content)
          ? message.content.filter(isRecord)
          : [];
    const last = turns.at(-1);
    if (last && last.role === message.role) last.blocks.push(...blocks);
    else turns.push({ role: message.role, blocks, index });
  });
  return turns;
}

function checkBlocks(turn: Turn, out: WireViolation[]): void {
  const path = `messages.${turn.index}`;
  turn.blocks.forEach((block, j) => {
    const at = `${path}.content.${j}`;
    if (block.type === "text" && (typeof block.text !== "string" || block.text.trim() === ""))
      out.push(violation("empty_text", at, "messages: text content blocks must contain non-whitespace text"));
    if (block.type === "thinking" && (typeof block.signature !== "string" || block.signature === ""))
      out.push(violation("thinking_signature", `${at}.signature`, `${at}.thinking.signature: Field required`));
    if (block.type === "redacted_thinking" && typeof block.data !== "string")
      out.push(violation("redacted_thinking_data", `${at}.data`, `${at}.redacted_thinking.data: Field required`));
    if ((block.type === "thinking" || block.type === "redacted_thinking") && turn.role !== "assistant")
      out.push(violation("thinking_role", at, `${at}: thinking blocks may only appear in assistant messages`));
    if (block.type === "tool_use" && (typeof block.id !== "string" || !isRecord(block.input)))
      out.push(violation("tool_use_shape", at, `${at}.tool_use: id and an object input are required`));
    const id = block.type === "tool_use" ? block.id : block.type === "tool_result" ? block.tool_use_id : undefined;
    const field = block.type === "tool_use" ? "id" : "tool_use_id";
    if (typeof id === "string" && !TOOL_ID.test(id))
      out.push(
        violation(
          "tool_id_pattern",
          `${at}.${field}`,
          `${at}.${block.type}.${field}: String should match pattern '^[a-zA-Z0-9_-]+$'`,
        ),
      );
    if (block.type === "image" || block.type === "document") {
      if (turn.role !== "user")
        out.push(violation("media_role", at, `${at}: ${String(block.type)} blocks may only appear in user messages`));
      checkAnthropicMedia(block, at, out);
    }
    if (block.type === "tool_result" && turn.role !== "user")
      out.push(violation("tool_result_role", at, `${at}: tool_result blocks may only appear in user messages`));
  });
}

/** tool_result blocks answer the tool_use blocks of the previous assistant turn, all of them, first in the message. */
function checkToolPairs(turns: Turn[], out: WireViolation[]): void {
  const seen = new Set<string>();
  turns.forEach((turn, i) => {
    const path = `messages.${turn.index}`;
    const uses = turn.blocks.filter((b) => b.type === "tool_use").map((b) => String(b.id));
    for (const id of uses) {
      if (seen.has(id)) out.push(violation("tool_use_id_duplicate", path, `${path}: \`tool_use\` ids must be unique`));
      seen.add(id);
    }
    const previous = turns[i - 1];
    const asked = new Set(
      previous?.role === "assistant"
        ? previous.blocks.filter((b) => b.type === "tool_use").map((b) => String(b.id))
        : [],
    );
    if (turn.role === "user") {
      let leading = true;
      for (const block of turn.blocks) {
        if (block.type !== "tool_result") {
          leading = false;
          continue;
        }
        const id = String(block.tool_use_id);
        if (!leading)
          out.push(
            violation(
              "tool_result_not_first",
              path,
              `${path}: \`tool_result\` blocks must come first in the user message content, before any other block`,
            ),
          );
        if (!asked.has(id))
          out.push(
            violation(
              "tool_result_without_call",
              path,
              `${path}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
            ),
          );
        asked.delete(id);
      }
    }
    if (turn.role === "assistant" && uses.length > 0) {
      const next = turns[i + 1];
      const answered = new Set(
        next?.role === "user"
          ? next.blocks.filter((b) => b.type === "tool_result").map((b) => String(b.tool_use_id))
          : [],
      );
      const missing = uses.filter((id) => !answered.has(id));
      // A request may end on the assistant's tool_use only if nothing follows; the API still wants results first.
      if (missing.length > 0)
        out.push(
          violation(
            "tool_call_unanswered",
            path,
            `messages.${next?.index ?? turns.length}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
          ),
        );
    }
  });
}

function countCacheControl(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countCacheControl(item), 0);
  if (!isRecord(value)) return 0;
  let own = value.cache_control !== undefined ? 1 : 0;
  for (const [key, child] of Object.entries(value)) if (key !== "cache_control") own += countCacheControl(child);
  return own;
}

/** With thinking on, the assistant turn whose tool calls are being answered must start with its thinking block. */
function checkThinking(body: Record<string, unknown>, turns: Turn[], out: WireViolation[]): void {
  const thinking = isRecord(body.thinking) && body.thinking.type === "enabled" ? body.thinking : null;
  if (!thinking) return;
  const budget = typeof thinking.budget_tokens === "number" ? thinking.budget_tokens : 0;
  const max = typeof body.max_tokens === "number" ? body.max_tokens : 0;
  if (budget < MIN_THINKING_BUDGET)
    out.push(
      violation(
        "thinking_budget",
        "thinking.budget_tokens",
        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
      ),
    );
  if (budget >= max)
    out.push(violation("thinking_budget", "max_tokens", "`max_tokens` must be greater than `thinking.budget_tokens`"));
  const last = turns.at(-1);
  const answered = turns.at(-2);
  const inToolLoop = last?.role === "user" && last.blocks.some((b) => b.type === "tool_result");
  const first = answered?.blocks[0];
  if (inToolLoop && answered?.role === "assistant" && first?.type !== "thinking" && first?.type !== "redacted_thinking")
    out.push(
      violation(
        "thinking_missing",
        `messages.${answered.index}.content.0.type`,
        `Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first?.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block.`,
      ),
    );
}

/** Everything the real API would refuse in this Messages body (empty when it would accept it). */
export function checkAnthropic(body: unknown): WireViolation[] {
  const out: WireViolation[] = [];
  if (!isRecord(body)) return [violation("body", "", "the body must be a JSON object")];
  if (typeof body.model !== "string" || body.model === "")
    out.push(violation("model", "model", "model: Field required"));
  if (typeof body.max_tokens !== "number" || body.max_tokens < 1)
    out.push(violation("max_tokens", "max_tokens", "max_tokens: Field required"));
  checkOutputCeiling(String(body.model), body.max_tokens, "max_tokens", out);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (messages.length === 0)
    out.push(violation("messages_empty", "messages", "messages: at least one message is required"));
  if (Array.isArray(body.system))
    body.system.filter(isRecord).forEach((block, i) => {
      if (block.type === "text" && (typeof block.text !== "string" || block.text === ""))
        out.push(violation("empty_text", `system.${i}`, "system: text content blocks must be non-empty"));
    });
  const turns = mergedTurns(messages, out);
  for (const turn of turns) checkBlocks(turn, out);
  const images = turns.reduce((n, turn) => n + turn.blocks.filter((b) => b.type === "image").length, 0);
  if (images > ANTHROPIC_MAX_IMAGES)
    out.push(
      violation(
        "too_many_images",
        "messages",
        `messages: at most ${ANTHROPIC_MAX_IMAGES} images per request (got ${images})`,
      ),
    );
  checkToolPairs(turns, out);
  checkThinking(body, turns, out);
  const breakpoints = countCacheControl(body.system) + countCacheControl(body.tools) + countCacheControl(body.messages);
  if (breakpoints > MAX_CACHE_BREAKPOINTS)
    out.push(
      violation(
        "cache_control_limit",
        "",
        `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`,
      ),
    );
  return out;
}
