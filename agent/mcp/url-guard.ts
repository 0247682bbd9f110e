// MCP's and OAuth's fetch: every URL and redirect passes the service's one outbound-URL guard (agent/net/outbound-url.ts).

import { checkOutboundUrl as checkPublicUrl } from "../net/outbound-url";

/** Loopback is allowed only when the service runs locally (DEV_AUTH on loopback). */
export interface UrlGuardOptions {
  allowLoopback: boolean;
}

/** Why the URL may not be fetched, or null when it may: the service's one outbound-URL guard decides. */
export function checkOutboundUrl(raw: string | URL, options: UrlGuardOptions): string | null {
  const check = checkPublicUrl(raw, { allowLoopback: options.allowLoopback });
  return check.ok ? null : check.reason;
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
