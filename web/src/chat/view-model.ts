// Folds the session's events into what the chat shows: messages, streaming text, tool cards, approvals, usage.

import type { SessionEvent } from "../../../protocol/frames";

export interface ToolCard {
  id: string;
  name: string;
  args: string;
  output: string;
  result: { ok: boolean; output: string; exitCode?: number; durationMs?: number; truncated?: boolean } | null;
  approval: { expiresAt: number } | null;
}

export type Item =
  | { kind: "user"; seq: number; text: string; user: string; deviceId?: string }
  | { kind: "assistant"; seq: number; turnId: string; text: string; streaming: boolean; partial: boolean }
  | { kind: "tool"; seq: number; card: ToolCard }
  | { kind: "reasoning"; seq: number; turnId: string; text: string; streaming: boolean }
  | { kind: "notice"; seq: number; text: string; tone: "info" | "error" | "warning" };

export interface ViewModel {
  items: Item[];
  running: boolean;
  /** Tokens per turn, shown under its answer. */
  usage: Map<string, { input: number; output: number; cacheRead: number }>;
}

export const emptyView = (): ViewModel => ({ items: [], running: false, usage: new Map() });

/** Applies one event; returns a new view (items array copied, entries reused). */
export function apply(view: ViewModel, e: SessionEvent): ViewModel {
  const items = [...view.items];
  const usage = new Map(view.usage);
  let running = view.running;
  const streaming = (turnId: string) =>
    items.findLast((i) => i.kind === "assistant" && i.turnId === turnId && i.streaming);
  const tool = (id: string) =>
    items.find((i): i is Extract<Item, { kind: "tool" }> => i.kind === "tool" && i.card.id === id);
  switch (e.type) {
    case "user_message":
      items.push({
        kind: "user",
        seq: e.seq,
        text: e.text,
        user: e.user,
        ...(e.deviceId ? { deviceId: e.deviceId } : {}),
      });
      break;
    case "turn_start":
      running = true;
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
      items.push({
        kind: "tool",
        seq: e.seq,
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
  return { items, running, usage };
}
