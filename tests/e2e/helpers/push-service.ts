// A local push service (RFC 8030) on loopback for tests: it holds subscriptions' private keys, decrypts every
// push per RFC 8291 with node:crypto (independently of the sender), checks the VAPID JWT (RFC 8292), and can
// answer chosen statuses (410, 429, 503) per subscription.

import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  verify,
} from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { Waiter } from "./waiter.ts";

/** A VAPID pair in the VAPID_* variables' form, made here (not by the service's code). */
export function vapidKeys(subject = "mailto:push-test@example.com") {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? "", "base64url"),
    Buffer.from(jwk.y ?? "", "base64url"),
  ]);
  return { VAPID_PUBLIC_KEY: point.toString("base64url"), VAPID_PRIVATE_KEY: jwk.d ?? "", VAPID_SUBJECT: subject };
}

/** One push as the service received it. */
export interface ReceivedPush {
  /** The subscription's name (the last path segment of its endpoint). */
  name: string;
  status: number;
  headers: Record<string, string | undefined>;
  /** The decrypted payload parsed as JSON (null when the push was refused before decryption). */
  payload: Record<string, unknown> | null;
  /** The encrypted body's size in bytes. */
  bodyBytes: number;
  /** The VAPID JWT's claims. */
  claims: { aud: string; exp: number; sub: string };
}

interface Subscriber {
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
  /** Statuses to answer, in order, before answering 201. */
  script: number[];
}

export interface PushService {
  url: string;
  received: ReceivedPush[];
  /** A new subscription: the browser's PushSubscription JSON for it. */
  subscribe(name: string): { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  /** The next pushes to `name` get these statuses (then 201). */
  answer(name: string, ...statuses: number[]): void;
  /** Waits until some push matches. */
  until(predicate: (pushes: ReceivedPush[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function hkdf(ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, salt, info, length));
}

/** RFC 8291 §3.4 and RFC 8188: one aes128gcm record, decrypted with the user agent's keys. */
export function decryptPush(body: Buffer, ecdh: ReturnType<typeof createECDH>, auth: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20] ?? 0;
  const senderKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (idLength !== 65 || record.length > recordSize) throw new Error("bad aes128gcm header");
  const shared = ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), ecdh.getPublicKey(), senderKey]);
  const ikm = hkdf(shared, auth, keyInfo, 32);
  const cek = hkdf(ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16);
  const nonce = hkdf(ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("the last record must end with the 0x02 delimiter");
  return padded.subarray(0, end);
}

/** RFC 8292: `vapid t=<JWT>, k=<key>`; the JWT's ES256 signature checked against k, which must be `expectedKey`. */
export function checkVapid(header: string | undefined, expectedKey: string, endpointOrigin: string) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!match?.[1] || !match[2]) throw new Error(`bad Authorization: ${header}`);
  const [jwt, key] = [match[1], match[2]];
  if (key !== expectedKey) throw new Error("k is not the configured VAPID public key");
  const [head, body, signature] = jwt.split(".");
  if (!head || !body || !signature) throw new Error("malformed JWT");
  const header64 = JSON.parse(Buffer.from(head, "base64url").toString());
  if (header64.alg !== "ES256") throw new Error(`alg ${header64.alg}`);
  const point = Buffer.from(key, "base64url");
  const publicKey: KeyObject = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33).toString("base64url"),
    },
    format: "jwk",
  });
  const ok = verify(
    "sha256",
    Buffer.from(`${head}.${body}`),
    { key: publicKey, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!ok) throw new Error("VAPID signature does not verify");
  const claims = JSON.parse(Buffer.from(body, "base64url").toString());
  const now = Date.now() / 1000;
  if (claims.aud !== endpointOrigin) throw new Error(`aud ${claims.aud} is not ${endpointOrigin}`);
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`exp ${claims.exp} out of range`);
  if (typeof claims.sub !== "string") throw new Error("no sub");
  return claims as { aud: string; exp: number; sub: string };
}

/** The largest encrypted body a push service must take (and FCM's and Mozilla's limit). */
const MAX_PUSH_BYTES = 4096;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function startPushService(vapidPublicKey: string): Promise<PushService> {
  const subscribers = new Map<string, Subscriber>();
  const received: ReceivedPush[] = [];
  const waiter = new Waiter();
  const errors: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const name = (req.url ?? "").split("/").pop() ?? "";
    const body = await readBody(req);
    const subscriber = subscribers.get(name);
    try {
      if (req.method !== "POST" || !subscriber) throw new Error(`unknown subscription ${name}`);
      if (req.headers["content-encoding"] !== "aes128gcm") throw new Error("content-encoding must be aes128gcm");
      // RFC 8030 §7.2: services take 4096 bytes of payload and may refuse more with 413 (FCM and Mozilla do).
      if (body.length > MAX_PUSH_BYTES) {
        errors.push(`payload of ${body.length} bytes > ${MAX_PUSH_BYTES}`);
        res.writeHead(413).end("Payload Too Large");
        waiter.wake();
        return;
      }
      const ttl = typeof req.headers.ttl === "string" ? req.headers.ttl : "";
      if (!/^\d+$/.test(ttl)) throw new Error("TTL header required (RFC 8030 §5.2)");
      const topic = typeof req.headers.topic === "string" ? req.headers.topic : undefined;
      if (topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) throw new Error(`bad Topic ${topic}`);
      const claims = checkVapid(req.headers.authorization, vapidPublicKey, `http://${req.headers.host}`);
      const payload = JSON.parse(decryptPush(body, subscriber.ecdh, subscriber.auth).toString("utf8"));
      const status = subscriber.script.shift() ?? 201;
      const urgency = typeof req.headers.urgency === "string" ? req.headers.urgency : undefined;
      const headers = { ttl, topic, urgency };
      received.push({ name, status, headers, payload, bodyBytes: body.length, claims });
      res.writeHead(status, status === 429 || status === 503 ? { "retry-after": "1" } : {}).end();
    } catch (error) {
      errors.push(String(error));
      res.writeHead(400).end(String(error));
    }
    waiter.wake();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    received,
    subscribe(name) {
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = randomBytes(16);
      subscribers.set(name, { ecdh, auth, script: [] });
      return {
        endpoint: `${url}/push/${name}`,
        expirationTime: null,
        keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
      };
    },
    answer(name, ...statuses) {
      subscribers.get(name)?.script.push(...statuses);
    },
    async until(predicate, timeoutMs = 30_000) {
      await waiter.until(
        () => errors.length > 0 || predicate(received),
        timeoutMs,
        () => `pushes: ${JSON.stringify(received.map((r) => [r.name, r.status, r.payload?.kind]))}`,
      );
      if (errors.length > 0) throw new Error(`the push service refused a push: ${errors.join("; ")}`);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The push tests' vars for wrangler dev: the stand-in LLM, exec approvals asked, and the VAPID keys. */
export function pushDevVars(llmUrl: string, vapid: ReturnType<typeof vapidKeys>, approvalTimeoutS: number) {
  return {
    OPENAI_BASE_URL: `${llmUrl}/v1`,
    LLM_MODEL: "fake-model",
    LLM_FREE_MODELS: "fake-model",
    EXEC_POLICY: "ask",
    APPROVAL_TIMEOUT_SECONDS: String(approvalTimeoutS),
    ...vapid,
  };
}
