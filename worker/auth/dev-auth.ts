// DEV_AUTH=1 on loopback: the worker is its own Access issuer (JWKS, /dev/login), verified by the same code path.

import type { Config } from "../../config/config";
import { log } from "../../log/logger";
import { AppError } from "../../protocol/errors";
import { isRecord, stringArray } from "../../protocol/json";
import type { DevIssuerObject } from "./dev-issuer-object";
import type { JwksFetch } from "./jwt";

/** The issuer (`iss`) of dev tokens; its JWKS is answered in-process, never over the network. */
export const DEV_ISSUER = "https://dev-issuer.edgeclaw.localhost";
/** The audience of dev tokens when ACCESS_AUD is not set. */
export const DEV_AUDIENCE = "edgeclaw-dev";
/** The session cookie Access sets, which /dev/login sets too. */
export const AUTH_COOKIE = "CF_Authorization";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith(".localhost");
}

/** Headers a proxy or tunnel adds: a request carrying one came from elsewhere, whatever its Host says. */
const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip", "true-client-ip"];
const LOOPBACK_PEERS = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/**
 * Whether the request comes from this machine: a loopback Host, and the peer address (CF-Connecting-IP, set
 * by wrangler's local server from the socket, and by Cloudflare in front of any tunnel) loopback or absent,
 * and no proxy's forwarding header. Host alone is not trusted: a tunnel may rewrite it to `localhost`.
 */
export function isLoopbackRequest(request: Request): boolean {
  if (!isLoopback(new URL(request.url))) return false;
  const peer = request.headers.get("cf-connecting-ip");
  if (peer !== null && !LOOPBACK_PEERS.test(peer.trim())) return false;
  return FORWARDING_HEADERS.every((name) => !request.headers.has(name));
}

let warned = false;

/** Whether the dev issuer serves this request: DEV_AUTH=1 and a loopback request; otherwise warns once. */
export function devAuthActive(config: Config, request: Request): boolean {
  if (!config.devAuth) return false;
  if (isLoopbackRequest(request)) return true;
  if (!warned) {
    warned = true;
    log.warn("DEV_AUTH=1 ignored: the request is not from loopback", { host: new URL(request.url).hostname });
  }
  return false;
}

/** How long a dev login lasts. */
export const DEV_TOKEN_TTL_S = 12 * 60 * 60;

function devIssuer(env: Env): DurableObjectStub<DevIssuerObject> {
  return env.DEV_ISSUER.getByName("issuer");
}

/** The JWKS fetch for the dev issuer: answered by its Durable Object. */
export function devJwksFetch(env: Env): JwksFetch {
  return (url) => devIssuer(env).fetch(new Request(url));
}

export function devJwksResponse(env: Env): Promise<Response> {
  return devIssuer(env).fetch(new Request(`${DEV_ISSUER}/cdn-cgi/access/certs`));
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** POST /dev/login {email, groups}: a token signed by the dev issuer, also set as the Access cookie. */
export async function devLogin(env: Env, config: Config, body: unknown): Promise<Response> {
  if (!isRecord(body) || typeof body.email !== "string" || !EMAIL.test(body.email.trim())) {
    throw new AppError("bad_request", 'body must be {"email": "you@example.com", "groups"?: ["..."]}');
  }
  if (body.groups !== undefined && !Array.isArray(body.groups))
    throw new AppError("bad_request", "groups must be an array");
  const now = Math.floor(Date.now() / 1000);
  const exp = now + DEV_TOKEN_TTL_S;
  const token = await devIssuer(env).sign({
    iss: DEV_ISSUER,
    aud: [config.audience ?? DEV_AUDIENCE],
    sub: crypto.randomUUID(),
    email: body.email.trim().toLowerCase(),
    groups: stringArray(body.groups).slice(0, 50),
    iat: now,
    exp,
  });
  const cookie = `${AUTH_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${exp - now}`;
  return Response.json({ token }, { headers: { "set-cookie": cookie } });
}
