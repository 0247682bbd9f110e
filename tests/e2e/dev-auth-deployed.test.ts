// DEV_AUTH=1 left on in a deployed service: the dev allowances (loopback MCP servers, plain-http loopback push
// endpoints) are for requests DEV_AUTH is honoured for, i.e. from loopback. A user signed in through Access
// from elsewhere (a proxy's X-Forwarded-For) is refused them, as docs/security.md says.

import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../devtools/demo-model/server.ts";
import { type DevServer, startDevServer } from "./helpers/dev-server.ts";
import { type PushService, startPushService, vapidKeys } from "./helpers/push-service.ts";

const AUDIENCE = "edgeclaw-deployed";
const vapid = vapidKeys();

/** A Cloudflare Access team domain on loopback: its JWKS, and tokens signed with its key. */
async function startAccess(): Promise<{ url: string; token(email: string): Promise<string>; close(): Promise<void> }> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "access-1", alg: "RS256", use: "sig" };
  const server: Server = createServer((req, res) => {
    if (req.url !== "/cdn-cgi/access/certs") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    url,
    token: (email) =>
      new SignJWT({ email })
        .setProtectedHeader({ alg: "RS256", kid: "access-1" })
        .setIssuer(url)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(privateKey),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // The service keeps its JWKS connection alive: close would wait for it.
        server.closeAllConnections();
      }),
  };
}

describe("DEV_AUTH=1 on a service reached from elsewhere", () => {
  let access: Awaited<ReturnType<typeof startAccess>>;
  let llm: FakeLlm;
  let push: PushService;
  let server: DevServer;
  beforeAll(async () => {
    access = await startAccess();
    llm = await startFakeLlm();
    push = await startPushService(vapid.VAPID_PUBLIC_KEY);
    server = await startDevServer({
      vars: {
        ACCESS_TEAM_DOMAIN: access.url,
        ACCESS_AUD: AUDIENCE,
        OPENAI_BASE_URL: `${llm.url}/v1`,
        LLM_MODEL: "fake-model",
        LLM_FREE_MODELS: "fake-model",
        MCP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        ...vapid,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([push?.close(), llm?.close(), access?.close()]);
  });

  /** A request through a proxy, signed in with an Access token (the dev issuer is not used for it). */
  async function remote(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("cf-access-jwt-assertion", await access.token("remote@example.com"));
    headers.set("x-forwarded-for", "203.0.113.9");
    headers.set("content-type", "application/json");
    return fetch(`${server.url}${path}`, { ...init, headers });
  }

  async function refusal(response: Response): Promise<{ status: number; code: string; message: string }> {
    const body = (await response.json()) as { error: { code: string; message: string } };
    return { status: response.status, ...body.error };
  }

  it("signs the remote user in through Access, and refuses a loopback MCP server", async () => {
    const list = await remote("/api/mcp/servers");
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ servers: [] });
    for (const url of ["http://127.0.0.1:9/mcp", "http://localhost:9/mcp", "http://[::1]:9/mcp"]) {
      const response = await remote("/api/mcp/servers", {
        method: "POST",
        body: JSON.stringify({ name: "local", url }),
      });
      expect(await refusal(response)).toMatchObject({ status: 400, code: "bad_request" });
    }
    expect(await (await remote("/api/mcp/servers")).json()).toEqual({ servers: [] });
  });

  it("refuses a plain-http loopback push endpoint, and takes an https one", async () => {
    const local = push.subscribe("remote");
    expect(local.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const refused = await remote("/api/push/subscriptions", { method: "POST", body: JSON.stringify(local) });
    expect(await refusal(refused)).toMatchObject({
      status: 400,
      code: "bad_request",
      message: expect.stringMatching(/loopback/),
    });
    const https = { ...local, endpoint: "https://push.example.net/send/remote" };
    const taken = await remote("/api/push/subscriptions", { method: "POST", body: JSON.stringify(https) });
    expect(taken.status).toBe(201);
    const listed = (await (await remote("/api/push/subscriptions")).json()) as {
      subscriptions: { endpoint: string }[];
    };
    expect(listed.subscriptions.map((s) => s.endpoint)).toEqual([https.endpoint]);
  });
});
