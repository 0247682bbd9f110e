// One model step with retries: backoff with jitter on 429/5xx/network errors, then the fallback models.

import { type ChatRequest, type Provider, ProviderError, type Usage } from "../../../agent/providers/types";

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
  /** Told before each retry (for logs and a notice). */
  onRetry?(info: { model: string; attempt: number; delayMs: number; error: ProviderError }): void;
  /** Told after every attempt, failed or not (the usage ledger). */
  onAttempt?(info: { provider: string; model: string; ok: boolean; error?: ProviderError; usage: Usage | null }): void;
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

function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  return new ProviderError("provider_unavailable", error instanceof Error ? error.message : String(error), {
    retryable: true,
  });
}

async function attempt(provider: Provider, model: string, options: StepOptions, streamed: { any: boolean }) {
  const result: StepResult = {
    provider: provider.name,
    model,
    text: "",
    toolCalls: [],
    usage: null,
    stopReason: "stop",
  };
  for await (const event of provider.stream({ ...options.request, model, signal: options.signal })) {
    if (event.type === "text") {
      streamed.any = true;
      result.text += event.text;
      options.onText(event.text);
    } else if (event.type === "tool_call") {
      result.toolCalls.push({ id: event.id, name: event.name, argumentsJson: event.argumentsJson });
    } else if (event.type === "usage") {
      result.usage = event.usage;
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
  for (const ref of options.models) {
    const { provider, model } = options.providerFor(ref);
    for (let attemptNo = 1; attemptNo <= MAX_ATTEMPTS_PER_MODEL; attemptNo++) {
      const streamed = { any: false };
      try {
        const result = await attempt(provider, model, options, streamed);
        options.onAttempt?.({ provider: provider.name, model, ok: true, usage: result.usage });
        return result;
      } catch (error) {
        if (options.signal.aborted) throw options.signal.reason;
        const failure = asProviderError(error);
        options.onAttempt?.({ provider: provider.name, model, ok: false, error: failure, usage: null });
        if (streamed.any || !failure.retryable) throw Object.assign(failure, { partial: streamed.any });
        lastError = failure;
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > MAX_RETRY_AFTER_MS) break;
        if (attemptNo === MAX_ATTEMPTS_PER_MODEL) break;
        const backoff = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attemptNo - 1));
        const delayMs = Math.max(failure.retryAfterMs ?? 0, Math.floor(backoff / 2 + (random() * backoff) / 2));
        options.onRetry?.({ model, attempt: attemptNo, delayMs, error: failure });
        await sleep(delayMs, options.signal);
      }
    }
  }
  throw lastError ?? new ProviderError("provider_error", "no model to call", { retryable: false });
}
