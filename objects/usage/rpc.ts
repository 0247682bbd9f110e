// The usage object's RPC surface: admission and settling for the session's meter, reports and budgets for the edge.

import type { HeavyRoute } from "./http-limits";
import type { LedgerPage } from "./ledger-store";
import type { Admission, AdmitRequest, BudgetLimits, BudgetStatus, BudgetWarning, CallRecord } from "./types";

export interface UsageRpc {
  admit(request: AdmitRequest): Promise<Admission>;
  /**
   * Records the call, releases its reservation, and returns the budget thresholds it crossed; `endsTurn`
   * also clears the running mark of the record's turn (its last call), as `endTurn` would.
   */
  settle(reservationId: string | null, record: CallRecord, endsTurn?: boolean): Promise<BudgetWarning[]>;
  /** Drops a reservation whose call was never made. */
  release(reservationId: string): Promise<void>;
  beginTurn(turnId: string): Promise<boolean>;
  endTurn(turnId: string): Promise<void>;
  calls(from: number, to: number): Promise<LedgerPage>;
  recordFeedback(turn: string, session: string, variant: string | null, rating: "up" | "down"): Promise<void>;
  budget(): Promise<BudgetStatus>;
  setBudget(limits: BudgetLimits, by: string): Promise<BudgetStatus>;
  /** Takes one request of a costly HTTP route from the user's budget; seconds to wait, or 0. */
  takeHeavyRoute(route: HeavyRoute): Promise<number>;
}
