// Which push endpoints the service will send to: https on a public host (the service's one outbound-URL
// guard decides what is public); loopback http only in local development.

import { checkOutboundUrl } from "../net/outbound-url";

/** Why an endpoint is refused, or null when it may be used. */
export function endpointProblem(endpoint: string, allowLoopbackHttp: boolean): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "the endpoint is not a URL";
  }
  const check = checkOutboundUrl(url, { allowLoopback: allowLoopbackHttp });
  if (!check.ok) return `the endpoint must be a public host: ${check.reason}`;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || /^127\./.test(host) || host === "::1";
  if (url.protocol !== "https:" && !(loopback && allowLoopbackHttp)) return "the endpoint must be https";
  return null;
}
