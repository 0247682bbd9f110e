// A ledger row for tests, with plausible defaults.

import type { CallRecord } from "../../objects/usage/types";

export function record(extra: Partial<CallRecord>): CallRecord {
  return {
    id: crypto.randomUUID(),
    at: Date.now(),
    user: "u@example.com",
    session: "s1",
    turn: "t1",
    step: 1,
    attempt: 1,
    provider: "openai",
    model: "gpt-4o-mini",
    variant: null,
    status: "ok",
    errorCode: null,
    inputTokens: 10,
    outputTokens: 5,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    usageSource: "provider",
    costMicros: 1000,
    savedMicros: 0,
    priceVersion: "test",
    latencyMs: 100,
    ttftMs: 20,
    tokensPerSecond: 50,
    cacheHit: false,
    gatewayLogId: null,
    ...extra,
  };
}
