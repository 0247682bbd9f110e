// The service worker's Web Push part: shows each push as a notification; a click opens (or focuses) the session;
// an approval's Approve / Deny actions answer it over HTTP, and open the session instead when signed out.

import type { PushPayload } from "../../protocol/push";

/** The payload as the handlers read it (validated by isPushData). */
type PushData = PushPayload;

/** The few service-worker types these handlers use (the web tsconfig uses the DOM library, not WebWorker's). */
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  navigate(url: string): Promise<WindowClientLike | null>;
}
export interface ServiceWorkerScope {
  location: Location;
  registration: {
    showNotification(
      title: string,
      options: NotificationOptions & { actions?: { action: string; title: string }[] },
    ): Promise<void>;
  };
  clients: {
    matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  addEventListener(type: "push", listener: (event: PushEventLike) => void): void;
  addEventListener(type: "notificationclick", listener: (event: NotificationClickLike) => void): void;
}
interface ExtendableEventLike {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEventLike extends ExtendableEventLike {
  data: { json(): unknown } | null;
}
interface NotificationClickLike extends ExtendableEventLike {
  action: string;
  notification: Notification;
}

function isPushData(value: unknown): value is PushData {
  if (typeof value !== "object" || value === null) return false;
  const get = (key: string) => Reflect.get(value, key);
  return ["kind", "sessionId", "title", "body", "tag", "url"].every((key) => typeof get(key) === "string");
}

/** Notification options for a push: the tag collapses per session and kind; approvals get their two actions. */
export function notificationOptions(
  data: PushData,
): NotificationOptions & { actions: { action: string; title: string }[] } {
  const approval = data.kind === "approval" && data.toolCallId !== undefined;
  return {
    body: data.body,
    tag: data.tag,
    data,
    requireInteraction: approval,
    actions: approval
      ? [
          { action: "approve", title: "Approve" },
          { action: "deny", title: "Deny" },
        ]
      : [],
  };
}

/** Focus needs the click's user activation; without it the window is still shown the session. */
async function focusQuietly(client: WindowClientLike): Promise<void> {
  await client.focus().catch(() => undefined);
}

/** Focuses a window already showing the session, else moves a window of ours to it, else opens one. */
async function openSession(scope: ServiceWorkerScope, data: PushData): Promise<void> {
  const target = new URL(data.url, scope.location.origin).href;
  const windows = await scope.clients.matchAll({ type: "window", includeUncontrolled: true });
  const showing = windows.find((w) => w.url === target);
  if (showing) return focusQuietly(showing);
  for (const window of windows) {
    // navigate() works on the windows this worker controls; the others refuse and are skipped.
    const moved = await window.navigate(target).catch(() => null);
    if (moved) return focusQuietly(moved);
  }
  await scope.clients.openWindow(target);
}

/** Answers the approval over HTTP; any refusal (signed out, gone, already answered) opens the session instead. */
async function answer(scope: ServiceWorkerScope, data: PushData, approve: boolean): Promise<void> {
  const path = `/api/sessions/${encodeURIComponent(data.sessionId)}/approvals/${encodeURIComponent(data.toolCallId ?? "")}`;
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    // An expired Access cookie answers with a redirect to the sign-in page: never follow it from here.
    redirect: "manual",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ approve }),
  }).catch(() => null);
  if (!response?.ok) await openSession(scope, data);
}

/** What a click does: an action answers the approval, the body opens the session. */
export function handleClick(scope: ServiceWorkerScope, action: string, data: unknown): Promise<void> {
  if (!isPushData(data)) return Promise.resolve();
  if ((action === "approve" || action === "deny") && data.toolCallId) return answer(scope, data, action === "approve");
  return openSession(scope, data);
}

/** `waitUntil` only works on events the browser dispatched; the work runs either way. */
function keepAlive(event: ExtendableEventLike, work: Promise<unknown>): void {
  try {
    event.waitUntil(work);
  } catch {
    // A synthetic event: nothing to extend.
  }
}

export function installPushHandlers(scope: ServiceWorkerScope): void {
  scope.addEventListener("push", (event) => {
    let data: unknown = null;
    try {
      data = event.data?.json() ?? null;
    } catch {
      data = null;
    }
    if (!isPushData(data)) return;
    keepAlive(event, scope.registration.showNotification(data.title, notificationOptions(data)));
  });
  scope.addEventListener("notificationclick", (event) => {
    event.notification.close();
    keepAlive(event, handleClick(scope, event.action, event.notification.data));
  });
}
