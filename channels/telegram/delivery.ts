// One answer on its way to Telegram: folds the session's events into the answer so far, and plans the
// next Bot API call that brings the chat up to date (send a part, edit a part, offer an approval).

import type { SessionEvent } from "../../protocol/frames";
import type { CallbackButton } from "./bot-api";
import { escapeHtml, markdownToTelegramHtml, splitMarkdown } from "./html";

/** A message edgeclaw has put in the chat for this answer. */
export interface SentPart {
  messageId: number;
  /** The HTML it shows now. */
  html: string;
}

/** An approval request waiting to be offered, or offered, as buttons. */
export interface ApprovalOffer {
  toolCallId: string;
  /** What is asked, as the buttons' message shows it. */
  label: string;
  /** The message with the buttons, once sent. */
  messageId: number | null;
}

/** The durable state of one answer's delivery (a row of the outbox). */
export interface DeliveryState {
  sessionId: string;
  chatId: number;
  /** The seq of the user message this answers. */
  userSeq: number;
  /** The turn that answers it, once it started. */
  turnId: string | null;
  /** The last session seq folded in. */
  cursor: number;
  /** Text of the finished model steps. */
  doneText: string;
  /** Text streamed in the current step. */
  stepText: string;
  /** The turn ended: once the chat shows everything, the delivery is over. */
  done: boolean;
  parts: SentPart[];
  approvals: ApprovalOffer[];
  /** Set for a session command: its `notice` of this topic is the whole answer. */
  expectNotice?: string;
}

/** Offered-approval buttons carry `ap:<1|0>:<toolCallId>`; Telegram allows 64 bytes of callback data. */
const MAX_CALLBACK_BYTES = 64;

export function approvalButtons(toolCallId: string): CallbackButton[][] | null {
  const approve = `ap:1:${toolCallId}`;
  if (new TextEncoder().encode(approve).length > MAX_CALLBACK_BYTES) return null;
  return [
    [
      { text: "Approve", callback_data: approve },
      { text: "Deny", callback_data: `ap:0:${toolCallId}` },
    ],
  ];
}

/** Reads `ap:<1|0>:<toolCallId>` back; null for anything else. */
export function parseApprovalData(data: string): { toolCallId: string; approve: boolean } | null {
  const match = /^ap:([01]):(.+)$/.exec(data);
  return match ? { approve: match[1] === "1", toolCallId: match[2] ?? "" } : null;
}

export function newDelivery(sessionId: string, chatId: number, userSeq: number, expectNotice?: string): DeliveryState {
  return {
    ...(expectNotice === undefined ? {} : { expectNotice }),
    sessionId,
    chatId,
    userSeq,
    turnId: null,
    cursor: userSeq,
    doneText: "",
    stepText: "",
    done: false,
    parts: [],
    approvals: [],
  };
}

const END_NOTES: Record<string, string> = {
  cancelled: "(cancelled)",
  interrupted: "(interrupted)",
  step_limit: "(stopped: step limit)",
  budget_exceeded: "(stopped: budget exceeded)",
  rate_limited: "(stopped: rate limited)",
};

function joinText(a: string, b: string): string {
  return a && b ? `${a}\n\n${b}` : a || b;
}

/** Folds events (in seq order, after the cursor) into the delivery; events of other turns are skipped. */
export function absorb(state: DeliveryState, events: readonly SessionEvent[]): DeliveryState {
  const next = { ...state, approvals: [...state.approvals] };
  for (const event of events) {
    next.cursor = Math.max(next.cursor, event.seq);
    if (next.done) continue;
    if (event.type === "notice" && event.topic === next.expectNotice) {
      next.doneText = event.text;
      next.done = true;
      continue;
    }
    if (next.expectNotice !== undefined) continue;
    if (event.type === "turn_start" && next.turnId === null) next.turnId = event.turnId;
    if (next.turnId === null) continue;
    switch (event.type) {
      case "assistant_delta":
        if (event.turnId === next.turnId) next.stepText += event.text;
        break;
      case "assistant_message":
        if (event.turnId === next.turnId) {
          next.doneText = joinText(next.doneText, event.text);
          next.stepText = "";
        }
        break;
      case "approval_request":
        next.approvals.push({
          toolCallId: event.toolCallId,
          label: approvalLabel(event.name, event.args),
          messageId: null,
        });
        break;
      case "error":
        next.doneText = joinText(joinText(next.doneText, next.stepText), `⚠️ ${event.message}`);
        next.stepText = "";
        break;
      case "turn_end":
        if (event.turnId !== next.turnId) break;
        next.done = true;
        next.doneText = joinText(joinText(next.doneText, next.stepText), END_NOTES[event.reason] ?? "");
        next.stepText = "";
        break;
    }
  }
  return next;
}

function approvalLabel(name: string, args: string): string {
  let shown = args;
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "object" && parsed !== null && "command" in parsed && typeof parsed.command === "string")
      shown = parsed.command;
  } catch {
    // Shown as the model sent it.
  }
  return `${name}: ${shown.slice(0, 500)}`;
}

/** The next Bot API call the delivery needs, or null when the chat is up to date. */
export type DeliveryStep =
  | { kind: "send"; index: number; html: string }
  | { kind: "edit"; index: number; messageId: number; html: string }
  | { kind: "offer"; toolCallId: string; html: string; keyboard: CallbackButton[][] | null };

/** The answer as the chat should show it: HTML parts of at most 4,096 visible characters. */
export function desiredParts(state: DeliveryState): string[] {
  const text = joinText(state.doneText, state.stepText);
  if (text.trim() === "") return state.done ? ["(no answer)"] : [];
  return splitMarkdown(text).map(markdownToTelegramHtml);
}

export function nextStep(state: DeliveryState): DeliveryStep | null {
  const parts = desiredParts(state);
  for (let index = 0; index < parts.length; index++) {
    const html = parts[index] ?? "";
    const sent = state.parts[index];
    if (!sent) return { kind: "send", index, html };
    if (sent.html !== html) return { kind: "edit", index, messageId: sent.messageId, html };
  }
  const offer = state.approvals.find((a) => a.messageId === null);
  if (offer) {
    const keyboard = approvalButtons(offer.toolCallId);
    const label = `<b>Approval needed</b>\n<code>${escapeHtml(offer.label)}</code>`;
    const html = keyboard ? label : `${label}\n(answer it in the web client)`;
    return { kind: "offer", toolCallId: offer.toolCallId, html, keyboard };
  }
  return null;
}

/** Records a successful step in the state. */
export function stepDone(state: DeliveryState, step: DeliveryStep, messageId: number | null): DeliveryState {
  if (step.kind === "offer")
    return {
      ...state,
      approvals: state.approvals.map((a) =>
        a.toolCallId === step.toolCallId ? { ...a, messageId: messageId ?? 0 } : a,
      ),
    };
  const parts = [...state.parts];
  const id = step.kind === "edit" ? step.messageId : (messageId ?? 0);
  parts[step.index] = { messageId: id, html: step.html };
  return { ...state, parts };
}

/** The delivery is over: its turn ended and the chat shows all of it. */
export function finished(state: DeliveryState): boolean {
  return state.done && nextStep(state) === null;
}
