// The outbound-URL check every MCP and OAuth fetch passes: http(s) only, no credentials, no private or loopback hosts.

/** Loopback is allowed only when the service runs locally (DEV_AUTH on loopback). */
export interface UrlGuardOptions {
  allowLoopback: boolean;
}

const BLOCKED_SUFFIXES = [".local", ".internal", ".localdomain"];

function ipv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

function loopbackHost(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost") || host === "[::1]") return true;
  return ipv4(host)?.[0] === 127;
}

function privateHost(host: string): boolean {
  const v4 = ipv4(host);
  if (v4) {
    const [a = 0, b = 0] = v4;
    return (
      a === 0 ||
      a === 10 ||
      a >= 224 ||
      (a === 100 && b >= 64 && b < 128) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b < 32) ||
      (a === 192 && b === 168)
    );
  }
  if (host.startsWith("[")) return true; // every IPv6 literal but ::1 (handled as loopback) is refused
  if (/^[\d.]+$/.test(host) || /^0x/i.test(host)) return true; // numeric forms other than dotted quads
  return BLOCKED_SUFFIXES.some((suffix) => host.endsWith(suffix));
}

/** Why the URL may not be fetched, or null when it may. */
export function checkOutboundUrl(raw: string | URL, options: UrlGuardOptions): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a valid URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "only http and https URLs are allowed";
  if (url.username !== "" || url.password !== "") return "credentials in the URL are not allowed";
  const host = url.hostname.toLowerCase();
  if (loopbackHost(host)) return options.allowLoopback ? null : "loopback hosts are not allowed";
  if (privateHost(host)) return "private, link-local and internal hosts are not allowed";
  return null;
}

/** Thrown by the guarded fetch; its message is safe to show. */
export class OutboundUrlRefused extends Error {
  override readonly name = "OutboundUrlRefused";
}

const MAX_REDIRECTS = 5;

/** A fetch that checks the URL first and every redirect by hand (GET and HEAD; others are not followed). */
export function guardedFetch(options: UrlGuardOptions, inner: typeof fetch = fetch): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let url = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    for (let hop = 0; ; hop++) {
      const refused = checkOutboundUrl(url, options);
      if (refused) throw new OutboundUrlRefused(`${refused}: ${new URL(url).origin}`);
      const response = await inner(hop === 0 ? input : url, { ...init, redirect: "manual" });
      const location = response.headers.get("location");
      const follow = response.status >= 300 && response.status < 400 && location && ["GET", "HEAD"].includes(method);
      if (!follow) return response;
      if (hop >= MAX_REDIRECTS) throw new OutboundUrlRefused("too many redirects");
      await response.body?.cancel();
      url = new URL(location, url).toString();
    }
  };
}
