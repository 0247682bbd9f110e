// Turns a session's durable events into push notices: approval waiting, task result, turn finished, budget, failure.

import { buildNotice, type NoticeInput, shorten } from "../../agent/push/notice";
import { log } from "../../log/logger";
import type { SessionEvent } from "../../protocol/frames";
import { userDirectory } from "../names";
import type { EventLog } from "./event-log";
import type { HookFactory } from "./hook-context";

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

/** Hands the notice an event calls for to the owner's directory (without waiting); a failure is logged, never thrown. */
export const pushHook: HookFactory = ({ env, config, identity, log, ownerHere, waitUntil }) => {
  if (!config.push) return null;
  return {
    name: "push",
    after(event) {
      if (!callsForPush(event.type)) return;
      try {
        const input = noticeFor(log, identity.id, event, ownerHere());
        if (!input) return;
        const directory = userDirectory(env, identity.owner);
        waitUntil(directory.pushNotify(buildNotice(input)).catch(logFailure));
      } catch (error) {
        logFailure(error);
      }
    },
  };
};

function logFailure(error: unknown): void {
  log.warn("push notify failed", { error: String(error) });
}
