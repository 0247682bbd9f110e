// The one module that uses jose: verifies Access tokens against a cached remote JWKS, and signs dev tokens.

import {
  createRemoteJWKSet,
  customFetch,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type RemoteJWKSet,
  SignJWT,
} from "jose";
import { AppError } from "../../protocol/errors";

/** Tokens longer than this are refused before parsing. */
export const MAX_TOKEN_LENGTH = 8 * 1024;
/** Allowed clock skew for exp/nbf/iat. */
export const CLOCK_TOLERANCE_S = 60;
/** How long fetched keys are trusted (Access rotates every 6 weeks; old keys stay valid 7 days). */
const JWKS_MAX_AGE_MS = 60 * 60 * 1000;
/** No refetch on an unknown kid sooner than this after the last fetch (kid floods cannot amplify). */
const JWKS_COOLDOWN_MS = 30 * 1000;
const JWKS_TIMEOUT_MS = 3 * 1000;

export type JwksFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface VerifyOptions {
  issuer: string;
  audience: string;
  /** Fetches the JWKS; defaults to the global fetch. The dev issuer answers in-process through it. */
  fetchJwks?: JwksFetch;
}

const keySets = new Map<string, RemoteJWKSet>();

/** One key set per issuer, cached for the isolate's life. */
function keySetFor(issuer: string, fetchJwks: JwksFetch | undefined): RemoteJWKSet {
  let keySet = keySets.get(issuer);
  if (keySet === undefined) {
    keySet = createRemoteJWKSet(new URL(`${issuer}/cdn-cgi/access/certs`), {
      cacheMaxAge: JWKS_MAX_AGE_MS,
      cooldownDuration: JWKS_COOLDOWN_MS,
      timeoutDuration: JWKS_TIMEOUT_MS,
      ...(fetchJwks ? { [customFetch]: fetchJwks } : {}),
    });
    keySets.set(issuer, keySet);
  }
  return keySet;
}

/** How long a verified token is remembered (never past its own expiry). */
export const VERIFIED_TTL_MS = 60 * 1000;
/** Most tokens remembered per isolate; the oldest is forgotten first. */
const MAX_VERIFIED = 1000;

/**
 * Tokens verified lately, by issuer, audience and the token's SHA-256: a device's session creation, socket
 * upgrade and API calls carry the same token, and an RS256 check costs more than the rest of an upgrade.
 * An entry answers only while the token's exp (with the allowed skew) has not passed.
 */
const verified = new Map<string, { payload: JWTPayload; until: number }>();

async function verifiedKey(token: string, options: VerifyOptions): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  return `${options.issuer}\n${options.audience}\n${hash}`;
}

function remember(key: string, payload: JWTPayload, now: number): void {
  const exp = typeof payload.exp === "number" ? (payload.exp + CLOCK_TOLERANCE_S) * 1000 : now;
  verified.delete(key);
  verified.set(key, { payload, until: Math.min(exp, now + VERIFIED_TTL_MS) });
  for (const oldest of verified.keys()) {
    if (verified.size <= MAX_VERIFIED) break;
    verified.delete(oldest);
  }
}

/** Forgets cached key sets and verified tokens (tests use it to start cold). */
export function clearKeySets(): void {
  keySets.clear();
  verified.clear();
}

const TOKEN_ERRORS: ReadonlySet<string> = new Set([
  "ERR_JWT_EXPIRED",
  "ERR_JWT_CLAIM_VALIDATION_FAILED",
  "ERR_JWT_INVALID",
  "ERR_JWS_INVALID",
  "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  "ERR_JOSE_ALG_NOT_ALLOWED",
  "ERR_JOSE_NOT_SUPPORTED",
  "ERR_JWKS_NO_MATCHING_KEY",
  "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
]);

/** Verifies an Access JWT: RS256 only, iss, aud, exp required, nbf when present, 60 s skew. */
export async function verifyAccessToken(token: string, options: VerifyOptions): Promise<JWTPayload> {
  if (token.length > MAX_TOKEN_LENGTH) throw new AppError("invalid_token", "the access token is too long");
  const key = await verifiedKey(token, options);
  const known = verified.get(key);
  if (known && Date.now() < known.until) return { ...known.payload };
  verified.delete(key);
  try {
    const { payload } = await jwtVerify(token, keySetFor(options.issuer, options.fetchJwks), {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: ["RS256"],
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ["exp"],
    });
    remember(key, payload, Date.now());
    return payload;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new AppError("invalid_token", "the access token has expired");
    if (error instanceof errors.JOSEError && TOKEN_ERRORS.has(error.code)) {
      throw new AppError("invalid_token", "the access token is not valid");
    }
    // Anything else is the key set failing to load (down, timeout, not JSON): fail closed, never a pass.
    throw new AppError("jwks_unavailable", "the identity provider's keys cannot be fetched; try again shortly");
  }
}

/** A signing key of the local dev issuer, as stored JWKs. */
export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const kid = crypto.randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256" };
  return { kid, privateJwk, publicJwk };
}

/** Signs an RS256 JWT with the dev issuer's key; `claims` may set iss, aud, exp, nbf, iat as tests need. */
export async function signToken(key: SigningKey, claims: JWTPayload): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, "RS256");
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" }).sign(privateKey);
}
