// Sends one push (RFC 8030): payload encrypted per RFC 8291 (aes128gcm), VAPID authorization, TTL/Urgency/Topic.

import { encryptNotification } from "@block65/webcrypto-web-push";
import type { VapidKeys } from "../../config/push";
import { endpointProblem } from "./endpoint-guard";
import type { PushNotice } from "./notice";
import { vapidAuthorization } from "./vapid";

/** A stored subscription: what the browser's PushSubscription gave us. */
export interface PushTarget {
  endpoint: string;
  /** The browser's P-256 public key (base64url). */
  p256dh: string;
  /** The browser's 16-byte auth secret (base64url). */
  auth: string;
}

/** What happened to one push. */
export type DeliveryOutcome =
  | { status: "sent" }
  /** The push service says the subscription is gone (404/410): delete it. */
  | { status: "gone" }
  /** 429 or 5xx or a network failure: try again later (`retryAfterS` from the Retry-After header). */
  | { status: "retry"; retryAfterS: number | null; detail: string }
  /** Any other refusal: do not retry. */
  | { status: "failed"; detail: string };

export interface DeliveryDeps {
  vapid: VapidKeys;
  allowLoopbackHttp: boolean;
  fetch(url: string, init: RequestInit): Promise<Response>;
}

function retryAfter(response: Response): number | null {
  const value = response.headers.get("retry-after");
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}

export async function deliver(deps: DeliveryDeps, target: PushTarget, notice: PushNotice): Promise<DeliveryOutcome> {
  const problem = endpointProblem(target.endpoint, deps.allowLoopbackHttp);
  if (problem) return { status: "failed", detail: problem };
  const plaintext = new TextEncoder().encode(JSON.stringify(notice.payload));
  let body: Uint8Array;
  try {
    body = await encryptNotification(
      { endpoint: target.endpoint, expirationTime: null, keys: { p256dh: target.p256dh, auth: target.auth } },
      plaintext,
      { pad: false },
    );
  } catch (error) {
    return { status: "failed", detail: `encryption failed: ${String(error)}` };
  }
  let response: Response;
  try {
    response = await deps.fetch(target.endpoint, {
      method: "POST",
      redirect: "manual",
      headers: {
        authorization: await vapidAuthorization(deps.vapid, target.endpoint),
        "content-encoding": "aes128gcm",
        "content-type": "application/octet-stream",
        ttl: String(notice.ttl),
        urgency: notice.urgency,
        topic: notice.topic,
      },
      body,
    });
  } catch (error) {
    return { status: "retry", retryAfterS: null, detail: `network: ${String(error)}` };
  }
  // The body is never needed; drop it so the connection is released.
  await response.body?.cancel();
  if (response.status >= 200 && response.status < 300) return { status: "sent" };
  if (response.status === 404 || response.status === 410) return { status: "gone" };
  if (response.status === 429 || response.status >= 500)
    return { status: "retry", retryAfterS: retryAfter(response), detail: `HTTP ${response.status}` };
  return { status: "failed", detail: `HTTP ${response.status}` };
}
