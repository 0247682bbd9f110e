// Folds the session's events into what the chat shows: messages, streaming text, tool cards, approvals, usage.

import type { SessionEvent } from "../../../protocol/frames";
import type { Attachment } from "../../../protocol/uploads";

export interface ToolCard {
  id: string;
  name: string;
  args: string;
  output: string;
  result: { ok: boolean; output: string; exitCode?: number; durationMs?: number; truncated?: boolean } | null;
  approval: { expiresAt: number } | null;
}

/** `earlier` marks a version that a regenerate or an edit replaced: still shown, no longer in the model's context. */
export type Item =
  | {
      kind: "user";
      seq: number;
      id: string;
      text: string;
      user: string;
      deviceId?: string;
      edited: boolean;
      earlier?: true;
      /** Files sent with the message. */
      attachments?: Attachment[];
    }
  | {
      kind: "assistant";
      seq: number;
      turnId: string;
      text: string;
      streaming: boolean;
      partial: boolean;
      earlier?: true;
    }
  | { kind: "tool"; seq: number; turnId: string; card: ToolCard; earlier?: true }
  | { kind: "reasoning"; seq: number; turnId: string; text: string; streaming: boolean; earlier?: true }
  | { kind: "notice"; seq: number; text: string; tone: "info" | "error" | "warning" };

export interface ViewModel {
  items: Item[];
  running: boolean;
  /** Tokens per turn, shown under its answer. */
  usage: Map<string, { input: number; output: number; cacheRead: number }>;
  /** The newest turn (the one a regenerate replaces). */
  lastTurnId: string | null;
  /** The tool running now, if any (shown in the working state). */
  activeTool: string | null;
  /** The newest rating of each turn. */
  feedback: Map<string, "up" | "down">;
}

export const emptyView = (): ViewModel => ({
  items: [],
  running: false,
  usage: new Map(),
  lastTurnId: null,
  activeTool: null,
  feedback: new Map(),
});

/** Marks items as earlier versions. */
function markEarlier(items: Item[], which: (item: Item) => boolean): void {
  for (const [index, item] of items.entries())
    if (item.kind !== "notice" && which(item)) items[index] = { ...item, earlier: true };
}

/** Applies one event; returns a new view (items array copied, entries reused). */
export function apply(view: ViewModel, e: SessionEvent): ViewModel {
  const items = [...view.items];
  const usage = new Map(view.usage);
  const feedback = new Map(view.feedback);
  let { running, lastTurnId, activeTool } = view;
  const streaming = (turnId: string) =>
    items.findLast((i) => i.kind === "assistant" && i.turnId === turnId && i.streaming);
  const tool = (id: string) =>
    items.find((i): i is Extract<Item, { kind: "tool" }> => i.kind === "tool" && i.card.id === id);
  switch (e.type) {
    case "user_message": {
      const from = items.find((i) => i.kind === "user" && i.id === e.editOf)?.seq;
      if (from !== undefined) markEarlier(items, (i) => i.seq >= from);
      items.push({
        kind: "user",
        seq: e.seq,
        id: e.id,
        text: e.text,
        user: e.user,
        edited: e.editOf !== undefined,
        ...(e.deviceId ? { deviceId: e.deviceId } : {}),
        ...(e.attachments?.length ? { attachments: e.attachments } : {}),
      });
      break;
    }
    case "regenerate":
      markEarlier(items, (i) => (i.kind === "assistant" || i.kind === "tool") && i.turnId === e.turnId);
      break;
    case "feedback":
      feedback.set(e.turnId, e.rating);
      break;
    case "turn_start":
      running = true;
      lastTurnId = e.turnId;
      break;
    case "assistant_delta": {
      const open = streaming(e.turnId);
      if (open && open.kind === "assistant") open.text += e.text;
      else
        items.push({ kind: "assistant", seq: e.seq, turnId: e.turnId, text: e.text, streaming: true, partial: false });
      break;
    }
    case "assistant_message": {
      const open = streaming(e.turnId);
      const done = {
        kind: "assistant" as const,
        seq: e.seq,
        turnId: e.turnId,
        text: e.text,
        streaming: false,
        partial: e.partial === true,
      };
      if (open) items[items.indexOf(open)] = done;
      else items.push(done);
      break;
    }
    case "reasoning_delta": {
      const open = items.findLast((i) => i.kind === "reasoning" && i.turnId === e.turnId && i.streaming);
      if (open && open.kind === "reasoning") items[items.indexOf(open)] = { ...open, text: open.text + e.text };
      else items.push({ kind: "reasoning", seq: e.seq, turnId: e.turnId, text: e.text, streaming: true });
      break;
    }
    case "reasoning": {
      const open = items.findLast((i) => i.kind === "reasoning" && i.turnId === e.turnId && i.streaming);
      const done = { kind: "reasoning" as const, seq: e.seq, turnId: e.turnId, text: e.text, streaming: false };
      if (open) items[items.indexOf(open)] = done;
      else if (e.text !== "") items.push(done);
      break;
    }
    case "tool_call":
      activeTool = e.name;
      items.push({
        kind: "tool",
        seq: e.seq,
        turnId: e.turnId,
        card: { id: e.toolCallId, name: e.name, args: e.args, output: "", result: null, approval: null },
      });
      break;
    case "tool_output": {
      const item = tool(e.toolCallId);
      if (item) items[items.indexOf(item)] = { ...item, card: { ...item.card, output: item.card.output + e.text } };
      break;
    }
    case "approval_request": {
      const item = tool(e.toolCallId);
      if (item) items[items.indexOf(item)] = { ...item, card: { ...item.card, approval: { expiresAt: e.expiresAt } } };
      break;
    }
    case "tool_result": {
      const item = tool(e.toolCallId);
      const { toolCallId: _id, type: _t, seq: _s, at: _a, ...result } = e;
      activeTool = null;
      if (item) items[items.indexOf(item)] = { ...item, card: { ...item.card, result, approval: null } };
      break;
    }
    case "usage": {
      const prev = usage.get(e.turnId) ?? { input: 0, output: 0, cacheRead: 0 };
      usage.set(e.turnId, {
        input: prev.input + e.inputTokens,
        output: prev.output + e.outputTokens,
        cacheRead: prev.cacheRead + e.cacheReadTokens,
      });
      break;
    }
    case "turn_end":
      running = false;
      activeTool = null;
      for (const [index, item] of items.entries())
        if ((item.kind === "assistant" || item.kind === "reasoning") && item.streaming)
          items[index] = { ...item, streaming: false };
      if (e.reason !== "done")
        items.push({
          kind: "notice",
          seq: e.seq,
          text: `Turn ended: ${e.reason.replaceAll("_", " ")}`,
          tone: "warning",
        });
      break;
    case "error":
      items.push({ kind: "notice", seq: e.seq, text: e.message, tone: "error" });
      break;
    case "notice":
      items.push({ kind: "notice", seq: e.seq, text: e.text, tone: "info" });
      break;
    case "budget_warning":
      items.push({
        kind: "notice",
        seq: e.seq,
        text: `Budget ${e.period}: ${e.percent}% used ($${e.spentUsd.toFixed(2)} of $${e.limitUsd.toFixed(2)})`,
        tone: "warning",
      });
      break;
    case "snapshot":
      items.push({ kind: "notice", seq: e.seq, text: `Workspace snapshot saved (${e.files} files)`, tone: "info" });
      break;
    default:
      break;
  }
  return { items, running, usage, lastTurnId, activeTool, feedback };
}
