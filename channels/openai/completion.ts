// A turn's events as an OpenAI chat completion: server-sent chunks while it streams, or one object at the end.

import { log } from "../../log/logger";
import type { SessionEvent } from "../../protocol/frames";
import type { ChatCompletion, ChatCompletionChunk, FinishReason } from "../../protocol/openai-compat";
import { openAiErrorBody, turnErrorStatus } from "./errors";
import { type TurnOutcome, TurnReader } from "./turn-reader";

/** An SSE comment this often keeps proxies from closing a stream that waits (an approval, a long tool). */
export const KEEP_ALIVE_MS = 15_000;

export interface CompletionOptions {
  sessionId: string;
  /** The `model` the caller asked for, echoed back. */
  model: string;
  /** Epoch seconds of the request. */
  created: number;
  /** stream_options.include_usage: usage in a last chunk with empty choices (else on the finishing chunk). */
  includeUsage: boolean;
  /** How often a waiting stream sends an SSE comment (default {@link KEEP_ALIVE_MS}). */
  keepAliveMs?: number;
}

function chunk(
  reader: TurnReader,
  options: CompletionOptions,
  delta: ChatCompletionChunk["choices"][0]["delta"],
  finishReason: FinishReason | null,
): ChatCompletionChunk {
  return {
    id: reader.id,
    object: "chat.completion.chunk",
    created: options.created,
    model: options.model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    ...(options.includeUsage ? { usage: null } : {}),
  };
}

const encoder = new TextEncoder();
const sse = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);

/** The outcome as the last chunks: finish reason and usage, or an error event; then `[DONE]`. */
function finish(reader: TurnReader, options: CompletionOptions, outcome: TurnOutcome): Uint8Array[] {
  if (!outcome.ok) {
    return [
      sse(openAiErrorBody(outcome.code, outcome.message, turnErrorStatus(outcome.code))),
      encoder.encode("data: [DONE]\n\n"),
    ];
  }
  const last = chunk(reader, options, {}, outcome.finishReason);
  const frames = options.includeUsage
    ? [sse(last), sse({ ...last, choices: [], usage: reader.usage })]
    : [sse({ ...last, usage: reader.usage })];
  return [...frames, encoder.encode("data: [DONE]\n\n")];
}

/** Server-sent events of the turn as it is stored: a role chunk, a chunk per text piece, the end. */
export function streamCompletion(
  events: AsyncIterable<SessionEvent>,
  options: CompletionOptions,
): ReadableStream<Uint8Array> {
  const reader = new TurnReader(options.sessionId);
  const iterator = events[Symbol.asyncIterator]();
  let started = false;
  let stopKeepAlive = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const every = options.keepAliveMs ?? KEEP_ALIVE_MS;
      const timer = setInterval(() => controller.enqueue(encoder.encode(": waiting\n\n")), every);
      stopKeepAlive = () => clearInterval(timer);
    },
    async pull(controller) {
      for (;;) {
        let next: IteratorResult<SessionEvent>;
        try {
          next = await iterator.next();
        } catch (error) {
          log.warn("/v1 turn stream broke off", { session: options.sessionId, error: String(error) });
          next = { done: true, value: undefined };
          reader.breakOff();
        }
        if (next.done) {
          stopKeepAlive();
          for (const frame of finish(reader, options, reader.outcome())) controller.enqueue(frame);
          controller.close();
          return;
        }
        const event = next.value;
        const piece = reader.feed(event);
        if (!started && reader.id !== "") {
          started = true;
          controller.enqueue(sse(chunk(reader, options, { role: "assistant", content: "" }, null)));
        }
        if (event.type === "approval_request") {
          controller.enqueue(encoder.encode(`: waiting for approval of ${event.name} on a web device\n\n`));
        }
        if (piece !== "") {
          controller.enqueue(sse(chunk(reader, options, { content: piece }, null)));
          return;
        }
      }
    },
    async cancel() {
      stopKeepAlive();
      await iterator.return?.();
    },
  });
}

/** The whole turn as one completion, or the turn's error with its status. */
export async function collectCompletion(
  events: AsyncIterable<SessionEvent>,
  options: CompletionOptions,
): Promise<{ ok: true; completion: ChatCompletion } | { ok: false; status: number; code: string; message: string }> {
  const reader = new TurnReader(options.sessionId);
  try {
    for await (const event of events) reader.feed(event);
  } catch (error) {
    log.warn("/v1 turn stream broke off", { session: options.sessionId, error: String(error) });
    reader.breakOff();
  }
  const outcome = reader.outcome();
  if (!outcome.ok)
    return { ok: false, status: turnErrorStatus(outcome.code), code: outcome.code, message: outcome.message };
  return {
    ok: true,
    completion: {
      id: reader.id,
      object: "chat.completion",
      created: options.created,
      model: options.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: reader.content, refusal: null },
          finish_reason: outcome.finishReason,
          logprobs: null,
        },
      ],
      usage: reader.usage,
    },
  };
}
