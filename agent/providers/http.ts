// Posting to a provider: network failures and HTTP errors become typed ProviderErrors (worded in errors.ts).

import { isRecord } from "../../protocol/json";
import { httpFailure, networkFailure } from "./errors";
import { type ChatRequest, ProviderError } from "./types";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** How an HTTP provider (OpenAI-compatible, Responses, Anthropic) is reached. */
export interface HttpProviderOptions {
  baseUrl: string;
  apiKey?: string;
  /** Extra headers on every call (AI Gateway's). */
  headers?: (request: ChatRequest) => Record<string, string>;
  fetch: FetchLike;
  /** A stream silent this long fails as stalled. */
  idleTimeoutMs?: number;
}

/** A usage figure from a provider's JSON: a finite number, else 0. */
export const usageNumber = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) ? value : 0;

/** Seconds or an HTTP date in Retry-After, as milliseconds. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

async function errorFor(response: Response, url: string, body: unknown): Promise<ProviderError> {
  const text = await response.text().catch(() => "");
  const model = isRecord(body) && typeof body.model === "string" ? body.model : undefined;
  const wait = response.status === 429 ? retryAfterMs(response.headers.get("retry-after")) : undefined;
  return httpFailure(response.status, text, { url, model, retryAfterMs: wait });
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
    throw networkFailure(url, error);
  }
  if (!response.ok) throw await errorFor(response, url, body);
  if (!response.body) {
    throw new ProviderError("bad_stream", "the provider answered without a body", { retryable: true });
  }
  const cacheHit = response.headers.get("cf-aig-cache-status")?.toUpperCase() === "HIT";
  return { body: response.body, meta: { type: "meta", cacheHit, gatewayLogId: response.headers.get("cf-aig-log-id") } };
}
