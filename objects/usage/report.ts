// Usage reports: calls grouped by a column, with totals, rates and latency/TTFT percentiles.

import type { CallRecord, GroupBy, Percentiles, UsageRow } from "./types";

/** The columns a report reads from a call. */
export type ReportCall = Pick<
  CallRecord,
  | "user"
  | "session"
  | "model"
  | "provider"
  | "variant"
  | "turn"
  | "status"
  | "inputTokens"
  | "outputTokens"
  | "cacheReadTokens"
  | "cacheWrite5mTokens"
  | "cacheWrite1hTokens"
  | "reasoningTokens"
  | "usageSource"
  | "costMicros"
  | "savedMicros"
  | "latencyMs"
  | "ttftMs"
  | "cacheHit"
> & { day: string };

export interface ReportFeedback {
  turn: string;
  rating: "up" | "down";
}

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: null, p95: null, p99: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

const keyOf = (call: ReportCall, groupBy: GroupBy): string => {
  if (groupBy === "variant") return call.variant ?? "(none)";
  if (groupBy === "day_model") return `${call.day}|${call.model}`;
  return String(call[groupBy]);
};

const usd = (micros: number) => micros / 1_000_000;

/** Groups calls (newest keys first for days, else by cost). Feedback counts join to calls by turn. */
export function buildReport(calls: ReportCall[], feedback: ReportFeedback[], groupBy: GroupBy): UsageRow[] {
  const groups = new Map<string, ReportCall[]>();
  for (const call of calls) {
    const key = keyOf(call, groupBy);
    const list = groups.get(key) ?? [];
    list.push(call);
    groups.set(key, list);
  }
  const ratingByTurn = new Map(feedback.map((f) => [f.turn, f.rating]));
  const rows = [...groups].map(([key, list]): UsageRow => {
    const sum = (pick: (c: ReportCall) => number) => list.reduce((total, c) => total + pick(c), 0);
    const errors = list.filter((c) => c.status !== "ok").length;
    const cacheHits = list.filter((c) => c.cacheHit).length;
    const turns = new Set(list.map((c) => c.turn));
    const ratings = [...turns].map((t) => ratingByTurn.get(t)).filter((r) => r !== undefined);
    const ok = list.filter((c) => c.status === "ok");
    return {
      key,
      calls: list.length,
      errors,
      errorRate: errors / list.length,
      inputTokens: sum((c) => c.inputTokens),
      outputTokens: sum((c) => c.outputTokens),
      cacheReadTokens: sum((c) => c.cacheReadTokens),
      cacheWriteTokens: sum((c) => c.cacheWrite5mTokens + c.cacheWrite1hTokens),
      reasoningTokens: sum((c) => c.reasoningTokens),
      costUsd: usd(sum((c) => c.costMicros ?? 0)),
      unpricedCalls: list.filter((c) => c.costMicros === null).length,
      estimatedCalls: list.filter((c) => c.usageSource === "estimated").length,
      cacheHits,
      cacheHitRate: cacheHits / list.length,
      savedUsd: usd(sum((c) => c.savedMicros)),
      latencyMs: percentiles(ok.map((c) => c.latencyMs)),
      ttftMs: percentiles(ok.flatMap((c) => (c.ttftMs === null ? [] : [c.ttftMs]))),
      feedbackUp: ratings.filter((r) => r === "up").length,
      feedbackDown: ratings.filter((r) => r === "down").length,
    };
  });
  return groupBy === "day" || groupBy === "day_model"
    ? rows.sort((a, b) => b.key.localeCompare(a.key))
    : rows.sort((a, b) => b.costUsd - a.costUsd);
}

/** The same rows as CSV (one header line, percentiles flattened). */
export function toCsv(rows: UsageRow[]): string {
  const head = [
    "key",
    "calls",
    "errors",
    "error_rate",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "cost_usd",
    "unpriced_calls",
    "estimated_calls",
    "cache_hits",
    "cache_hit_rate",
    "saved_usd",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "ttft_p50_ms",
    "ttft_p95_ms",
    "ttft_p99_ms",
    "feedback_up",
    "feedback_down",
  ];
  const cell = (value: string | number | null) => {
    const text = value === null ? "" : String(value);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = rows.map((r) =>
    [
      r.key,
      r.calls,
      r.errors,
      r.errorRate,
      r.inputTokens,
      r.outputTokens,
      r.cacheReadTokens,
      r.cacheWriteTokens,
      r.reasoningTokens,
      r.costUsd,
      r.unpricedCalls,
      r.estimatedCalls,
      r.cacheHits,
      r.cacheHitRate,
      r.savedUsd,
      r.latencyMs.p50,
      r.latencyMs.p95,
      r.latencyMs.p99,
      r.ttftMs.p50,
      r.ttftMs.p95,
      r.ttftMs.p99,
      r.feedbackUp,
      r.feedbackDown,
    ]
      .map(cell)
      .join(","),
  );
  return `${[head.join(","), ...lines].join("\n")}\n`;
}
