// What crosses the usage object's RPC: call records, admission requests and answers, reports.

import type { LedgerRecord } from "../shared/ledger-columns";

/** One provider attempt, as the session's meter records it: a row of the ledger columns. */
export type CallRecord = LedgerRecord;

export interface AdmitRequest {
  model: string;
  /** The most this call can cost, micro-USD: a true upper bound (a model without a price is never admitted). */
  worstMicros: number;
  /** Tokens it may use (input estimate + output cap), for the tokens-per-minute limit. */
  tokens: number;
  /**
   * The turn the call belongs to: its first admission marks it running for the user (refused past the
   * concurrent-turn limit), so a turn's first call needs one round trip to this object, not two.
   */
  turnId?: string;
  now?: number;
}

export type Admission =
  | { ok: true; reservationId: string }
  | {
      ok: false;
      code: "budget_exceeded" | "rate_limited";
      message: string;
      retryAfterSeconds: number;
      resetsAt: number;
    };

export interface BudgetWarning {
  period: string;
  percent: 50 | 80 | 100;
  spentMicros: number;
  limitMicros: number;
  resetsAt: number;
}

export type { BudgetLimits, BudgetStatus } from "../../protocol/api";

export type GroupBy = "day" | "model" | "provider" | "session" | "variant" | "user" | "day_model";

export type { Percentiles, UsageRow } from "../../protocol/usage";
