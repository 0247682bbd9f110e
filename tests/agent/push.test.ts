// Web Push building blocks: endpoint guard, subscription parsing, notice shape and size, VAPID JWT, delivery outcomes.

import { describe, expect, it } from "vitest";
import { deliver } from "../../agent/push/deliver";
import { endpointProblem } from "../../agent/push/endpoint-guard";
import { buildNotice, type PushNotice } from "../../agent/push/notice";
import { vapidAuthorization } from "../../agent/push/vapid";
import { parseConfig } from "../../config/config";
import { getConfig } from "../../config/load";
import { backoffMs } from "../../objects/directory/push-dispatch";
import { approvalText, type EventRead, noticeFor, TASK_DEVICE_ID } from "../../objects/session/push-notices";
import { base64UrlDecode, base64UrlEncode } from "../../protocol/base64url";
import type { SessionEvent } from "../../protocol/frames";
import { parsePreferences, parseSubscription } from "../../worker/routes/push-body";

async function vapidPair() {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return {
    keys: { publicKey: base64UrlEncode(raw), privateKey: jwk.d ?? "", subject: "mailto:ops@example.com" },
    verifyKey: pair.publicKey,
  };
}

async function browserKeys() {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { p256dh: base64UrlEncode(raw), auth: base64UrlEncode(crypto.getRandomValues(new Uint8Array(16))) };
}

const notice: PushNotice = buildNotice({
  kind: "approval",
  sessionId: "abcdefghijklmnopqrstuvwxyz",
  title: "Approval needed",
  body: "exec: ls",
  devicesConnected: false,
  toolCallId: "call-1",
  ttl: 120,
});

describe("push endpoint guard", () => {
  it("takes public https, and loopback http only in local dev", () => {
    expect(endpointProblem("https://fcm.googleapis.com/fcm/send/abc", false)).toBeNull();
    expect(endpointProblem("http://127.0.0.1:9999/push/x", true)).toBeNull();
    for (const url of [
      "http://127.0.0.1:9999/push/x",
      "http://push.example.com/x",
      "https://127.0.0.1/x",
      "https://10.0.0.8/x",
      "https://169.254.169.254/latest",
      "https://[::1]/x",
      "https://[fd00::1]/x",
      "https://user:pw@push.example.com/x",
      "https://localhost/x",
      "ftp://push.example.com/x",
      "not a url",
    ])
      expect(endpointProblem(url, false), url).not.toBeNull();
    expect(endpointProblem("http://10.0.0.8/x", true)).not.toBeNull();
  });
});

describe("push routes' bodies", () => {
  it("accepts a browser PushSubscription and refuses bad keys and endpoints", async () => {
    const keys = await browserKeys();
    const good = { endpoint: "https://push.example.com/s/1", expirationTime: null, keys, deviceName: " laptop " };
    expect(parseSubscription(good, false)).toEqual({ endpoint: good.endpoint, ...keys, deviceName: "laptop" });
    expect(parseSubscription({ ...good, deviceName: undefined }, false).deviceName).toBe("unnamed device");
    const bad = [
      null,
      { ...good, endpoint: 7 },
      { ...good, endpoint: "http://push.example.com/s/1" },
      { ...good, keys: { ...keys, p256dh: "AAAA" } },
      { ...good, keys: { ...keys, auth: base64UrlEncode(new Uint8Array(8)) } },
      { ...good, keys: undefined },
      { ...good, deviceName: "x".repeat(101) },
    ];
    for (const body of bad) expect(() => parseSubscription(body, false), JSON.stringify(body)).toThrow();
  });

  it("applies preference changes over the current ones and refuses unknown kinds", () => {
    const current = {
      kinds: { approval: true, task_result: true, turn_finished: true, budget: true, failure: true },
      when: "away" as const,
    };
    expect(parsePreferences({ kinds: { turn_finished: false }, when: "always" }, current)).toEqual({
      kinds: { ...current.kinds, turn_finished: false },
      when: "always",
    });
    expect(() => parsePreferences({ kinds: { secrets: true } }, current)).toThrow();
    expect(() => parsePreferences({ kinds: { budget: "no" } }, current)).toThrow();
    expect(() => parsePreferences({ when: "sometimes" }, current)).toThrow();
  });
});

describe("push notices", () => {
  it("stay far under 4 KB, with a per-session-and-kind topic and tag", () => {
    const long = buildNotice({
      kind: "task_result",
      sessionId: "abcdefghijklmnopqrstuvwxyz",
      title: "t".repeat(500),
      body: "é".repeat(100_000),
      devicesConnected: false,
    });
    expect(new TextEncoder().encode(JSON.stringify(long.payload)).length).toBeLessThan(1024);
    expect(long.payload.body.endsWith("…")).toBe(true);
    expect(long.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(long.topic).not.toBe(notice.topic);
    expect(long.payload.tag).not.toBe(notice.payload.tag);
    expect(notice.ttl).toBe(120);
    expect(notice.urgency).toBe("high");
  });

  it("shows an exec approval's command, shortened, and nothing else of the call", () => {
    expect(approvalText("exec", JSON.stringify({ command: "rm -rf build", timeoutMs: 5 }))).toBe("exec: rm -rf build");
    expect(approvalText("exec", JSON.stringify({ command: "x".repeat(1000) })).length).toBeLessThan(200);
  });
});

describe("VAPID and delivery", () => {
  it("signs an ES256 JWT for the endpoint's origin that verifies with the public key", async () => {
    const { keys, verifyKey } = await vapidPair();
    const header = await vapidAuthorization(keys, "https://push.example.com/s/1?x=y");
    const match = /^vapid t=([^.]+)\.([^.]+)\.([^,]+), k=(.+)$/.exec(header);
    expect(match?.[4]).toBe(keys.publicKey);
    const [head, body, sig] = [match?.[1] ?? "", match?.[2] ?? "", match?.[3] ?? ""];
    const ok = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      verifyKey,
      base64UrlDecode(sig) ?? new Uint8Array(),
      new TextEncoder().encode(`${head}.${body}`),
    );
    expect(ok).toBe(true);
    const claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(body) ?? new Uint8Array()));
    expect(claims.aud).toBe("https://push.example.com");
    expect(claims.sub).toBe("mailto:ops@example.com");
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(24 * 3600);
  });

  it("maps the push service's answers: 2xx sent, 404/410 gone, 429/5xx retry with Retry-After, else failed", async () => {
    const { keys } = await vapidPair();
    const target = { endpoint: "https://push.example.com/s/1", ...(await browserKeys()) };
    const seen: RequestInit[] = [];
    const answering = (status: number, headers: Record<string, string> = {}) => ({
      vapid: keys,
      allowLoopbackHttp: false,
      fetch: async (_url: string, init: RequestInit) => {
        seen.push(init);
        return new Response(null, { status, headers });
      },
    });
    expect(await deliver(answering(201), target, notice)).toEqual({ status: "sent" });
    const headers = new Headers(seen[0]?.headers);
    expect(Object.fromEntries([...headers].filter(([k]) => k !== "authorization"))).toEqual({
      "content-encoding": "aes128gcm",
      "content-type": "application/octet-stream",
      ttl: "120",
      urgency: "high",
      topic: notice.topic,
    });
    const sentBody = seen[0]?.body;
    expect(sentBody instanceof Uint8Array ? sentBody.length : -1).toBeGreaterThan(0);
    expect(sentBody instanceof Uint8Array ? sentBody.length : 9999).toBeLessThan(1024);
    expect(await deliver(answering(410), target, notice)).toEqual({ status: "gone" });
    expect(await deliver(answering(404), target, notice)).toEqual({ status: "gone" });
    expect(await deliver(answering(429, { "retry-after": "7" }), target, notice)).toMatchObject({
      status: "retry",
      retryAfterS: 7,
    });
    expect(await deliver(answering(502), target, notice)).toMatchObject({ status: "retry", retryAfterS: null });
    expect(await deliver(answering(400), target, notice)).toMatchObject({ status: "failed" });
    const before = seen.length;
    const refused = await deliver(answering(201), { ...target, endpoint: "https://10.1.2.3/x" }, notice);
    expect(refused.status).toBe("failed");
    expect(seen.length).toBe(before);
  });

  it("backs off exponentially, honours Retry-After, and caps both", () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, null))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffMs(1, 3)).toBe(3_000);
    expect(backoffMs(1, 0)).toBe(1_000);
    expect(backoffMs(1, 86_400)).toBe(600_000);
  });
});

describe("push configuration", () => {
  const base = { ACCESS_TEAM_DOMAIN: "https://acme.cloudflareaccess.com", ACCESS_AUD: "aud" };
  const errorOf = (vars: Record<string, string>) => {
    try {
      parseConfig({ ...base, ...vars });
      return "no error";
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  it("is off without keys, and names the variable that is missing or malformed", async () => {
    expect(parseConfig(base).push).toBeNull();
    const { keys } = await vapidPair();
    const all = { VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, VAPID_SUBJECT: keys.subject };
    expect(parseConfig({ ...base, ...all }).push).toMatchObject({ allowLoopbackHttp: false });
    expect(parseConfig({ ...all, DEV_AUTH: "1" }).push?.allowLoopbackHttp).toBe(true);
    expect(errorOf({ VAPID_PUBLIC_KEY: keys.publicKey })).toContain("VAPID_PRIVATE_KEY");
    expect(errorOf({ ...all, VAPID_PUBLIC_KEY: "abc" })).toContain("VAPID_PUBLIC_KEY");
    expect(errorOf({ ...all, VAPID_PRIVATE_KEY: "abc" })).toContain("VAPID_PRIVATE_KEY");
    expect(errorOf({ ...all, VAPID_SUBJECT: "ops" })).toContain("VAPID_SUBJECT");
    const typo: Record<string, string> = { ...base, VAPID_TYPO: "x" };
    expect(() => getConfig(typo)).toThrow(/VAPID_TYPO/);
  });
});

describe("which session events call for a push", () => {
  const base = { seq: 1, at: 0 };
  const session = "abcdefghijklmnopqrstuvwxyz";
  /** A log whose newest events of each type are these. */
  const logOf = (events: SessionEvent[]): EventRead => ({
    latest: (type) => events.filter((e) => e.type === type).at(-1) as never,
  });
  const user = (deviceId?: string): SessionEvent => ({
    ...base,
    type: "user_message",
    id: "u",
    text: "hi",
    user: "a@example.com",
    ...(deviceId ? { deviceId } : {}),
  });
  const answer: SessionEvent = { ...base, type: "assistant_message", turnId: "t1", step: 0, text: "All done here." };
  const end = (reason: "done" | "error" | "cancelled"): SessionEvent => ({
    ...base,
    type: "turn_end",
    turnId: "t1",
    reason,
  });

  it("maps turn ends to turn_finished, task_result or failure, and nothing for a cancel", () => {
    const log = logOf([
      user("laptop"),
      answer,
      { ...base, type: "error", code: "sandbox_unavailable", message: "the sandbox is down" },
    ]);
    expect(noticeFor(log, session, end("done"), false)).toMatchObject({
      kind: "turn_finished",
      body: "All done here.",
    });
    expect(noticeFor(log, session, end("error"), false)).toMatchObject({
      kind: "failure",
      body: "the sandbox is down",
    });
    expect(noticeFor(log, session, end("cancelled"), false)).toBeNull();
    const task = logOf([user(TASK_DEVICE_ID), answer]);
    expect(noticeFor(task, session, end("done"), true)).toMatchObject({
      kind: "task_result",
      title: "Scheduled task done",
      devicesConnected: true,
    });
  });

  it("pushes budget warnings at 80 % and 100 % only", () => {
    const warning = (percent: number): SessionEvent => ({
      ...base,
      type: "budget_warning",
      period: "day:2026-11-29",
      percent,
      spentUsd: percent / 20,
      limitUsd: 5,
      resetsAt: 0,
    });
    const log = logOf([]);
    expect(noticeFor(log, session, warning(50), false)).toBeNull();
    expect(noticeFor(log, session, warning(80), false)).toMatchObject({
      kind: "budget",
      body: "80% of your daily budget used ($4.00 of $5.00)",
      urgency: "normal",
    });
    expect(noticeFor(log, session, warning(100), false)).toMatchObject({ kind: "budget", urgency: "high" });
    expect(noticeFor(log, session, { ...warning(80), period: "month:2026-11" } as SessionEvent, false)?.body).toContain(
      "monthly budget",
    );
  });
});
