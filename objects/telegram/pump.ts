// Works the outbox: for each due delivery, reads the session's new events, then makes at most one Bot API
// call, at a bounded rate; 429's retry_after, Telegram being down and restarts only delay an answer, a chat
// that blocked the bot ends it, and an answer not delivered within six hours is given up.

import { type BotApi, type BotCallResult, notModified, sentMessageId } from "../../channels/telegram/bot-api";
import { absorb, type DeliveryStep, finished, nextStep, stepDone } from "../../channels/telegram/delivery";
import type { Logger } from "../../log/logger";
import type { SessionEvent } from "../../protocol/frames";
import type { DeliveryRow } from "./chat-store";

/** Least time between two Bot API calls for one answer (Telegram allows about one message a second per chat). */
export const CALL_INTERVAL_MS = 1_000;
/** Longest backoff when Telegram cannot be reached. */
export const MAX_BACKOFF_MS = 60_000;
/** An answer not delivered after this long is given up (it stays in the session log). */
export const MAX_DELIVERY_AGE_MS = 6 * 3_600_000;
/** Events read from the session per look. */
const EVENTS_PER_READ = 200;

/** The outbox rows the pump works on (the chat store). */
export interface Outbox {
  deliveries(): DeliveryRow[];
  saveDelivery(row: DeliveryRow): void;
  removeDelivery(id: number): void;
  /** Records approval buttons put in the chat, so a press can be checked. */
  addOffer(toolCallId: string, sessionId: string, messageId: number, label: string): void;
}

export interface PumpDeps {
  outbox: Outbox;
  /** Up to `limit` stored events of a session with seq > `after` (the session's `eventsAfter`). */
  readEvents(sessionId: string, after: number, limit: number): Promise<SessionEvent[]>;
  bot: BotApi;
  /** The clock (injected: tests advance it). */
  now(): number;
  log: Logger;
}

/** What became of one delivery: kept (with the time it next needs a look, or null to wait for news) or over. */
type Advanced = { row: DeliveryRow; wantsAt: number | null } | null;

function call(bot: BotApi, chatId: number, step: DeliveryStep): Promise<BotCallResult> {
  if (step.kind === "edit") return bot.editMessageText(chatId, step.messageId, step.html);
  return bot.sendMessage(chatId, step.html, step.kind === "offer" ? (step.keyboard ?? undefined) : undefined);
}

const backoff = (failures: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures);

/** One delivery's turn. */
async function advance(deps: PumpDeps, row: DeliveryRow): Promise<Advanced> {
  const now = deps.now();
  const log = deps.log.child({ session: row.state.sessionId, chat: row.state.chatId });
  const events = await deps.readEvents(row.state.sessionId, row.state.cursor, EVENTS_PER_READ);
  const more = events.length === EVENTS_PER_READ;
  let state = absorb(row.state, events);
  const step = nextStep(state);
  if (step === null) {
    if (finished(state)) return null;
    return { row: { ...row, state }, wantsAt: more ? now : null };
  }
  const result = await call(deps.bot, state.chatId, step);
  const later = (wait: number, failures: number) => {
    const at = deps.now() + wait;
    return { row: { ...row, state, notBefore: at, failures }, wantsAt: at };
  };
  if (result.ok || notModified(result)) {
    const messageId = result.ok ? sentMessageId(result.result) : null;
    state = stepDone(state, step, messageId);
    if (step.kind === "offer" && messageId !== null) {
      const offer = state.approvals.find((a) => a.toolCallId === step.toolCallId);
      deps.outbox.addOffer(step.toolCallId, state.sessionId, messageId, offer?.label ?? step.toolCallId);
    }
    if (finished(state)) return null;
    const at = deps.now() + CALL_INTERVAL_MS;
    const pending = more || nextStep(state) !== null;
    return { row: { ...row, state, notBefore: at, failures: 0 }, wantsAt: pending ? at : null };
  }
  if (result.status === 429) {
    const wait = (result.retryAfter ?? 1) * 1000;
    log.warn("telegram rate limited", { retryAfterMs: wait });
    return later(wait, row.failures + 1);
  }
  if (result.status === 0 || result.status >= 500) {
    const wait = backoff(row.failures);
    log.warn("telegram unavailable", { status: result.status, retryInMs: wait });
    return later(wait, row.failures + 1);
  }
  if (result.status === 403) {
    // The user blocked the bot (or the chat is gone): nothing sent to it can arrive, so this answer ends here.
    log.warn("telegram delivery ended: the chat refuses the bot", { description: result.description });
    return null;
  }
  // Any other refusal would repeat forever: an edit whose message is gone is sent anew, anything else skipped.
  log.warn("telegram refused a step", { status: result.status, description: result.description, step: step.kind });
  if (step.kind === "edit" && result.description.includes("message to edit not found")) {
    state = { ...state, parts: state.parts.slice(0, step.index) };
  } else state = stepDone(state, step, null);
  return later(CALL_INTERVAL_MS, row.failures);
}

/**
 * Advances every due delivery once and returns when the outbox next needs a look without news from a
 * session (null: only news can move it). A delivery waiting for its session's events needs no look
 * until the session wakes the chat, except the one that gives it up when it is six hours old.
 */
export async function pump(deps: PumpDeps): Promise<number | null> {
  const wanted: number[] = [];
  const want = (at: number) => wanted.push(at);
  for (const row of deps.outbox.deliveries()) {
    const age = deps.now() - row.createdAt;
    if (age >= MAX_DELIVERY_AGE_MS) {
      deps.log.warn("telegram delivery given up", {
        session: row.state.sessionId,
        chat: row.state.chatId,
        ageMs: age,
        failures: row.failures,
      });
      deps.outbox.removeDelivery(row.id);
      continue;
    }
    if (row.notBefore > deps.now()) {
      // Not due: it may have news since its last look (that is why it was woken), so it gets one then.
      want(row.notBefore);
      want(row.createdAt + MAX_DELIVERY_AGE_MS);
      continue;
    }
    let outcome: Advanced;
    try {
      outcome = await advance(deps, row);
    } catch (error) {
      // The session could not be read: try again later.
      deps.log.warn("telegram delivery failed", { session: row.state.sessionId, error: String(error) });
      const at = deps.now() + backoff(row.failures);
      outcome = { row: { ...row, notBefore: at, failures: row.failures + 1 }, wantsAt: at };
    }
    if (outcome === null) {
      deps.outbox.removeDelivery(row.id);
      continue;
    }
    deps.outbox.saveDelivery(outcome.row);
    if (outcome.wantsAt !== null) want(outcome.wantsAt);
    want(row.createdAt + MAX_DELIVERY_AGE_MS);
  }
  return wanted.length > 0 ? Math.min(...wanted) : null;
}
