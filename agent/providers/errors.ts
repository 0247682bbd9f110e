// Provider failures in words a person can act on: which key, model, host or limit, and what to do; never a raw body alone.

import { isRecord } from "../../protocol/json";
import { type Provider, ProviderError, type ProviderEvent, type ProviderName } from "./types";

/** Most characters of the provider's own message quoted after ours. */
const MAX_DETAIL_CHARS = 200;

const OVERFLOW = /context.{0,20}(length|window)|too many tokens|prompt is too long|maximum context/i;
const NO_MODEL =
  /model.{0,80}(not.?found|does not exist|not exist|unknown|invalid)|model_not_found|not_found_error|no such model/i;
const NO_QUOTA = /insufficient_quota|exceeded your current quota|credit balance is too low|billing/i;

/** What a failed call was: where it went and for which model. */
export interface CallContext {
  url: string;
  model: string | undefined;
  retryAfterMs?: number | undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The variable holding the key for an endpoint, known from its path. */
export function keyVariableFor(url: string): string {
  return /\/messages$/.test(url) ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
}

/** The variable holding an endpoint's base URL, known from its path. */
function baseUrlVariableFor(url: string): string {
  return /\/messages$/.test(url) ? "ANTHROPIC_BASE_URL" : "OPENAI_BASE_URL";
}

/** The provider's own message out of an error body (`{"error":{"message"}}` and the like), shortened. */
export function providerDetail(body: string): string {
  let text = body.trim();
  try {
    const parsed: unknown = JSON.parse(body);
    const error = isRecord(parsed) ? parsed.error : undefined;
    const message = isRecord(error) ? error.message : typeof error === "string" ? error : undefined;
    if (typeof message === "string") text = message;
  } catch {
    // Not JSON: the text itself.
  }
  text = text.replace(/\s+/g, " ");
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
}

/** "in 42 s", "in 3 min": how long until a limit resets. */
export function resetsIn(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 120 ? `in ${seconds} s` : `in ${Math.ceil(seconds / 60)} min`;
}

/** An HTTP error answer of a provider as a typed error with a message saying what to do. */
export function httpFailure(status: number, body: string, call: CallContext): ProviderError {
  const host = hostOf(call.url);
  const detail = providerDetail(body);
  const quoted = detail ? ` (${status}: ${detail})` : ` (${status})`;
  const model = call.model ? `"${call.model}"` : "the model";
  if (status === 429 && !NO_QUOTA.test(body)) {
    const when = call.retryAfterMs === undefined ? "try again shortly" : `it resets ${resetsIn(call.retryAfterMs)}`;
    return new ProviderError(
      "provider_rate_limited",
      `the provider's rate limit at ${host} was hit; ${when}${quoted}`,
      {
        retryable: true,
        status,
        ...(call.retryAfterMs === undefined ? {} : { retryAfterMs: call.retryAfterMs }),
      },
    );
  }
  if (NO_QUOTA.test(body) && (status === 429 || status === 402 || status === 400 || status === 403)) {
    const message = `the provider account at ${host} has no quota or credit left; check its billing${quoted}`;
    return new ProviderError("provider_auth", message, { retryable: false, status });
  }
  if ((status === 400 || status === 413) && OVERFLOW.test(body)) {
    return new ProviderError("context_overflow", `the conversation is too long for ${model}${quoted}`, {
      retryable: false,
      status,
    });
  }
  if (status === 401 || status === 403) {
    const message = `the provider at ${host} refused the key; check ${keyVariableFor(call.url)}${quoted}`;
    return new ProviderError("provider_auth", message, { retryable: false, status });
  }
  if ((status === 404 || status === 400 || status === 422) && NO_MODEL.test(body)) {
    const message = `the model ${model} does not exist at ${host} (or this key cannot use it); check LLM_MODEL${quoted}`;
    return new ProviderError("provider_error", message, { retryable: false, status });
  }
  if (status === 404) {
    const message = `nothing answers at ${call.url}; check ${baseUrlVariableFor(call.url)}${quoted}`;
    return new ProviderError("provider_error", message, { retryable: false, status });
  }
  const retryable = status >= 500 || status === 408 || status === 409;
  return new ProviderError("provider_error", `the provider at ${host} failed${quoted}`, { retryable, status });
}

/** A call that never got an answer: the host is named, with the runtime's reason. */
export function networkFailure(url: string, error: unknown): ProviderError {
  const raw = error instanceof Error ? error.message : String(error);
  // workerd words a failed connection (no DNS, no route) as its opaque "internal error; reference = …".
  const reason = /^internal error; reference = /i.test(raw) ? "the connection could not be made" : raw;
  return new ProviderError(
    "provider_unavailable",
    `could not reach the provider at ${hostOf(url)}: is it running and is its address right? (${reason})`,
    { retryable: true },
  );
}

/** A provider with no key and no endpoint of its own: every call fails naming the variable. */
export function unconfiguredProvider(name: ProviderName, variable: string): Provider {
  return {
    name,
    // biome-ignore lint/correctness/useYield: it fails before its first event, by design.
    async *stream(): AsyncIterable<ProviderEvent> {
      throw new ProviderError("provider_auth", `${variable} is not set`, { retryable: false });
    },
  };
}

/** A budget or rate-limit refusal, with when it resets unless the message already says so (or it never resets). */
export function refusalMessage(message: string, retryAfterSeconds: number): string {
  if (retryAfterSeconds <= 0 || /resets/i.test(message)) return message;
  return `${message}; it resets ${resetsIn(retryAfterSeconds * 1000)}`;
}
