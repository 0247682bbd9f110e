// Web security at the edge: cross-site writes refused for cookie sessions, admin actions audited.

import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, BASE, createSession, join, login } from "../helpers/workers";

describe("web security", () => {
  it("refuses cookie-authenticated writes from another site, and allows our own pages", async () => {
    const token = await login(`csrf-${crypto.randomUUID()}@example.com`);
    const cookie = `CF_Authorization=${token}`;
    const post = (headers: Record<string, string>) =>
      SELF.fetch(`${BASE}/api/sessions`, { method: "POST", body: "{}", headers: { cookie, ...headers } });
    expect((await post({ origin: "https://evil.example" })).status).toBe(403);
    expect((await post({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post({ origin: BASE, "sec-fetch-site": "same-origin" })).status).toBe(201);
    // Reads stay open to the cookie, and a header token is not a browser's ambient credential.
    expect(
      (await SELF.fetch(`${BASE}/api/sessions`, { headers: { cookie, "sec-fetch-site": "cross-site" } })).status,
    ).toBe(200);
    expect(
      (await api("/api/sessions", token, { method: "POST", body: "{}", headers: { origin: "https://evil.example" } }))
        .status,
    ).toBe(201);
  });

  it("writes admin actions to an audit log admins can read", async () => {
    const admin = await login("admin@example.com");
    const owner = await login(`audited-${crypto.randomUUID()}@example.com`);
    const id = await createSession(owner);
    const device = await join(id, owner);
    await api(`/admin/api/sessions/${id}/terminate`, admin, { method: "POST" });
    await device.until(() => device.closed !== null);
    await api("/admin/api/budgets/someone@example.com", admin, {
      method: "PUT",
      body: JSON.stringify({ dailyUsd: 3 }),
    });
    const log = await (await api("/admin/api/audit?limit=10", admin)).json<{
      entries: { actor: string; action: string; target: string }[];
    }>();
    expect(log.entries.slice(0, 2).map((e) => [e.actor, e.action, e.target])).toEqual([
      ["admin@example.com", "budget.set", "someone@example.com"],
      ["admin@example.com", "session.terminate", id],
    ]);
    expect((await api("/admin/api/audit", owner)).status).toBe(403);
  });
});
