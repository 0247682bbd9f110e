// The verifier against a JWKS it fetches: caching, outages, key rotation and unknown-kid floods.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../../protocol/errors";
import {
  CLOCK_TOLERANCE_S,
  clearKeySets,
  generateSigningKey,
  type SigningKey,
  signToken,
  VERIFIED_TTL_MS,
  verifyAccessToken,
} from "../../worker/auth/jwt";

const ISSUER = "https://team.example.cloudflareaccess.com";
const AUDIENCE = "aud-tag";
const now = () => Math.floor(Date.now() / 1000);

/** A fake JWKS endpoint: counts fetches, can go down, serves whichever keys the test sets. */
function fakeJwks(keys: SigningKey[]) {
  const state = { keys, down: false, fetches: 0 };
  const fetchJwks = async (url: string) => {
    state.fetches++;
    expect(url).toBe(`${ISSUER}/cdn-cgi/access/certs`);
    if (state.down) throw new TypeError("connection refused");
    return Response.json({ keys: state.keys.map((k) => k.publicJwk) });
  };
  return { state, fetchJwks };
}

const sign = (key: SigningKey, extra: Record<string, unknown> = {}) =>
  signToken(key, { iss: ISSUER, aud: AUDIENCE, email: "a@example.com", iat: now(), exp: now() + 300, ...extra });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (error) {
    return error instanceof AppError ? error.code : `unexpected: ${String(error)}`;
  }
}

describe("verifyAccessToken", () => {
  beforeEach(() => clearKeySets());

  it("keeps verifying from the cache while the JWKS is down, and fails closed when cold", async () => {
    const key = await generateSigningKey();
    const { state, fetchJwks } = fakeJwks([key]);
    const options = { issuer: ISSUER, audience: AUDIENCE, fetchJwks };
    expect((await verifyAccessToken(await sign(key), options)).email).toBe("a@example.com");
    state.down = true;
    expect(await codeOf(verifyAccessToken(await sign(key), options))).toBe("accepted");
    // An unknown kid while down cannot pass either.
    expect(await codeOf(verifyAccessToken(await sign(await generateSigningKey()), options))).not.toBe("accepted");
    clearKeySets();
    expect(await codeOf(verifyAccessToken(await sign(key), options))).toBe("jwks_unavailable");
  });

  it("answers a flood of unknown kids with at most one refetch", async () => {
    const key = await generateSigningKey();
    const { state, fetchJwks } = fakeJwks([key]);
    const options = { issuer: ISSUER, audience: AUDIENCE, fetchJwks };
    await verifyAccessToken(await sign(key), options);
    const stranger = await generateSigningKey();
    const token = await sign(stranger);
    const codes = await Promise.all(Array.from({ length: 50 }, () => codeOf(verifyAccessToken(token, options))));
    expect(new Set(codes)).toEqual(new Set(["invalid_token"]));
    expect(state.fetches).toBeLessThanOrEqual(2);
  });

  it("accepts tokens of a rotated-in key once the JWKS lists it", async () => {
    const oldKey = await generateSigningKey();
    const newKey = await generateSigningKey();
    const { state, fetchJwks } = fakeJwks([oldKey, newKey]);
    const options = { issuer: ISSUER, audience: AUDIENCE, fetchJwks };
    expect(await codeOf(verifyAccessToken(await sign(oldKey), options))).toBe("accepted");
    expect(await codeOf(verifyAccessToken(await sign(newKey), options))).toBe("accepted");
    expect(state.fetches).toBe(1);
  });

  it("refuses a JWKS answer that is not a key set", async () => {
    const key = await generateSigningKey();
    const options = {
      issuer: ISSUER,
      audience: AUDIENCE,
      fetchJwks: async () => new Response("<html>login</html>", { status: 200 }),
    };
    expect(await codeOf(verifyAccessToken(await sign(key), options))).toBe("jwks_unavailable");
    clearKeySets();
    const redirect = {
      ...options,
      fetchJwks: async () => new Response(null, { status: 302, headers: { location: "/" } }),
    };
    expect(await codeOf(verifyAccessToken(await sign(key), redirect))).toBe("jwks_unavailable");
  });

  describe("remembering verified tokens", () => {
    afterEach(() => {
      vi.useRealTimers();
      vi.restoreAllMocks();
    });

    it("checks a token's signature once, and refuses it when its exp (with the skew) has passed", async () => {
      const key = await generateSigningKey();
      const options = { issuer: ISSUER, audience: AUDIENCE, fetchJwks: fakeJwks([key]).fetchJwks };
      const token = await sign(key, { exp: now() + 30 });
      const verify = vi.spyOn(crypto.subtle, "verify");
      expect(await codeOf(verifyAccessToken(token, options))).toBe("accepted");
      expect(await codeOf(verifyAccessToken(token, options))).toBe("accepted");
      expect(verify).toHaveBeenCalledTimes(1);
      vi.useFakeTimers({ now: Date.now() + (30 + CLOCK_TOLERANCE_S + 2) * 1000 });
      expect(await codeOf(verifyAccessToken(token, options))).toBe("invalid_token");
    });

    it("checks a remembered token again after a minute, and apart for another audience", async () => {
      const key = await generateSigningKey();
      const options = { issuer: ISSUER, audience: AUDIENCE, fetchJwks: fakeJwks([key]).fetchJwks };
      const token = await sign(key);
      const verify = vi.spyOn(crypto.subtle, "verify");
      await verifyAccessToken(token, options);
      expect(await codeOf(verifyAccessToken(token, { ...options, audience: "another-app" }))).toBe("invalid_token");
      expect(verify).toHaveBeenCalledTimes(2);
      vi.useFakeTimers({ now: Date.now() + VERIFIED_TTL_MS + 1000 });
      expect(await codeOf(verifyAccessToken(token, options))).toBe("accepted");
      expect(verify).toHaveBeenCalledTimes(3);
    });
  });
});
