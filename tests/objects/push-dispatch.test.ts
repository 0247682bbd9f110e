// Push dispatch inside a directory object: preferences, 404/410 removal, at most 5 sends with backoff, stale drops.

import { env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { buildNotice } from "../../agent/push/notice";
import { type DispatchDeps, dispatch, MAX_ATTEMPTS, retryDue } from "../../objects/directory/push-dispatch";
import { PushStore } from "../../objects/directory/push-store";
import { base64UrlEncode } from "../../protocol/base64url";

async function keys() {
  const sign = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
  ])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", sign.publicKey)) as ArrayBuffer);
  const jwk = (await crypto.subtle.exportKey("jwk", sign.privateKey)) as JsonWebKey;
  const ua = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ])) as CryptoKeyPair;
  const p256dh = base64UrlEncode(new Uint8Array((await crypto.subtle.exportKey("raw", ua.publicKey)) as ArrayBuffer));
  return {
    vapid: { publicKey: base64UrlEncode(raw), privateKey: jwk.d ?? "", subject: "mailto:t@example.com" },
    browser: { p256dh, auth: base64UrlEncode(crypto.getRandomValues(new Uint8Array(16))) },
  };
}

const notice = (devicesConnected: boolean) =>
  buildNotice({ kind: "task_result", sessionId: "s".repeat(26), title: "t", body: "b", devicesConnected });

describe("push dispatch", () => {
  it("follows preferences, removes gone subscriptions and retries at most five times", async () => {
    const { vapid, browser } = await keys();
    await runInDurableObject(env.DIRECTORY.getByName(`user:dispatch-${crypto.randomUUID()}`), async (_o, state) => {
      const store = new PushStore(drizzle(state.storage));
      const answers = new Map<string, number>();
      const sends: string[] = [];
      const alarms: (number | null)[] = [];
      const deps: DispatchDeps = {
        store,
        delivery: {
          vapid,
          allowLoopbackHttp: false,
          fetch: async (url) => {
            sends.push(url);
            return new Response(null, { status: answers.get(url) ?? 201 });
          },
        },
        rearm: async (at) => void alarms.push(at),
      };
      const busy = store.subscribe({ endpoint: "https://push.example.com/busy", ...browser, deviceName: "a" });
      store.subscribe({ endpoint: "https://push.example.com/gone", ...browser, deviceName: "b" });
      expect(store.subscribe({ endpoint: "https://push.example.com/busy", ...browser, deviceName: "a2" })?.id).toBe(
        busy?.id,
      );
      answers.set("https://push.example.com/busy", 503);
      answers.set("https://push.example.com/gone", 410);

      expect(await dispatch(deps, notice(true))).toMatchObject({ sent: 0, skipped: "device_connected" });
      store.setPreferences({ ...store.preferences(), when: "always" });
      const first = await dispatch(deps, notice(true));
      expect(first).toMatchObject({ sent: 0, removed: 1, retrying: 1 });
      expect(store.list().map((s) => s.deviceName)).toEqual(["a2"]);
      expect(alarms.at(-1)).toBeTypeOf("number");

      const makeDue = () => state.storage.sql.exec("UPDATE push_outbox SET due_at = ?", Date.now() - 1);
      for (let i = 2; i <= MAX_ATTEMPTS; i++) {
        makeDue();
        await retryDue(deps);
      }
      expect(sends.filter((u) => u.endsWith("/busy"))).toHaveLength(MAX_ATTEMPTS);
      expect(store.nextDue()).toBeNull();
      expect(alarms.at(-1)).toBeNull();

      // A stale retry (its TTL ran out) is dropped; a kind switched off sends nothing.
      await dispatch(deps, notice(false));
      state.storage.sql.exec("UPDATE push_outbox SET due_at = ?, expires_at = ?", Date.now() - 2, Date.now() - 1);
      const before = sends.length;
      await retryDue(deps);
      expect(sends.length).toBe(before);
      store.setPreferences({ ...store.preferences(), kinds: { ...store.preferences().kinds, task_result: false } });
      expect(await dispatch(deps, notice(false))).toMatchObject({ skipped: "kind_off" });
      expect(sends.length).toBe(before);
    });
  });
});
