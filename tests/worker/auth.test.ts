// Zero Trust at the edge: every bad token is refused with a JSON error before any session object is touched.

import { env, listDurableObjectIds, SELF } from "cloudflare:test";
import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/config";
import { DEV_ISSUER } from "../../worker/auth/dev-auth";
import { generateSigningKey, signToken } from "../../worker/auth/jwt";
import { originAllowed } from "../../worker/routes/socket";
import { base } from "../config/helpers";
import { api, BASE, connect, createSession, login, TestSocket } from "../helpers/workers";

const AUD = "edgeclaw-test";
const now = () => Math.floor(Date.now() / 1000);
const issuer = () => env.DEV_ISSUER.getByName("issuer");
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: DEV_ISSUER,
  aud: [AUD],
  email: "mallory@example.com",
  iat: now(),
  exp: now() + 600,
  ...extra,
});

async function expectRefused(token: string | null, status: number, code: string): Promise<void> {
  const response = await api("/api/sessions", token);
  expect(response.status).toBe(status);
  const body = await response.json<{ error: { code: string; message: string } }>();
  expect(body.error.code).toBe(code);
  expect(body.error.message).not.toMatch(/ERR_|JWS|at .*\(/);
}

describe("Access JWT at the edge", () => {
  it("refuses every bad token with 401 before any session object exists", async () => {
    const before = (await listDurableObjectIds(env.SESSION)).length;
    const valid = await issuer().sign(claims());
    const [header, payload, signature] = valid.split(".");
    const stranger = await generateSigningKey();
    const publicJwk = (await issuer().jwks()).keys[0];
    const tampered = `${header}.${btoa(JSON.stringify({ ...claims(), email: "admin@example.com" })).replace(/=+$/, "")}.${signature}`;
    const cases: [string, string | null, string][] = [
      ["no token", null, "missing_token"],
      ["expired", await issuer().sign(claims({ exp: now() - 120 })), "invalid_token"],
      ["not yet valid", await issuer().sign(claims({ nbf: now() + 300 })), "invalid_token"],
      ["wrong aud", await issuer().sign(claims({ aud: ["someone-else"] })), "invalid_token"],
      ["wrong iss", await issuer().sign(claims({ iss: "https://evil.cloudflareaccess.com" })), "invalid_token"],
      [
        "no exp",
        await issuer().sign({ iss: DEV_ISSUER, aud: [AUD], email: "x@example.com", iat: now() }),
        "invalid_token",
      ],
      ["unknown kid", await signToken(stranger, claims()), "invalid_token"],
      ["alg none", new UnsecuredJWT(claims()).encode(), "invalid_token"],
      [
        "HS256 with the public key",
        await new SignJWT(claims())
          .setProtectedHeader({ alg: "HS256", kid: String(publicJwk?.kid) })
          .sign(new TextEncoder().encode(JSON.stringify(publicJwk))),
        "invalid_token",
      ],
      ["tampered payload", tampered, "invalid_token"],
      ["garbage", `${header}.${payload}`, "invalid_token"],
      ["huge", "a".repeat(20_000), "invalid_token"],
    ];
    for (const [name, token, code] of cases) {
      const response = await api("/api/sessions", token);
      expect(response.status, name).toBe(401);
      expect((await response.json<{ error: { code: string } }>()).error.code, name).toBe(code);
    }
    expect((await listDurableObjectIds(env.SESSION)).length).toBe(before);
  });

  it("accepts a token 30 s past exp (60 s skew), from the header or the cookie", async () => {
    const late = await issuer().sign(claims({ exp: now() - 30 }));
    expect((await api("/api/sessions", late)).status).toBe(200);
    const token = await login("cookie@example.com");
    const viaCookie = await SELF.fetch(`${BASE}/api/sessions`, {
      headers: { cookie: `other=1; CF_Authorization=${token}` },
    });
    expect(viaCookie.status).toBe(200);
  });

  it("names service tokens service:<common_name> and refuses a token with no user", async () => {
    const service = await issuer().sign({ ...claims(), email: undefined, common_name: "ci-bot.access", sub: "" });
    const created = await api("/api/sessions", service, { method: "POST" });
    expect(created.status).toBe(201);
    await expectRefused(await issuer().sign({ ...claims(), email: undefined }), 403, "forbidden");
  });

  it("fails closed with 503 when the issuer's keys cannot be fetched", async () => {
    // A non-loopback host ignores DEV_AUTH and asks ACCESS_TEAM_DOMAIN, where nothing listens.
    const response = await SELF.fetch("https://edgeclaw.example.com/api/sessions", {
      headers: { "cf-access-jwt-assertion": await issuer().sign(claims()) },
    });
    expect(response.status).toBe(503);
    expect((await response.json<{ error: { code: string } }>()).error.code).toBe("jwks_unavailable");
    const login = await SELF.fetch("https://edgeclaw.example.com/dev/login", { method: "POST", body: "{}" });
    expect(login.status).toBe(404);
    const certs = await SELF.fetch("https://edgeclaw.example.com/cdn-cgi/access/certs");
    expect(certs.status).toBe(404);
  });

  it("lets admins in by email or group and refuses everyone else with 403", async () => {
    const user = await login("user@example.com");
    const byEmail = await login("Admin@Example.com");
    const byGroup = await login("ops-person@example.com", ["ops"]);
    const response = await api("/admin/api/sessions", user);
    expect(response.status).toBe(403);
    expect((await response.json<{ error: { code: string } }>()).error.code).toBe("forbidden");
    expect((await api("/admin/api/sessions", byEmail)).status).toBe(200);
    expect((await api("/admin/api/sessions", byGroup)).status).toBe(200);
    expect((await api("/admin/api/sessions", null)).status).toBe(401);
  });

  it("checks the socket's Origin and ignores identity headers a client sends", async () => {
    const token = await login("origin@example.com");
    const id = await createSession(token);
    const foreign = await api(`/api/sessions/${id}/ws`, token, {
      headers: { upgrade: "websocket", origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect((await foreign.json<{ error: { code: string } }>()).error.code).toBe("forbidden_origin");
    const cookieOnly = await SELF.fetch(`${BASE}/api/sessions/${id}/ws`, {
      headers: { upgrade: "websocket", cookie: `CF_Authorization=${token}` },
    });
    expect(cookieOnly.status).toBe(403);
    const forged = encodeURIComponent(JSON.stringify({ user: "admin@example.com", admin: true, exp: now() + 999 }));
    const socket = await connect(id, token, { "x-edgeclaw-identity": forged, "x-partykit-props": "e30=" });
    socket.send({ type: "hello" });
    socket.send({ type: "user_message", id: "who", text: "who am I" });
    const [message] = await socket.waitFor("user_message");
    expect(message?.user).toBe("origin@example.com");
    socket.close();
  });

  it("chooses every connection id itself: a client's _pk is ignored", async () => {
    const token = await login("pk@example.com");
    const id = await createSession(token);
    const open = async () => {
      const response = await api(`/api/sessions/${id}/ws?_pk=chosen-by-client`, token, {
        headers: { upgrade: "websocket", origin: BASE },
      });
      const ws = response.webSocket;
      if (!ws) throw new Error(`upgrade refused: ${response.status}`);
      ws.accept();
      const socket = new TestSocket(ws);
      socket.send({ type: "hello" });
      return socket;
    };
    const first = await open();
    const second = await open();
    const [presence] = (
      await second.until((frames) => frames.some((f) => f.type === "presence" && f.devices.length === 2))
    ).filter((f) => f.type === "presence" && f.devices.length === 2);
    const ids = presence?.type === "presence" ? presence.devices.map((d) => d.connectionId) : [];
    expect(new Set(ids).size).toBe(2);
    expect(ids).not.toContain("chosen-by-client");
    first.close();
    second.close();
  });

  it("with ALLOWED_ORIGINS, lets the listed origins open sockets and no longer its own", () => {
    const config = parseConfig({ ...base, ALLOWED_ORIGINS: "https://app.example.com,http://127.0.0.1:5173" });
    const self = new URL("https://edgeclaw.example.com/api/sessions/s/ws");
    expect(originAllowed(config, self, "https://app.example.com")).toBe(true);
    expect(originAllowed(config, self, "http://127.0.0.1:5173")).toBe(true);
    expect(originAllowed(config, self, "https://edgeclaw.example.com")).toBe(false);
    expect(originAllowed(config, self, "https://evil.example")).toBe(false);
    const unset = parseConfig(base);
    expect(originAllowed(unset, self, "https://edgeclaw.example.com")).toBe(true);
    expect(originAllowed(unset, self, "https://app.example.com")).toBe(false);
  });

  it("closes a socket whose token has expired with 4401", async () => {
    const owner = await login("late@example.com");
    const id = await createSession(owner);
    const expiring = await issuer().sign(claims({ email: "late@example.com", exp: now() - 10 }));
    const socket = await connect(id, expiring);
    socket.send({ type: "hello" });
    await socket.until(() => socket.closed !== null);
    expect(socket.closed?.code).toBe(4401);
    expect(socket.of("error").at(-1)?.code).toBe("token_expired");
  });
});
