// The web_fetch tool, run in the Worker: http(s) only, no private, loopback or link-local targets (checked
// on every redirect), bounded in size and time, HTML reduced to readable text, the origin shown.

import { htmlToText } from "./html-to-text";
import type { Tool } from "./types";

export const WEB_FETCH_MAX_BYTES = 2 * 1024 * 1024;
export const WEB_FETCH_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 5;
const MAX_TEXT_CHARS = 50_000;

/** Why a URL may not be fetched, or null when it may. */
export function refusal(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `the ${url.protocol} scheme is not allowed`;
  if (url.username || url.password) return "URLs with credentials are not allowed";
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal")) {
    return "local host names are not allowed";
  }
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    const privateV4 =
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a >= 224;
    if (privateV4) return "private, loopback and link-local addresses are not allowed";
  } else if (/^[0-9]+$/.test(host) || /^0x/i.test(host)) {
    return "numeric host forms are not allowed";
  } else if (host.includes(":")) {
    const lower = host.toLowerCase();
    if (
      lower === "::" ||
      lower === "::1" ||
      lower.startsWith("fe80") ||
      lower.startsWith("fc") ||
      lower.startsWith("fd") ||
      lower.startsWith("::ffff:")
    ) {
      return "private, loopback and link-local addresses are not allowed";
    }
  }
  return null;
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

export function webFetchTool(fetcher: (url: string, init: RequestInit) => Promise<Response>): Tool {
  return {
    spec: {
      name: "web_fetch",
      description: "Fetch a public web page (http or https) and return its readable text.",
      parameters: { type: "object", properties: { url: { type: "string" } }, required: ["url"] },
    },
    async run(args, ctx) {
      let url = typeof args.url === "string" ? args.url : "";
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(WEB_FETCH_TIMEOUT_MS)]);
      try {
        for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
          const refused = refusal(url);
          if (refused) return { ok: false, output: `refused ${url}: ${refused}` };
          const response = await fetcher(url, {
            redirect: "manual",
            signal,
            headers: { "user-agent": "edgeclaw-web-fetch" },
          });
          const location = response.headers.get("location");
          if (response.status >= 300 && response.status < 400 && location) {
            await response.body?.cancel();
            url = new URL(location, url).href;
            continue;
          }
          const { text, truncated } = await readCapped(response, WEB_FETCH_MAX_BYTES);
          if (truncated)
            return {
              ok: false,
              output: `refused ${url}: the body is over ${WEB_FETCH_MAX_BYTES} bytes`,
              truncated: true,
            };
          const html = (response.headers.get("content-type") ?? "").includes("html");
          const body = (html ? await htmlToText(text, { baseUrl: url }) : text).slice(0, MAX_TEXT_CHARS);
          return { ok: response.ok, output: `Fetched from ${new URL(url).origin} (HTTP ${response.status}):\n${body}` };
        }
        return { ok: false, output: `refused: more than ${MAX_REDIRECTS} redirects` };
      } catch (error) {
        return { ok: false, output: `the fetch failed: ${signal.aborted ? "timed out or cancelled" : String(error)}` };
      }
    },
  };
}
