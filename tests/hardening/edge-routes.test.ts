// Edge hardening: dev login CSRF and Host trust (V14, S6), bad escapes (V12), admin reads audited (V13),
// rate limits on routes that cost storage or fan out (S4).

import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HEAVY_ROUTE_LIMITS, HeavyRouteLimiter } from "../../objects/usage/http-limits";
import { api, BASE, createSession, login } from "../helpers/workers";

const devLogin = (headers: Record<string, string>, base = BASE) =>
  SELF.fetch(`${base}/dev/login`, {
    method: "POST",
    body: JSON.stringify({ email: "attacker@example.com" }),
    headers: { "content-type": "text/plain", ...headers },
  });

describe("dev login (V14, S6)", () => {
  it("refuses cross-site posts, which would sign the victim in as the attacker", async () => {
    const evil = await devLogin({ origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expect(evil.status).toBe(403);
    expect(evil.headers.get("set-cookie")).toBeNull();
    expect((await devLogin({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await devLogin({ origin: "https://evil.example" })).status).toBe(403);
    expect((await devLogin({ origin: BASE, "sec-fetch-site": "same-origin" })).status).toBe(200);
  });

  it("does not trust a loopback Host header when the request came through a proxy or from elsewhere", async () => {
    const proxied: Record<string, string>[] = [
      { "x-forwarded-for": "203.0.113.9" },
      { forwarded: "for=203.0.113.9" },
      { "cf-connecting-ip": "203.0.113.9" },
      { "x-real-ip": "203.0.113.9" },
    ];
    for (const headers of proxied) {
      const response = await devLogin(headers, "http://localhost:8787");
      expect(response.status).toBe(404);
    }
    expect((await devLogin({ "cf-connecting-ip": "127.0.0.1" }, "http://localhost:8787")).status).toBe(200);
  });
});

describe("artifact paths (V12)", () => {
  it("refuses a JSON body over 64 KiB with 413 payload_too_large, counting bytes, and creates nothing", async () => {
    const token = await login(`big-body-${crypto.randomUUID()}@example.com`);
    const create = (title: string) => api("/api/sessions", token, { method: "POST", body: JSON.stringify({ title }) });
    const before = await (await api("/api/sessions", token)).json<{ sessions: unknown[] }>();
    // 40,000 "é": 40,016 characters of JSON, but 80,016 bytes of UTF-8.
    for (const title of ["a".repeat(70_000), "é".repeat(40_000)]) {
      const response = await create(title);
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { code: "payload_too_large" } });
    }
    expect(await (await api("/api/sessions", token)).json()).toEqual(before);
  });

  it("answers a malformed percent-escape with 400, not 500", async () => {
    const token = await login(`escape-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const response = await api(`/api/sessions/${id}/artifacts/%E0%A4%A`, token);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: { code: string } }>()).error.code).toBe("bad_request");
  });
});

describe("admin reads (V13)", () => {
  it("writes inspections and reads of another user's artifacts to the audit log", async () => {
    const admin = await login("admin@example.com");
    const owner = `watched-${crypto.randomUUID()}@example.com`;
    const id = await createSession(await login(owner));
    expect((await api(`/admin/api/sessions/${id}`, admin)).status).toBe(200);
    expect((await api(`/api/sessions/${id}/artifacts`, admin)).status).toBe(200);
    expect((await api(`/api/sessions/${id}/artifacts/report.txt`, admin)).status).toBe(404);
    const log = await (await api("/admin/api/audit?limit=10", admin)).json<{
      entries: { actor: string; action: string; target: string; detail: string }[];
    }>();
    const mine = log.entries.filter((e) => e.target === id);
    expect(mine.map((e) => e.action)).toEqual(["artifact.read", "artifacts.list", "session.inspect"]);
    expect(mine.every((e) => e.actor === "admin@example.com" && e.detail.includes(owner))).toBe(true);
    expect(mine[0]?.detail).toContain("report.txt");
  });
});

describe("costly routes (S4)", () => {
  it("limits transcript exports per user with 429 and Retry-After, before any object is written", async () => {
    const token = await login(`exports-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const { burst } = HEAVY_ROUTE_LIMITS.export;
    for (let i = 0; i < burst; i++) {
      expect((await api(`/api/sessions/${id}/exports`, token, { method: "POST" })).status).toBe(201);
    }
    const refused = await api(`/api/sessions/${id}/exports`, token, { method: "POST" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const artifacts = await (await api(`/api/sessions/${id}/artifacts`, token)).json<{ artifacts: unknown[] }>();
    expect(artifacts.artifacts.length).toBe(2 * burst);
  });

  it("limits searches (each fans out to every session) and snapshots, refilling over time", () => {
    const limiter = new HeavyRouteLimiter();
    const now = Date.UTC(2026, 10, 29);
    for (let i = 0; i < HEAVY_ROUTE_LIMITS.search.burst; i++) expect(limiter.take("search", now)).toBe(0);
    expect(limiter.take("search", now)).toBe(10);
    expect(limiter.take("snapshot", now)).toBe(0);
    expect(limiter.take("search", now + 10_000)).toBe(0);
  });
});
