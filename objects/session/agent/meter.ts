// The meter of a session's model calls: admission against the user's budget object before each attempt,
// a ledger row after it (in the session's SQLite and the user's usage object), and budget warnings.

import type { ModelPrice } from "../../../agent/pricing/catalog";
import { costMicros, type PriceBook, priceBookWith, priceFor, worstCaseMicros } from "../../../agent/pricing/cost";
import type { ChatRequest, Usage } from "../../../agent/providers/types";
import type { Config } from "../../../worker/config";
import type { BudgetWarning, CallRecord } from "../../usage/types";
import { GLOBAL_USAGE, type UsageObject } from "../../usage/usage-object";
import { estimateTokens } from "./context";
import type { AttemptMeter, AttemptOutcome, AttemptTicket } from "./model-call";

/** A call refused before it was made: the turn ends with this code. */
export class MeterRefusal extends Error {
  readonly code: "budget_exceeded" | "rate_limited";
  readonly retryAfterSeconds: number;

  constructor(code: "budget_exceeded" | "rate_limited", message: string, retryAfterSeconds: number) {
    super(message);
    this.name = "MeterRefusal";
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
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
}

interface Held {
  provider: string;
  model: string;
  attempt: number;
  price: ModelPrice | undefined;
  inputTokens: number;
  reservations: { scope: string; id: string }[];
}

const books = new WeakMap<Config, PriceBook>();

export function priceBook(config: Config): PriceBook {
  let book = books.get(config);
  if (!book) {
    book = priceBookWith(config.metering.prices);
    books.set(config, book);
  }
  return book;
}

function scopes(deps: MeterDeps): string[] {
  const m = deps.config.metering;
  const global = m.globalDailyMicros !== null || m.globalMonthlyMicros !== null;
  return [`user:${deps.user}`, ...(global ? [GLOBAL_USAGE] : [])];
}

function usageOf(outcome: AttemptOutcome, inputTokens: number): { usage: Usage; source: CallRecord["usageSource"] } {
  if (outcome.usage) return { usage: outcome.usage, source: "provider" };
  const empty = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  if (outcome.text === "") return { usage: { ...empty, source: "estimated" }, source: "none" };
  const estimate = {
    ...empty,
    inputTokens,
    outputTokens: Math.ceil(outcome.text.length / 4),
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
      const price = priceFor(book, provider, model);
      const inputTokens = estimateTokens(request.messages, request.system ?? "");
      const maxOutput = request.maxTokens ?? deps.config.metering.maxOutputTokens;
      const worstMicros = price ? worstCaseMicros(price, inputTokens, maxOutput) : 0;
      const reservations: Held["reservations"] = [];
      for (const scope of scopes(deps)) {
        const admission = await deps.usage(scope).admit({ model, worstMicros, tokens: inputTokens + maxOutput });
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
          ...(price ? { customCost: { perTokenIn: price.input / 1e12, perTokenOut: price.output / 1e12 } } : {}),
        },
      };
      held.set(ticket, { provider, model, attempt, price, inputTokens, reservations });
      return ticket;
    },

    async after(ticket, outcome) {
      const h = held.get(ticket);
      if (!h) return;
      const { usage, source } = usageOf(outcome, h.inputTokens);
      const cost = h.price ? costMicros(h.price, usage) : null;
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
        savedMicros: outcome.cacheHit ? (cost ?? 0) : 0,
        priceVersion: book.version,
        latencyMs: outcome.endedAt - outcome.startedAt,
        ttftMs: outcome.firstTokenAt === null ? null : outcome.firstTokenAt - outcome.startedAt,
        tokensPerSecond: streamingMs > 0 && usage.outputTokens > 0 ? (usage.outputTokens * 1000) / streamingMs : null,
        cacheHit: outcome.cacheHit,
        gatewayLogId: outcome.gatewayLogId,
      };
      deps.record(row);
      for (const r of h.reservations) {
        const warnings = await deps.usage(r.scope).settle(r.id, row);
        if (r.scope !== GLOBAL_USAGE && warnings.length > 0) deps.onWarnings(warnings);
      }
    },
  };
}
