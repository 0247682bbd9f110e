// Who may call /v1: personal API keys (shown once, hashed, revocable, /v1 only), Access first, service tokens.

import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ApiKeyList, CreatedApiKey } from "../../protocol/api-keys";
import { DEV_ISSUER } from "../../worker/auth/dev-auth";
import { parseConfig } from "../../worker/config";
import { api, BASE, login } from "../helpers/workers";

function bearer(path: string, key: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${key}`);
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

async function newKey(token: string, name: string): Promise<CreatedApiKey> {
  const response = await api("/api/keys", token, { method: "POST", body: JSON.stringify({ name }) });
  expect(response.status).toBe(201);
  return response.json();
}

async function errorCode(response: Response): Promise<string> {
  const body: { error: { code: string } } = await response.json();
  return body.error.code;
}

/** A token of the dev issuer as Access signs a service token: a common_name and no email. */
async function serviceToken(commonName: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return env.DEV_ISSUER.getByName("issuer").sign({
    iss: DEV_ISSUER,
    aud: ["edgeclaw-test"],
    sub: "",
    common_name: commonName,
    iat: now,
    exp: now + 600,
  });
}

describe("personal API keys", () => {
  it("shows a key once, lists it without the secret, and authenticates /v1 with it until revoked", async () => {
    const token = await login(`keys-${crypto.randomUUID()}@example.com`);
    const created = await newKey(token, "laptop script");
    expect(created.key).toMatch(/^eck_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: "laptop script", prefix: created.key.slice(0, 12), lastUsedAt: null });

    const list: ApiKeyList = await (await api("/api/keys", token)).json();
    expect(list.keys).toEqual([
      { id: created.id, name: "laptop script", prefix: created.prefix, createdAt: created.createdAt, lastUsedAt: null },
    ]);
    expect(JSON.stringify(list)).not.toContain(created.key);

    const models = await bearer("/v1/models", created.key);
    expect(models.status).toBe(200);
    // The key works only on /v1.
    expect(await errorCode(await bearer("/api/sessions", created.key))).toBe("missing_token");
    expect((await bearer("/api/keys", created.key)).status).toBe(401);

    // Another user cannot revoke it; its owner can, and then it is refused.
    const stranger = await login(`keys-other-${crypto.randomUUID()}@example.com`);
    expect((await api(`/api/keys/${created.id}`, stranger, { method: "DELETE" })).status).toBe(404);
    expect((await bearer("/v1/models", created.key)).status).toBe(200);
    expect((await api(`/api/keys/${created.id}`, token, { method: "DELETE" })).status).toBe(204);
    const revoked = await bearer("/v1/models", created.key);
    expect(revoked.status).toBe(401);
    expect(await errorCode(revoked)).toBe("invalid_api_key");
    expect(((await (await api("/api/keys", token)).json()) as ApiKeyList).keys).toEqual([]);
  });

  it("runs a turn as the key's owner, in the owner's sessions", async () => {
    const email = `keys-turn-${crypto.randomUUID()}@example.com`;
    const token = await login(email);
    const { key } = await newKey(token, "client");
    const response = await bearer("/v1/chat/completions", key, {
      method: "POST",
      body: JSON.stringify({ model: "edgeclaw", messages: [{ role: "user", content: "hello from a key" }] }),
    });
    expect(response.status).toBe(200);
    const session = response.headers.get("x-edgeclaw-session");
    await response.json();
    const mine: { sessions: { id: string; owner: string }[] } = await (await api("/api/sessions", token)).json();
    expect(mine.sessions.find((s) => s.id === session)?.owner).toBe(email);
  });

  it("refuses unknown and malformed keys, bad names, and lets the Access token decide when both come", async () => {
    const token = await login(`keys-bad-${crypto.randomUUID()}@example.com`);
    expect(await errorCode(await bearer("/v1/models", `eck_${"A".repeat(43)}`))).toBe("invalid_api_key");
    expect(await errorCode(await bearer("/v1/models", "sk-not-ours"))).toBe("invalid_api_key");
    expect(await errorCode(await SELF.fetch(`${BASE}/v1/models`))).toBe("missing_token");
    for (const body of ['{"name":""}', `{"name":"${"x".repeat(101)}"}`, '{"name":3}', "[]"]) {
      const response = await api("/api/keys", token, { method: "POST", body });
      expect(response.status).toBe(400);
    }
    expect(((await (await api("/api/keys", token)).json()) as ApiKeyList).keys).toEqual([]);

    const { key } = await newKey(token, "both");
    // A valid Access token with a wrong Bearer value: the token decides (allowed).
    const both = await api("/v1/models", token, { headers: { authorization: "Bearer wrong" } });
    expect(both.status).toBe(200);
    // A bad Access token with a valid key: the token decides (refused), the key is not tried.
    const badToken = await SELF.fetch(`${BASE}/v1/models`, {
      headers: { "cf-access-jwt-assertion": "not.a.jwt", authorization: `Bearer ${key}` },
    });
    expect(badToken.status).toBe(401);
    expect(await errorCode(badToken)).toBe("invalid_token");
  });

  it("keeps at most 20 keys per user", async () => {
    const token = await login(`keys-many-${crypto.randomUUID()}@example.com`);
    for (let i = 0; i < 20; i++) await newKey(token, `key ${i}`);
    const over = await api("/api/keys", token, { method: "POST", body: '{"name":"one more"}' });
    expect(over.status).toBe(409);
    expect(((await (await api("/api/keys", token)).json()) as ApiKeyList).keys).toHaveLength(20);
  });
});

describe("SERVICE_TOKEN_USERS", () => {
  it("acts for the mapped user, never as an admin; an unmapped token stays service:<name>", async () => {
    const owner = await login("svc-owner@example.com");
    const bot = await serviceToken("ci-bot.access");
    const created = await api("/api/sessions", bot, { method: "POST", body: '{"title":"from the bot"}' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const mine: { sessions: { id: string }[] } = await (await api("/api/sessions", owner)).json();
    expect(mine.sessions.map((s) => s.id)).toContain(id);
    const me = await (await api("/api/me", bot)).json();
    expect(me).toMatchObject({ user: "svc-owner@example.com", admin: false });

    // Mapped to an admin's email, a service token is still not an admin.
    const adminBot = await serviceToken("admin-bot.access");
    expect((await api("/admin/api/sessions", adminBot)).status).toBe(403);
    const unmapped = await serviceToken("other.access");
    expect(await (await api("/api/me", unmapped)).json()).toMatchObject({ user: "service:other.access" });

    const models = await api("/v1/models", bot);
    expect(models.status).toBe(200);
  });
});

describe("SERVICE_TOKEN_USERS parsing", () => {
  const base = { ACCESS_TEAM_DOMAIN: "https://acme.cloudflareaccess.com", ACCESS_AUD: "aud" };
  it("reads common_name=email pairs and refuses malformed ones, naming the variable", () => {
    const config = parseConfig({ ...base, SERVICE_TOKEN_USERS: " bot.access = Alice@Example.com , ci=ci@example.com" });
    expect([...config.serviceTokenUsers]).toEqual([
      ["bot.access", "alice@example.com"],
      ["ci", "ci@example.com"],
    ]);
    for (const bad of ["bot", "=a@b.c", "bot=not-an-email", "a=a@b.c,a=c@d.e"]) {
      expect(() => parseConfig({ ...base, SERVICE_TOKEN_USERS: bad })).toThrow(/SERVICE_TOKEN_USERS/);
    }
  });
});
