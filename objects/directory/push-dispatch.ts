// Sends a notice to every subscription of a user per their preferences; 404/410 deletes, 429/5xx retries later.

import { type DeliveryDeps, deliver } from "../../agent/push/deliver";
import type { PushNotice } from "../../agent/push/notice";
import { log } from "../../log/logger";
import type { PushStore, PushSubscriptionRow } from "./push-store";

/** Tries per push before it is given up (the first send included). */
export const MAX_ATTEMPTS = 5;
/** Backoff of the n-th retry without Retry-After: 5 s, 10 s, 20 s, 40 s. */
const BASE_BACKOFF_MS = 5_000;
/** No retry waits longer than this, whatever Retry-After says. */
const MAX_BACKOFF_MS = 10 * 60_000;

export interface DispatchDeps {
  store: PushStore;
  delivery: DeliveryDeps;
  /** Sets the owner's alarm to the next due retry (null: none). */
  rearm(at: number | null): Promise<void>;
}

/** What one notice did. */
export interface DispatchResult {
  /** Subscriptions that accepted it now. */
  sent: number;
  /** Why nothing was sent, when the preferences said so. */
  skipped?: "kind_off" | "device_connected" | "no_subscriptions";
  /** Subscriptions deleted because the push service said they are gone. */
  removed: number;
  /** Sends queued for a retry. */
  retrying: number;
}

export function backoffMs(attempt: number, retryAfterS: number | null): number {
  const wanted = retryAfterS === null ? BASE_BACKOFF_MS * 2 ** (attempt - 1) : retryAfterS * 1000;
  return Math.min(MAX_BACKOFF_MS, Math.max(1_000, wanted));
}

async function attempt(
  deps: DispatchDeps,
  row: PushSubscriptionRow,
  notice: PushNotice,
  attemptNo: number,
  expiresAt: number,
  result: DispatchResult,
): Promise<void> {
  const outcome = await deliver(deps.delivery, row, notice);
  const now = Date.now();
  switch (outcome.status) {
    case "sent":
      deps.store.delivered(row.id, now);
      result.sent++;
      return;
    case "gone":
      deps.store.remove(row.id);
      result.removed++;
      return;
    case "retry": {
      const dueAt = now + backoffMs(attemptNo, outcome.retryAfterS);
      if (attemptNo < MAX_ATTEMPTS && dueAt < expiresAt) {
        deps.store.enqueue(row.id, notice, attemptNo, dueAt, expiresAt);
        result.retrying++;
        return;
      }
      warn("push given up", row.id, outcome.detail);
      return;
    }
    case "failed":
      warn("push refused", row.id, outcome.detail);
      return;
  }
}

function warn(msg: string, subscription: string, detail: string): void {
  log.warn(msg, { subscription, detail });
}

/** Sends a notice now to every subscription, unless the preferences say not to. */
export async function dispatch(deps: DispatchDeps, notice: PushNotice): Promise<DispatchResult> {
  const result: DispatchResult = { sent: 0, removed: 0, retrying: 0 };
  const prefs = deps.store.preferences();
  if (!prefs.kinds[notice.payload.kind]) return { ...result, skipped: "kind_off" };
  if (notice.devicesConnected && prefs.when === "away") return { ...result, skipped: "device_connected" };
  const rows = deps.store.rows();
  if (rows.length === 0) return { ...result, skipped: "no_subscriptions" };
  const expiresAt = Date.now() + notice.ttl * 1000;
  await Promise.all(rows.map((row) => attempt(deps, row, notice, 1, expiresAt, result)));
  await deps.rearm(deps.store.nextDue());
  return result;
}

/** Sends the retries that are due (called from the alarm), then re-arms for the next. */
export async function retryDue(deps: DispatchDeps): Promise<DispatchResult> {
  const result: DispatchResult = { sent: 0, removed: 0, retrying: 0 };
  for (const entry of deps.store.takeDue(Date.now())) {
    const row = deps.store.row(entry.subscriptionId);
    if (row) await attempt(deps, row, entry.notice, entry.attempts + 1, entry.expiresAt, result);
  }
  await deps.rearm(deps.store.nextDue());
  return result;
}
