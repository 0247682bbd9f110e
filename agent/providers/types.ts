// The provider interface: one chat request in, a stream of normalised events out, typed errors.

import type { ThinkLevel } from "../../protocol/api";
import type { ProviderErrorCode } from "../../protocol/errors";
import type { ReasoningBlock } from "../../protocol/frames";

/** A tool offered to the model, described by JSON Schema. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ToolCallPart {
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text, possibly invalid. */
  argumentsJson: string;
}

/** A piece of reasoning that must travel back with its assistant message (see protocol/frames.ts). */
export type ReasoningPart = ReasoningBlock;

/** A file sent with a user message: described to the model, and for images and PDFs sent along where the model takes them. */
export interface AttachmentPart {
  /** The upload id. */
  id: string;
  name: string;
  mime: string;
  size: number;
  /** Where the file is in the workspace (`uploads/<name>`). */
  path: string;
  /** The bytes, base64, when they go to the model; absent means described only (older turns, too large). */
  data?: string;
}

export type ChatMessage =
  | { role: "user"; content: string; attachments?: AttachmentPart[] }
  | { role: "assistant"; content: string; toolCalls?: ToolCallPart[]; reasoning?: ReasoningPart[] }
  | { role: "tool"; toolCallId: string; content: string };

/** How hard a reasoning model should think (`/think off|low|high`). */
export type { ThinkLevel };

export interface ChatRequest {
  model: string;
  system?: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  maxTokens?: number;
  /** Reasoning effort for models that think; absent leaves the provider's default. */
  think?: ThinkLevel;
  signal?: AbortSignal;
  /** Who the call is for; sent to AI Gateway as metadata. */
  metadata?: { user: string; session: string };
  /** AI Gateway options for this call (ignored without a gateway). */
  gateway?: GatewayOptions;
  /** Whether the model takes images; absent decides by the model's name (see model-family.ts `acceptsImages`). */
  vision?: boolean;
}

export interface GatewayOptions {
  /** Cache TTL in seconds; 0 skips the gateway's cache. Absent leaves the gateway's default. */
  cacheTtlSeconds?: number;
  /** Our price, so the gateway's cost figures match ours (USD per token). */
  customCost?: { perTokenIn: number; perTokenOut: number };
}

/**
 * Token counts, normalised: `inputTokens` is uncached input only, so input + cache read + cache write is
 * the whole prompt and no cache token is counted twice.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Output tokens spent on reasoning (already inside outputTokens). */
  reasoningTokens: number;
  /** Cache writes by lifetime, where the provider says. */
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  /** "provider" when reported, "estimated" when the stream ended before its usage. */
  source: "provider" | "estimated";
}

export type ProviderEvent =
  /** What the response's headers said, before any text: a gateway cache hit and its log id. */
  | { type: "meta"; cacheHit: boolean; gatewayLogId: string | null }
  | { type: "text"; text: string }
  /** A piece of reasoning text, shown to the user as it streams. */
  | { type: "reasoning"; text: string }
  /** A finished reasoning block that must be sent back with this step's assistant message. */
  | { type: "reasoning_part"; part: ReasoningPart }
  | ({ type: "tool_call" } & ToolCallPart)
  | { type: "usage"; usage: Usage }
  | { type: "done"; stopReason: "stop" | "tool_calls" | "length" | "other" };

export type ProviderName = "openai" | "anthropic" | "workers-ai";

export interface Provider {
  readonly name: ProviderName;
  stream(request: ChatRequest): AsyncIterable<ProviderEvent>;
}

export type { ProviderErrorCode };

export interface ProviderErrorOptions {
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
}

/** A failed model call, with whether trying again may help. */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** Set by the caller when text had already streamed before the failure. */
  partial = false;

  constructor(code: ProviderErrorCode, message: string, options: ProviderErrorOptions) {
    super(message);
    this.name = "ProviderError";
    this.code = code;
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function emptyUsage(source: Usage["source"] = "provider"): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, source };
}
