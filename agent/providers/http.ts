// Posting to a provider: network failures and HTTP errors become typed ProviderErrors.

import { ProviderError } from "./types";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Seconds or an HTTP date in Retry-After, as milliseconds. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const OVERFLOW = /context.{0,20}(length|window)|too many tokens|prompt is too long|maximum context/i;

async function errorFor(response: Response): Promise<ProviderError> {
  const text = (await response.text().catch(() => "")).slice(0, 500);
  const status = response.status;
  const detail = `${status} from the provider${text ? `: ${text}` : ""}`;
  if (status === 429) {
    const wait = retryAfterMs(response.headers.get("retry-after"));
    return new ProviderError("provider_rate_limited", detail, {
      retryable: true,
      status,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  if ((status === 400 || status === 413) && OVERFLOW.test(text)) {
    return new ProviderError("context_overflow", detail, { retryable: false, status });
  }
  if (status === 401 || status === 403) return new ProviderError("provider_auth", detail, { retryable: false, status });
  if (status >= 500 || status === 408 || status === 409)
    return new ProviderError("provider_error", detail, { retryable: true, status });
  return new ProviderError("provider_error", detail, { retryable: false, status });
}

/** A 2xx answer: its streaming body and what its headers say about the gateway. */
export interface Posted {
  body: ReadableStream<Uint8Array>;
  meta: { type: "meta"; cacheHit: boolean; gatewayLogId: string | null };
}

/** POSTs JSON and returns the streaming body of a 2xx answer. */
export async function postJson(
  fetchImpl: FetchLike,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  signal: AbortSignal | undefined,
): Promise<Posted> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw new ProviderError("aborted", "the call was cancelled", { retryable: false });
    throw new ProviderError("provider_unavailable", `the provider could not be reached: ${String(error)}`, {
      retryable: true,
    });
  }
  if (!response.ok) throw await errorFor(response);
  if (!response.body) {
    throw new ProviderError("bad_stream", "the provider answered without a body", { retryable: true });
  }
  const cacheHit = response.headers.get("cf-aig-cache-status")?.toUpperCase() === "HIT";
  return { body: response.body, meta: { type: "meta", cacheHit, gatewayLogId: response.headers.get("cf-aig-log-id") } };
}
