// One model step with retries: backoff with jitter on 429/5xx/network errors, then the fallback models.
// Every attempt passes the meter first (budget, rate limits) and is recorded after, failed or not.

import {
  type ChatRequest,
  type GatewayOptions,
  type Provider,
  ProviderError,
  type ReasoningPart,
  type Usage,
} from "../../../agent/providers/types";

export const MAX_ATTEMPTS_PER_MODEL = 3;
export const RETRY_BASE_MS = 500;
export const RETRY_CAP_MS = 8_000;
/** A retry-after longer than this is not waited for: the next model is tried instead. */
export const MAX_RETRY_AFTER_MS = 30_000;

export interface ToolCallRequest {
  id: string;
  name: string;
  argumentsJson: string;
}

/** A model reference ("claude-x" or "anthropic:claude-x") resolved to its provider and model name. */
export interface ResolvedModel {
  provider: Provider;
  model: string;
}

export interface StepResult {
  provider: string;
  model: string;
  text: string;
  toolCalls: ToolCallRequest[];
  usage: Usage | null;
  stopReason: string;
  /** Readable reasoning text of the step. */
  reasoning: string;
  /** Reasoning blocks the provider wants back with this step. */
  reasoningParts: ReasoningPart[];
}

/** How one attempt went, for the ledger. */
export interface AttemptOutcome {
  ok: boolean;
  error: ProviderError | null;
  usage: Usage | null;
  /** Text received (to estimate tokens when the usage never came). */
  text: string;
  startedAt: number;
  firstTokenAt: number | null;
  endedAt: number;
  cacheHit: boolean;
  gatewayLogId: string | null;
}

/** Admits and records attempts; `before` throws a MeterRefusal to stop the turn. */
export interface AttemptMeter {
  before(info: { provider: string; model: string; attempt: number; request: ChatRequest }): Promise<AttemptTicket>;
  after(ticket: AttemptTicket, outcome: AttemptOutcome): Promise<void>;
}

export interface AttemptTicket {
  /** Options the meter adds to the request (our price for the gateway). */
  gateway?: GatewayOptions;
}

export interface StepOptions {
  /** The provider for a model reference, and the model name to send it. */
  providerFor(ref: string): ResolvedModel;
  /** The main model first, then fallbacks. */
  models: string[];
  request: Omit<ChatRequest, "model" | "signal">;
  signal: AbortSignal;
  /** Each piece of text as it arrives. */
  onText(piece: string): void;
  /** Each piece of reasoning as it arrives. */
  onReasoning?(piece: string): void;
  meter?: AttemptMeter;
  /** Random in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function asProviderError(error: unknown, signal: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal.aborted) return new ProviderError("aborted", "the call was cancelled", { retryable: false });
  return new ProviderError("provider_unavailable", error instanceof Error ? error.message : String(error), {
    retryable: true,
  });
}

async function attempt(provider: Provider, request: ChatRequest, options: StepOptions, outcome: AttemptOutcome) {
  const result: StepResult = {
    provider: provider.name,
    model: request.model,
    text: "",
    toolCalls: [],
    usage: null,
    stopReason: "stop",
    reasoning: "",
    reasoningParts: [],
  };
  for await (const event of provider.stream(request)) {
    if (event.type === "meta") {
      outcome.cacheHit = event.cacheHit;
      outcome.gatewayLogId = event.gatewayLogId;
      continue;
    }
    outcome.firstTokenAt ??= event.type === "text" || event.type === "tool_call" ? Date.now() : null;
    if (event.type === "text") {
      result.text += event.text;
      outcome.text += event.text;
      options.onText(event.text);
    } else if (event.type === "reasoning") {
      result.reasoning += event.text;
      options.onReasoning?.(event.text);
    } else if (event.type === "reasoning_part") {
      result.reasoningParts.push(event.part);
    } else if (event.type === "tool_call") {
      result.toolCalls.push({ id: event.id, name: event.name, argumentsJson: event.argumentsJson });
    } else if (event.type === "usage") {
      result.usage = event.usage;
      outcome.usage = event.usage;
    } else if (event.type === "done") {
      result.stopReason = event.stopReason;
    }
  }
  return result;
}

/**
 * Streams one step. A failure after text was streamed is not retried (the text is already with the
 * devices): it is thrown with `partial` set so the caller keeps the text and says it was cut.
 */
export async function streamStep(options: StepOptions): Promise<StepResult> {
  const random = options.random ?? Math.random;
  let lastError: ProviderError | undefined;
  let attemptNo = 0;
  for (const ref of options.models) {
    const { provider, model } = options.providerFor(ref);
    for (let tries = 1; tries <= MAX_ATTEMPTS_PER_MODEL; tries++) {
      attemptNo++;
      const base: ChatRequest = { ...options.request, model, signal: options.signal };
      const ticket = options.meter
        ? await options.meter.before({ provider: provider.name, model, attempt: attemptNo, request: base })
        : {};
      const request = ticket.gateway ? { ...base, gateway: { ...base.gateway, ...ticket.gateway } } : base;
      const outcome: AttemptOutcome = {
        ok: false,
        error: null,
        usage: null,
        text: "",
        startedAt: Date.now(),
        firstTokenAt: null,
        endedAt: 0,
        cacheHit: false,
        gatewayLogId: null,
      };
      try {
        const result = await attempt(provider, request, options, outcome);
        await options.meter?.after(ticket, { ...outcome, ok: true, endedAt: Date.now() });
        return result;
      } catch (error) {
        const failure = asProviderError(error, options.signal);
        await options.meter?.after(ticket, { ...outcome, error: failure, endedAt: Date.now() });
        if (options.signal.aborted) throw options.signal.reason;
        const streamed = outcome.text !== "";
        if (streamed || !failure.retryable) {
          failure.partial = streamed;
          throw failure;
        }
        lastError = failure;
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > MAX_RETRY_AFTER_MS) break;
        if (tries === MAX_ATTEMPTS_PER_MODEL) break;
        const backoff = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (tries - 1));
        const delayMs = Math.max(failure.retryAfterMs ?? 0, Math.floor(backoff / 2 + (random() * backoff) / 2));
        await sleep(delayMs, options.signal);
      }
    }
  }
  throw lastError ?? new ProviderError("provider_error", "no model to call", { retryable: false });
}
