// VAPID (RFC 8292): the ES256 JWT that identifies this service to a push service, signed with WebCrypto.

import type { VapidKeys } from "../../config/push";
import { base64UrlDecode, base64UrlEncode } from "../../protocol/base64url";

/** A VAPID JWT lives at most 24 hours (RFC 8292 §2); ours 12, so clock skew never makes it too long. */
const JWT_LIFETIME_S = 12 * 60 * 60;

const keyCache = new Map<string, Promise<CryptoKey>>();

function signingKey(keys: VapidKeys): Promise<CryptoKey> {
  let key = keyCache.get(keys.privateKey);
  if (!key) {
    const pub = base64UrlDecode(keys.publicKey) ?? new Uint8Array();
    const jwk: JsonWebKey = {
      kty: "EC",
      crv: "P-256",
      x: base64UrlEncode(pub.slice(1, 33)),
      y: base64UrlEncode(pub.slice(33, 65)),
      d: keys.privateKey.replace(/=+$/, ""),
    };
    key = crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    keyCache.set(keys.privateKey, key);
  }
  return key;
}

/** The `Authorization` header value for a push to `endpoint` (RFC 8292 §3: `vapid t=<jwt>, k=<key>`). */
export async function vapidAuthorization(keys: VapidKeys, endpoint: string, now = Date.now()): Promise<string> {
  const encode = (value: object) => base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));
  const claims = { aud: new URL(endpoint).origin, exp: Math.floor(now / 1000) + JWT_LIFETIME_S, sub: keys.subject };
  const input = `${encode({ typ: "JWT", alg: "ES256" })}.${encode(claims)}`;
  // WebCrypto's ECDSA signature is r‖s (64 bytes): exactly the JWS ES256 form.
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    await signingKey(keys),
    new TextEncoder().encode(input),
  );
  return `vapid t=${input}.${base64UrlEncode(new Uint8Array(signature))}, k=${keys.publicKey.replace(/=+$/, "")}`;
}
