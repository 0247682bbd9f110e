// The rows of the usage API (`/api/usage`, `/admin/api/usage`), shared by the server and the web client.

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** One group of a usage report. */
export interface UsageRow {
  key: string;
  calls: number;
  errors: number;
  errorRate: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Calls with no price (their cost is unknown, not zero). */
  unpricedCalls: number;
  /** Calls whose tokens were estimated (stream cut before its usage). */
  estimatedCalls: number;
  cacheHits: number;
  cacheHitRate: number;
  savedUsd: number;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
  feedbackUp: number;
  feedbackDown: number;
}
