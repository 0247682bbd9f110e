// The web_fetch tool, run in the Worker: every URL and redirect passes the outbound-URL guard; bounded in
// size and time, HTML reduced to readable text, the origin shown; under `ask` a new origin needs approval.

import { checkOutboundUrl, guardedFetch, type OutboundPolicy } from "../net/outbound-url";
import { htmlToText } from "./html-to-text";
import type { Tool } from "./types";

export const WEB_FETCH_MAX_BYTES = 2 * 1024 * 1024;
export const WEB_FETCH_TIMEOUT_MS = 10_000;
const MAX_TEXT_CHARS = 50_000;

/** Why a URL may not be fetched, or null when it may (the shared outbound-URL guard, default policy). */
export function refusal(raw: string): string | null {
  const check = checkOutboundUrl(raw);
  return check.ok ? null : check.reason;
}

/** Origins fetched in this session; under `ask`, a new origin needs the user's approval. */
export interface FetchOrigins {
  ask: boolean;
  known: Set<string>;
}

function originOf(raw: unknown): string | null {
  try {
    return typeof raw === "string" ? new URL(raw).origin : null;
  } catch {
    return null;
  }
}

async function readCapped(response: Response, max: number): Promise<{ text: string; truncated: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { text: "", truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      return { text: new TextDecoder().decode(concat(chunks)), truncated: true };
    }
    chunks.push(value);
  }
  return { text: new TextDecoder().decode(concat(chunks)), truncated: false };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export interface WebFetchOptions {
  policy?: OutboundPolicy;
  /** Absent: no approvals (tests, policies other than `ask`). */
  origins?: FetchOrigins;
}

export function webFetchTool(
  fetcher: (url: string, init: RequestInit) => Promise<Response>,
  options: WebFetchOptions = {},
): Tool {
  const origins = options.origins;
  const isNew = (origin: string | null) => origins?.ask === true && (origin === null || !origins.known.has(origin));
  return {
    spec: {
      name: "web_fetch",
      description: "Fetch a public web page (http or https) and return its readable text.",
      parameters: { type: "object", properties: { url: { type: "string" } }, required: ["url"] },
    },
    needsApproval: (args) => isNew(originOf(args.url)),
    async run(args, ctx) {
      const url = typeof args.url === "string" ? args.url : "";
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(WEB_FETCH_TIMEOUT_MS)]);
      try {
        const result = await guardedFetch(
          fetcher,
          url,
          { signal, headers: { "user-agent": "edgeclaw-web-fetch" } },
          {
            ...options.policy,
            beforeRedirect: (next) =>
              isNew(next.origin) ? `a redirect to a new origin (${next.origin}); fetch that URL to ask the user` : null,
          },
        );
        if (!result.ok) return { ok: false, output: `refused ${result.url}: ${result.reason}` };
        const { response } = result;
        const origin = new URL(result.url).origin;
        origins?.known.add(origin);
        const { text, truncated } = await readCapped(response, WEB_FETCH_MAX_BYTES);
        if (truncated)
          return {
            ok: false,
            output: `refused ${result.url}: the body is over ${WEB_FETCH_MAX_BYTES} bytes`,
            truncated: true,
          };
        const html = (response.headers.get("content-type") ?? "").includes("html");
        const body = (html ? await htmlToText(text, { baseUrl: result.url }) : text).slice(0, MAX_TEXT_CHARS);
        return { ok: response.ok, output: `Fetched from ${origin} (HTTP ${response.status}):\n${body}` };
      } catch (error) {
        return { ok: false, output: `the fetch failed: ${signal.aborted ? "timed out or cancelled" : String(error)}` };
      }
    },
  };
}
