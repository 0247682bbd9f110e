// Turns a session's durable events into push notices: approval waiting, task result, turn finished, budget, failure.

import { buildNotice, type NoticeInput, shorten } from "../../agent/push/notice";
import { log } from "../../log/logger";
import type { SessionEvent } from "../../protocol/frames";
import { userDirectory } from "../names";
import type { EventLog } from "./event-log";

/** What the notices read of the event log: the newest event of a type. */
export type EventRead = Pick<EventLog, "latest">;

/** The user message id a scheduled task's turn starts with (see the session object's task runner). */
export const TASK_DEVICE_ID = "scheduler";

/** What an approval notification shows: the command for exec, else the tool and its arguments. Never output. */
export function approvalText(name: string, args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    const command = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "command") : undefined;
    if (typeof command === "string") return `${name}: ${shorten(command, 160)}`;
  } catch {
    // Not JSON: show it as it came.
  }
  return `${name} ${shorten(args, 150)}`;
}

function turnText(log: EventRead, turnId: string): string {
  const answer = log.latest("assistant_message");
  return answer && answer.turnId === turnId && answer.text.trim() ? answer.text : "The turn finished.";
}

function endNotice(log: EventRead, event: Extract<SessionEvent, { type: "turn_end" }>) {
  const started = log.latest("user_message");
  const byTask = started?.deviceId === TASK_DEVICE_ID;
  if (event.reason === "error") {
    const error = log.latest("error");
    const text = error ? error.message : "the model or the sandbox failed";
    return { kind: "failure" as const, title: byTask ? "A scheduled task failed" : "A turn failed", body: text };
  }
  if (byTask && event.reason !== "cancelled")
    return { kind: "task_result" as const, title: "Scheduled task done", body: turnText(log, event.turnId) };
  if (event.reason === "done" || event.reason === "step_limit")
    return { kind: "turn_finished" as const, title: "Your agent answered", body: turnText(log, event.turnId) };
  return null;
}

/** The notice an event calls for, or null. `title` of the session prefixes nothing: the body stays short. */
export function noticeFor(
  log: EventRead,
  sessionId: string,
  event: SessionEvent,
  devicesConnected: boolean,
): NoticeInput | null {
  const base = { sessionId, devicesConnected };
  switch (event.type) {
    case "approval_request":
      return {
        ...base,
        kind: "approval",
        title: "Approval needed",
        body: approvalText(event.name, event.args),
        toolCallId: event.toolCallId,
        ttl: Math.max(0, (event.expiresAt - Date.now()) / 1000),
      };
    case "turn_end": {
      const notice = endNotice(log, event);
      return notice ? { ...base, ...notice } : null;
    }
    case "budget_warning":
      if (event.percent < 80) return null;
      return {
        ...base,
        kind: "budget",
        title: event.percent >= 100 ? "Budget used up" : "Budget running low",
        body: `${event.percent}% of your ${event.period.startsWith("month") ? "monthly" : "daily"} budget used ($${event.spentUsd.toFixed(2)} of $${event.limitUsd.toFixed(2)})`,
        urgency: event.percent >= 100 ? "high" : "normal",
      };
    default:
      return null;
  }
}

const NOTIFYING: ReadonlySet<string> = new Set(["approval_request", "turn_end", "budget_warning"]);

/** Whether an event type can call for a push (most, such as deltas and tool output, never do). */
export function callsForPush(type: string): boolean {
  return NOTIFYING.has(type);
}

export interface NotifyDeps {
  env: Env;
  /** Whether Web Push is configured (VAPID keys set). */
  push: boolean;
  log: EventLog;
  /** Keeps the isolate alive for the push without making anyone wait for it. */
  waitUntil(promise: Promise<unknown>): void;
}

/** Hands the notice an event calls for to the owner's directory; a failure is logged, never thrown. */
export function notifyOwner(
  deps: NotifyDeps,
  session: { id: string; owner: string },
  event: SessionEvent,
  devicesConnected: () => boolean,
): void {
  try {
    const input = noticeFor(deps.log, session.id, event, devicesConnected());
    if (!input || !deps.push) return;
    const directory = userDirectory(deps.env, session.owner);
    deps.waitUntil(directory.pushNotify(buildNotice(input)).catch(logFailure));
  } catch (error) {
    logFailure(error);
  }
}

function logFailure(error: unknown): void {
  log.warn("push notify failed", { error: String(error) });
}
