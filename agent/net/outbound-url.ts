// The one outbound-URL guard: every fetch made on a user's or a model's behalf (web_fetch today; MCP
// servers, OAuth and push endpoints later) checks each URL, redirects included, with `checkOutboundUrl`
// or fetches through `guardedFetch`.

import ipaddr from "ipaddr.js";

/** What a caller may relax; the default allows public http(s) only. */
export interface OutboundPolicy {
  /**
   * Allow loopback targets (127.0.0.0/8, ::1, `localhost`). Only local development sets this
   * (OUTBOUND_ALLOW_LOOPBACK=1, accepted with DEV_AUTH=1 only), so tests can reach fakes on loopback.
   */
  allowLoopback?: boolean;
}

export type OutboundCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Name suffixes that never name a public host (RFC 6761, RFC 8375, RFC 6762, common private zones). */
const LOCAL_SUFFIXES = [
  "localhost",
  "local",
  "internal",
  "intranet",
  "private",
  "corp",
  "lan",
  "home",
  "home.arpa",
  "arpa",
  "test",
  "invalid",
  "onion",
];

/**
 * Public DNS names that answer with any address written into them (rebinding and "wildcard" DNS helpers).
 * Workers cannot resolve names, so these known ones are refused by name; see docs/security.md.
 */
const REBINDING_ZONES = ["nip.io", "sslip.io", "xip.io", "localtest.me", "lvh.me", "traefik.me", "1u.ms", "rbndr.us"];

const LOOPBACK_NAMES = new Set(["localhost"]);

const refuse = (reason: string): OutboundCheck => ({ ok: false, reason });

const endsWithZone = (host: string, zone: string) => host === zone || host.endsWith(`.${zone}`);

/** Why an address literal is refused, or null when it is public unicast (or allowed loopback). */
function addressRefusal(literal: string, policy: OutboundPolicy): string | null {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(literal);
  } catch {
    return "the address cannot be parsed";
  }
  const range = address.range();
  if (range === "loopback" && policy.allowLoopback) return null;
  if (address.kind() === "ipv4") {
    return range === "unicast" ? null : `${range} addresses are not allowed`;
  }
  // IPv6: global unicast (2000::/3) only; mapped, translated and tunnelled forms carry IPv4 targets.
  const first = (address as ipaddr.IPv6).parts[0] ?? 0;
  if (range !== "unicast" || first < 0x2000 || first > 0x3fff) {
    return `${range === "unicast" ? "non-global" : range} IPv6 addresses are not allowed`;
  }
  return null;
}

/** Checks one URL: http(s), no credentials, a public name or public unicast address. */
export function checkOutboundUrl(raw: string | URL, policy: OutboundPolicy = {}): OutboundCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return refuse(`the ${url.protocol} scheme is not allowed`);
  if (url.username || url.password) return refuse("URLs with credentials are not allowed");
  // The URL parser already lower-cases, IDNA-encodes and turns numeric IPv4 forms (2130706433, 0x7f.1) into
  // dotted quads; trailing dots name the same host.
  const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.+$/, "");
  if (host === "") return refuse("the host is empty");
  if (ipaddr.isValid(host) && (host.includes(":") || ipaddr.IPv4.isValidFourPartDecimal(host))) {
    const why = addressRefusal(host, policy);
    return why ? refuse(why) : { ok: true, url };
  }
  if (LOOPBACK_NAMES.has(host) && policy.allowLoopback) return { ok: true, url };
  if (!/^[a-z0-9.-]+$/.test(host) || host.split(".").some((label) => label === "")) {
    return refuse("the host name is malformed");
  }
  if (!host.includes(".")) return refuse("single-label host names are not allowed");
  if (/^[0-9.]+$/.test(host)) return refuse("numeric host forms are not allowed");
  if (LOCAL_SUFFIXES.some((zone) => endsWithZone(host, zone))) return refuse("local host names are not allowed");
  if (REBINDING_ZONES.some((zone) => endsWithZone(host, zone))) {
    return refuse("names that resolve to addresses written into them are not allowed");
  }
  return { ok: true, url };
}

/** Most redirects `guardedFetch` follows. */
export const MAX_REDIRECTS = 5;

export type GuardedResult = { ok: true; response: Response; url: string } | { ok: false; url: string; reason: string };

export interface GuardedFetchOptions extends OutboundPolicy {
  /** Called before each redirect is followed; a string refuses it with that reason. */
  beforeRedirect?(url: URL): string | null;
}

/**
 * Fetches with manual redirects, checking the first URL and every redirect target; the caller reads (and
 * owns) the final response. A refused hop answers `{ok: false}` and its body is never fetched.
 */
export async function guardedFetch(
  fetcher: (url: string, init: RequestInit) => Promise<Response>,
  raw: string,
  init: RequestInit,
  options: GuardedFetchOptions = {},
): Promise<GuardedResult> {
  let url = raw;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const check = checkOutboundUrl(url, options);
    if (!check.ok) return { ok: false, url, reason: check.reason };
    if (hop > 0) {
      const why = options.beforeRedirect?.(check.url) ?? null;
      if (why) return { ok: false, url, reason: why };
    }
    const response = await fetcher(check.url.href, { ...init, redirect: "manual" });
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, check.url).href;
      continue;
    }
    return { ok: true, response, url: check.url.href };
  }
  return { ok: false, url, reason: `more than ${MAX_REDIRECTS} redirects` };
}
