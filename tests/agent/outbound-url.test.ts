// The outbound-URL guard against the review's SSRF matrix: every bypass it found is refused, public URLs pass.

import { describe, expect, it } from "vitest";
import { checkOutboundUrl, guardedFetch } from "../../agent/net/outbound-url";
import { webFetchTool } from "../../agent/tools/web-fetch";
import { parseConfig } from "../../config/config";

const ctx = { sessionId: "s", user: "u", signal: new AbortController().signal, onOutput: () => {} };

describe("outbound-URL guard", () => {
  it.each([
    // Single-label names resolved by /etc/hosts or search domains (live: http://vm:8808/ reached the sandbox host).
    "http://vm:8808/health",
    "http://metadata/computeMetadata/v1/",
    "http://internal/",
    // Trailing dots and special-use names.
    "http://localhost./",
    "http://foo.localhost./",
    "http://printer.local/",
    "http://db.internal/",
    "http://router.lan/",
    "http://nas.home.arpa/",
    "http://1.0.0.127.in-addr.arpa/",
    // Names that answer with the address written into them.
    "http://127.0.0.1.nip.io/",
    "http://169.254.169.254.nip.io/",
    "http://localtest.me/",
    "http://10.0.0.1.sslip.io/",
    // IPv4 special ranges, also in numeric forms the URL parser normalises.
    "http://192.0.0.1/",
    "http://198.18.0.1/",
    "http://192.0.2.2/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://255.255.255.255/",
    "http://224.0.0.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://017700000001/",
    // IPv6: link-local beyond fe80, site-local, IPv4-compatible, NAT64, 6to4, Teredo, multicast, mapped.
    "http://[fe90::1]/",
    "http://[febf::1]/",
    "http://[fec0::1]/",
    "http://[::7f00:1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[2001::1]/",
    "http://[ff02::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::1]/",
    "http://[fd00::1]/",
    // Schemes and credentials.
    "file:///etc/passwd",
    "gopher://example.com/",
    "https://user:pass@example.com/",
  ])("refuses %s", (url) => {
    expect(checkOutboundUrl(url)).toMatchObject({ ok: false });
  });

  it.each(["https://example.com/", "http://example.com./page", "https://93.184.215.14/", "https://[2606:4700::1111]/"])(
    "allows %s",
    (url) => {
      expect(checkOutboundUrl(url).ok).toBe(true);
    },
  );

  it("allows loopback only when the policy says so, and never private or link-local ranges", () => {
    const dev = { allowLoopback: true };
    expect(checkOutboundUrl("http://127.0.0.1:8790/", dev).ok).toBe(true);
    expect(checkOutboundUrl("http://localhost:8790/", dev).ok).toBe(true);
    expect(checkOutboundUrl("http://[::1]:8790/", dev).ok).toBe(true);
    expect(checkOutboundUrl("http://127.0.0.1:8790/").ok).toBe(false);
    expect(checkOutboundUrl("http://10.0.0.1/", dev).ok).toBe(false);
    expect(checkOutboundUrl("http://169.254.169.254/", dev).ok).toBe(false);
    expect(checkOutboundUrl("http://vm:8808/", dev).ok).toBe(false);
  });

  it("takes the loopback allowance from configuration only in local development", () => {
    expect(parseConfig({ DEV_AUTH: "1", OUTBOUND_ALLOW_LOOPBACK: "1" }).outbound.allowLoopback).toBe(true);
    expect(parseConfig({ DEV_AUTH: "1" }).outbound.allowLoopback).toBe(false);
    expect(() =>
      parseConfig({
        ACCESS_TEAM_DOMAIN: "https://team.cloudflareaccess.com",
        ACCESS_AUD: "a",
        OUTBOUND_ALLOW_LOOPBACK: "1",
      }),
    ).toThrow(/OUTBOUND_ALLOW_LOOPBACK/);
  });

  it("checks every redirect and never fetches a refused hop", async () => {
    const seen: string[] = [];
    const fetcher = async (url: string) => {
      seen.push(url);
      return new Response(null, { status: 302, headers: { location: "http://vm:8808/health" } });
    };
    const result = await guardedFetch(fetcher, "https://example.com/", {});
    expect(result).toMatchObject({ ok: false, url: "http://vm:8808/health" });
    expect(seen).toEqual(["https://example.com/"]);
    const tool = webFetchTool(fetcher);
    expect((await tool.run({ url: "https://example.com/" }, ctx)).output).toMatch(/^refused http:\/\/vm:8808\/health/);
  });

  it("under ask, refuses a redirect to an origin the user has not approved, and asks before a new one", async () => {
    const seen: string[] = [];
    const fetcher = async (url: string) => {
      seen.push(url);
      return new Response(null, { status: 302, headers: { location: "https://collector.example/?d=secret" } });
    };
    const origins = { ask: true, known: new Set(["https://example.com"]) };
    const tool = webFetchTool(fetcher, { origins });
    const needs = (url: string) => (typeof tool.needsApproval === "function" ? tool.needsApproval({ url }) : null);
    expect(needs("https://example.com/page")).toBe(false);
    expect(needs("https://collector.example/")).toBe(true);
    const result = await tool.run({ url: "https://example.com/page" }, ctx);
    expect(result.output).toMatch(/^refused https:\/\/collector\.example\/\?d=secret: a redirect to a new origin/);
    expect(seen).toEqual(["https://example.com/page"]);
    expect(origins.known.has("https://collector.example")).toBe(false);
  });
});
