// The client side of Web Push: installs the service worker, subscribes this browser, and the /api/push calls.

import type { PushPreferences, PushSubscriptionInfo } from "../../protocol/push";
import { api } from "./api";

/** Installs /sw.js (scope /) when the browser has service workers; resolves to its registration. */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!("serviceWorker" in navigator)) return null;
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  return navigator.serviceWorker.ready;
}

function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(
    text
      .replaceAll("-", "+")
      .replaceAll("_", "/")
      .padEnd(Math.ceil(text.length / 4) * 4, "="),
  );
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Asks for permission, subscribes this browser with the server's VAPID key and registers it; returns its id. */
export async function enablePush(deviceName: string): Promise<string> {
  const registration = await registerServiceWorker();
  if (!registration || !("PushManager" in window)) throw new Error("this browser cannot receive push notifications");
  if ((await Notification.requestPermission()) !== "granted")
    throw new Error("notifications are blocked for this site");
  const { publicKey } = await api<{ publicKey: string }>("/api/push/key");
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: base64UrlToBytes(publicKey),
  });
  const created = await api<{ id: string }>("/api/push/subscriptions", {
    method: "POST",
    body: JSON.stringify({ ...subscription.toJSON(), deviceName }),
  });
  return created.id;
}

export const listSubscriptions = () => api<{ subscriptions: PushSubscriptionInfo[] }>("/api/push/subscriptions");
export const deleteSubscription = (id: string) => api(`/api/push/subscriptions/${id}`, { method: "DELETE" });
export const getPreferences = () => api<PushPreferences>("/api/push/preferences");
export const setPreferences = (prefs: Partial<PushPreferences>) =>
  api<PushPreferences>("/api/push/preferences", { method: "PUT", body: JSON.stringify(prefs) });
