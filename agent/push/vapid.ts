// VAPID (RFC 8292): the ES256 JWT that identifies this service to a push service, signed with WebCrypto.

/** The application server's key pair and contact, from VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY / VAPID_SUBJECT. */
export interface VapidKeys {
  /** Uncompressed P-256 public key (65 bytes), base64url: the browser's `applicationServerKey`. */
  publicKey: string;
  /** The private scalar d (32 bytes), base64url. */
  privateKey: string;
  /** `mailto:` or `https:` contact the push service may use. */
  subject: string;
}

/** A VAPID JWT lives at most 24 hours (RFC 8292 §2); ours 12, so clock skew never makes it too long. */
const JWT_LIFETIME_S = 12 * 60 * 60;

export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes base64url (or base64); null when it is not. */
export function base64UrlDecode(text: string): Uint8Array | null {
  const normal = text.trim().replaceAll("-", "+").replaceAll("_", "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal)) return null;
  try {
    const binary = atob(normal.padEnd(Math.ceil(normal.length / 4) * 4, "="));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** What is wrong with a key pair, or null when it is usable (shape only; the pair is checked on first sign). */
export function vapidProblem(keys: VapidKeys): { variable: string; problem: string } | null {
  const pub = base64UrlDecode(keys.publicKey);
  if (pub?.length !== 65 || pub[0] !== 4)
    return { variable: "VAPID_PUBLIC_KEY", problem: "must be a base64url uncompressed P-256 point (65 bytes)" };
  const priv = base64UrlDecode(keys.privateKey);
  if (priv?.length !== 32)
    return { variable: "VAPID_PRIVATE_KEY", problem: "must be a base64url P-256 private key (32 bytes)" };
  if (!/^(mailto:.+@.+|https:\/\/.+)$/.test(keys.subject))
    return { variable: "VAPID_SUBJECT", problem: "must be a mailto: or https: URL" };
  return null;
}

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
