// The OpenAI-compatible /v1 surface on the wire: the chat completion request subset we read, and what we answer.

/** Names a session of the caller to continue; set on every answer to the session that ran the turn. */
export const SESSION_HEADER = "x-edgeclaw-session";
/** A retried request with the same key (per user and session) returns the same turn. */
export const IDEMPOTENCY_HEADER = "idempotency-key";
/** The `model` that runs the session's own (default) model; `edgeclaw/<model>` picks one. */
export const AGENT_MODEL = "edgeclaw";
/** The device id of messages that came through /v1 (shown on the web devices). */
export const API_DEVICE_ID = "api";

/** One message of a request, as we read it (other fields are ignored). */
export interface ChatRequestMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool";
  /** Text, or content parts of which the `text` ones are read. */
  content: string | { type: string; text?: string }[] | null;
}

/** `POST /v1/chat/completions` body: the fields we read. Tools, temperature and the like are not honoured. */
export interface ChatCompletionRequest {
  /** `edgeclaw` or `edgeclaw/<model>`. */
  model: string;
  messages: ChatRequestMessage[];
  /** Server-sent events when true. */
  stream?: boolean;
  /** With `include_usage`, a last chunk with empty `choices` carries the usage (OpenAI's shape). */
  stream_options?: { include_usage?: boolean };
}

/** Token counts of the turn (all its model calls together). */
export interface CompletionUsage {
  /** Input tokens, cache reads and writes included. */
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Of the prompt tokens, those read from the provider's cache. */
  prompt_tokens_details: { cached_tokens: number };
}

/** Why the answer ended: `stop` (done or cancelled), `length` (the agent's step limit). */
export type FinishReason = "stop" | "length";

/** The non-streaming answer. */
export interface ChatCompletion {
  /** `chatcmpl-<turn id>`: the same on a retried request. */
  id: string;
  object: "chat.completion";
  /** Epoch seconds. */
  created: number;
  model: string;
  choices: {
    index: 0;
    message: { role: "assistant"; content: string; refusal: null };
    finish_reason: FinishReason;
    logprobs: null;
  }[];
  usage: CompletionUsage;
}

/** One server-sent event of a streaming answer. */
export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: {
    index: 0;
    delta: { role?: "assistant"; content?: string };
    finish_reason: FinishReason | null;
    logprobs: null;
  }[];
  /** Set on the last chunk only (null before it when the client asked for `include_usage`). */
  usage?: CompletionUsage | null;
}

/** `GET /v1/models` entries. */
export interface ModelEntry {
  /** `edgeclaw` or `edgeclaw/<model>`. */
  id: string;
  object: "model";
  created: number;
  owned_by: "edgeclaw";
}

/** `GET /v1/models` answer. */
export interface ModelList {
  object: "list";
  data: ModelEntry[];
}

/** Every /v1 error, in OpenAI's shape (also as a `data:` event when a stream fails after it began). */
export interface OpenAiErrorBody {
  error: {
    message: string;
    /** OpenAI's error family: `invalid_request_error`, `authentication_error`, `permission_error`, … */
    type: string;
    /** The request field at fault, when one is. */
    param: string | null;
    /** Our snake_case code (protocol/errors.ts, or the turn's own error code). */
    code: string;
  };
}
