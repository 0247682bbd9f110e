// The meter of a session's model calls: admission against the user's budget object before each attempt,
// a ledger row after it (in the session's SQLite and the user's usage object), and budget warnings.

import type { ModelPrice } from "../../../agent/pricing/catalog";
import { costMicros, priceFor, worstCaseMicros } from "../../../agent/pricing/cost";
import { inputTokenBound } from "../../../agent/pricing/input-bound";
import { modelRefusal, priceBook, pricedAs } from "../../../agent/pricing/model-policy";
import type { ChatRequest, Usage } from "../../../agent/providers/types";
import type { Config } from "../../../config/config";
import { GLOBAL_USAGE, userObjectName } from "../../names";
import type { BudgetWarning, CallRecord } from "../../usage/types";
import type { UsageObject } from "../../usage/usage-object";
import { estimateTokens } from "./context";
import type { AttemptMeter, AttemptOutcome, AttemptTicket } from "./model-call";
import type { Settlements } from "./settlements";

/** A call refused before it was made: the turn ends with this code (a refused model ends it as an error). */
export class MeterRefusal extends Error {
  readonly code: "budget_exceeded" | "rate_limited" | "model_not_allowed";
  readonly retryAfterSeconds: number;

  constructor(code: MeterRefusal["code"], message: string, retryAfterSeconds: number) {
    super(message);
    this.name = "MeterRefusal";
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** How the turn ends. */
  get reason(): "budget_exceeded" | "rate_limited" | "error" {
    return this.code === "model_not_allowed" ? "error" : this.code;
  }
}

export interface MeterDeps {
  usage(scope: string): DurableObjectStub<UsageObject>;
  config: Config;
  user: string;
  sessionId: string;
  variant: string | null;
  /** The session's cache TTL (seconds; 0 skips), null for the configured default. */
  cacheTtl: number | null;
  turnId: string;
  step(): number;
  /** Stores the ledger row in the session's own SQLite. */
  record(row: CallRecord): void;
  onWarnings(warnings: BudgetWarning[]): void;
  /**
   * Where settlements queue so the answer does not wait for them (the next admission does); without it
   * `after` settles before it returns.
   */
  settlements?: Settlements;
}

interface Held {
  provider: string;
  model: string;
  attempt: number;
  price: ModelPrice;
  /** The bound of input tokens reserved for (an unreported call is billed at it). */
  inputTokens: number;
  maxOutput: number;
  reservations: { scope: string; id: string }[];
}

function scopes(deps: MeterDeps): string[] {
  const m = deps.config.metering;
  const global = m.globalDailyMicros !== null || m.globalMonthlyMicros !== null;
  return [userObjectName(deps.user), ...(global ? [GLOBAL_USAGE] : [])];
}

function usageOf(
  outcome: AttemptOutcome,
  inputTokens: number,
  maxOutput: number,
): { usage: Usage; source: CallRecord["usageSource"] } {
  if (outcome.usage) return { usage: outcome.usage, source: "provider" };
  const empty = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  if (outcome.text === "") return { usage: { ...empty, source: "estimated" }, source: "none" };
  const estimate = {
    ...empty,
    inputTokens,
    outputTokens: Math.min(maxOutput, new TextEncoder().encode(outcome.text).length),
    source: "estimated" as const,
  };
  return { usage: estimate, source: "estimated" };
}

export function createMeter(deps: MeterDeps): AttemptMeter {
  const held = new WeakMap<AttemptTicket, Held>();
  const book = priceBook(deps.config);
  return {
    async before({
      provider,
      model,
      attempt,
      request,
    }: {
      provider: string;
      model: string;
      attempt: number;
      request: ChatRequest;
    }) {
      // The session's earlier calls are settled first: admission sees every spend recorded, in order.
      await deps.settlements?.idle();
      // Fail closed: a model the operator did not allow, or one without a price, is never called.
      const refused = modelRefusal(deps.config, provider, model);
      const price = priceFor(book, pricedAs(provider) ?? provider, model);
      if (refused !== null || price === undefined) {
        throw new MeterRefusal("model_not_allowed", refused ?? `${model} has no price`, 0);
      }
      // The reservation is a true upper bound: every byte sent, at the dearest input rate, plus the output cap.
      const inputTokens = inputTokenBound(request);
      const maxOutput = request.maxTokens ?? deps.config.metering.maxOutputTokens;
      const worstMicros = worstCaseMicros(price, inputTokens, maxOutput);
      // The per-minute token limit keeps its rough estimate (a rate, not money).
      const rateTokens = estimateTokens(request.messages, request.system ?? "") + maxOutput;
      const reservations: Held["reservations"] = [];
      for (const scope of scopes(deps)) {
        // The user's object also marks the turn running with its first call (the concurrent-turn limit).
        const turn = scope === GLOBAL_USAGE ? {} : { turnId: deps.turnId };
        const admission = await deps.usage(scope).admit({ model, worstMicros, tokens: rateTokens, ...turn });
        if (!admission.ok) {
          for (const r of reservations) await deps.usage(r.scope).release(r.id);
          throw new MeterRefusal(admission.code, admission.message, admission.retryAfterSeconds);
        }
        reservations.push({ scope, id: admission.reservationId });
      }
      const ttl = deps.cacheTtl ?? deps.config.metering.cacheTtlSeconds;
      const ticket: AttemptTicket = {
        gateway: {
          ...(ttl === null ? {} : { cacheTtlSeconds: ttl }),
          customCost: { perTokenIn: price.input / 1e12, perTokenOut: price.output / 1e12 },
        },
      };
      held.set(ticket, { provider, model, attempt, price, inputTokens, maxOutput, reservations });
      return ticket;
    },

    async after(ticket, outcome) {
      const h = held.get(ticket);
      if (!h) return;
      const { usage, source } = usageOf(outcome, h.inputTokens, h.maxOutput);
      const cost = costMicros(h.price, usage);
      const streamingMs = outcome.firstTokenAt === null ? 0 : outcome.endedAt - outcome.firstTokenAt;
      const row: CallRecord = {
        id: crypto.randomUUID(),
        at: outcome.startedAt,
        user: deps.user,
        session: deps.sessionId,
        turn: deps.turnId,
        step: deps.step(),
        attempt: h.attempt,
        provider: h.provider,
        model: h.model,
        variant: deps.variant,
        status: outcome.ok ? "ok" : "error",
        errorCode: outcome.error?.code ?? null,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cacheReadTokens: usage.cacheReadTokens,
        cacheWrite5mTokens:
          usage.cacheWrite5mTokens ?? Math.max(0, usage.cacheWriteTokens - (usage.cacheWrite1hTokens ?? 0)),
        cacheWrite1hTokens: usage.cacheWrite1hTokens ?? 0,
        reasoningTokens: usage.reasoningTokens,
        usageSource: source,
        costMicros: outcome.cacheHit ? 0 : cost,
        savedMicros: outcome.cacheHit ? cost : 0,
        priceVersion: book.version,
        latencyMs: outcome.endedAt - outcome.startedAt,
        ttftMs: outcome.firstTokenAt === null ? null : outcome.firstTokenAt - outcome.startedAt,
        tokensPerSecond: streamingMs > 0 && usage.outputTokens > 0 ? (usage.outputTokens * 1000) / streamingMs : null,
        cacheHit: outcome.cacheHit,
        gatewayLogId: outcome.gatewayLogId,
      };
      deps.record(row);
      // `endsTurn`: the user's object also clears the turn's running mark, in the same call.
      const settle = async (endsTurn: boolean) => {
        for (const r of h.reservations) {
          const user = r.scope !== GLOBAL_USAGE;
          const warnings = await deps.usage(r.scope).settle(r.id, row, endsTurn && user);
          if (user && warnings.length > 0) deps.onWarnings(warnings);
        }
      };
      if (deps.settlements) deps.settlements.add(deps.turnId, settle);
      else await settle(false);
    },
  };
}
