// MCP secrets at rest and the outbound-URL guard.

import { describe, expect, it } from "vitest";
import { openJson, sealJson } from "../../../agent/mcp/crypto";
import { checkOutboundUrl, guardedFetch } from "../../../agent/mcp/url-guard";
import { parseConfig } from "../../../config/config";
import { validKey } from "../../../config/mcp";

const KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

describe("MCP secrets", () => {
  it("round-trips, hides the plaintext, and refuses another user's context or key", async () => {
    const sealed = await sealJson(KEY, "alice/s1", { headers: { authorization: "Bearer top-secret" } });
    expect(sealed).not.toContain("top-secret");
    expect(await openJson(KEY, "alice/s1", sealed)).toEqual({ headers: { authorization: "Bearer top-secret" } });
    await expect(openJson(KEY, "mallory/s1", sealed)).rejects.toThrow();
    const other = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await expect(openJson(other, "alice/s1", sealed)).rejects.toThrow();
    expect(validKey(KEY)).toBe(true);
    expect(validKey("short")).toBe(false);
  });
});

describe("MCP_ENCRYPTION_KEY", () => {
  it("is optional, and a malformed one stops start-up naming the variable", () => {
    expect(parseConfig({ DEV_AUTH: "1" }).mcpEncryptionKey).toBeNull();
    expect(parseConfig({ DEV_AUTH: "1", MCP_ENCRYPTION_KEY: KEY }).mcpEncryptionKey).toBe(KEY);
    expect(() => parseConfig({ DEV_AUTH: "1", MCP_ENCRYPTION_KEY: "too-short" })).toThrow(/MCP_ENCRYPTION_KEY/);
  });
});

describe("outbound-URL guard", () => {
  it("refuses non-http schemes, credentials, private and loopback hosts (loopback only when allowed)", () => {
    const strict = { allowLoopback: false };
    expect(checkOutboundUrl("https://mcp.example.com/mcp", strict)).toBeNull();
    expect(checkOutboundUrl("file:///etc/passwd", strict)).toMatch(/scheme/);
    expect(checkOutboundUrl("https://u:p@example.com/", strict)).toMatch(/credentials/);
    for (const url of [
      "http://10.1.2.3/",
      "http://192.168.0.1/",
      "http://169.254.169.254/",
      "http://[fd00::1]/",
      "http://svc.internal/",
      "http://2130706433/",
    ]) {
      expect(checkOutboundUrl(url, strict), url).not.toBeNull();
    }
    expect(checkOutboundUrl("http://127.0.0.1:9/", strict)).toMatch(/loopback/);
    expect(checkOutboundUrl("http://localhost:9/", { allowLoopback: true })).toBeNull();
    expect(checkOutboundUrl("http://10.0.0.1/", { allowLoopback: true })).not.toBeNull();
  });

  it("checks every redirect", async () => {
    const inner: typeof fetch = async () =>
      new Response(null, { status: 302, headers: { location: "http://169.254.169.254/" } });
    const guarded = guardedFetch({ allowLoopback: false }, inner);
    await expect(guarded("https://as.example.com/.well-known/oauth-authorization-server")).rejects.toThrow(
      /not allowed/,
    );
  });
});
