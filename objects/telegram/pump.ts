// Works the outbox: for each delivery, reads the session's new events, then makes at most one Bot API
// call, at a bounded rate; 429's retry_after, Telegram being down and restarts only delay an answer.

import { type BotApi, type BotCallResult, notModified, sentMessageId } from "../../channels/telegram/bot-api";
import { absorb, type DeliveryStep, finished, nextStep, stepDone } from "../../channels/telegram/delivery";
import { sessionStub } from "../../worker/sessions";
import type { ChatStore, DeliveryRow } from "./chat-store";

/** Least time between two Bot API calls for one answer (Telegram allows about one message a second per chat). */
export const CALL_INTERVAL_MS = 1_000;
/** How often a delivery with nothing new looks at the session log again. */
export const POLL_MS = 1_000;
/** Longest backoff when Telegram cannot be reached. */
const MAX_BACKOFF_MS = 60_000;
/** An answer not finished after this long is given up (it stays in the session log). */
const MAX_DELIVERY_AGE_MS = 6 * 3_600_000;
/** Events read from the session per look. */
const EVENTS_PER_READ = 200;

export interface PumpDeps {
  env: Env;
  store: ChatStore;
  bot: BotApi;
  now(): number;
}

function call(bot: BotApi, chatId: number, step: DeliveryStep): Promise<BotCallResult> {
  if (step.kind === "edit") return bot.editMessageText(chatId, step.messageId, step.html);
  return bot.sendMessage(chatId, step.html, step.kind === "offer" ? (step.keyboard ?? undefined) : undefined);
}

function log(msg: string, detail: Record<string, unknown>): void {
  console.warn(JSON.stringify({ level: "warn", msg, ...detail }));
}

/** One delivery's turn: returns the row to keep (or null when it is over). */
async function advance(deps: PumpDeps, row: DeliveryRow): Promise<DeliveryRow | null> {
  const now = deps.now();
  if (now - row.createdAt > MAX_DELIVERY_AGE_MS) return null;
  const events = await sessionStub(deps.env, row.state.sessionId).eventsAfter(row.state.cursor, EVENTS_PER_READ);
  let state = absorb(row.state, events);
  const step = nextStep(state);
  if (step === null) {
    if (finished(state)) return null;
    return { ...row, state, notBefore: now + (events.length === EVENTS_PER_READ ? 0 : POLL_MS) };
  }
  const result = await call(deps.bot, state.chatId, step);
  if (result.ok || notModified(result)) {
    const messageId = result.ok ? sentMessageId(result.result) : null;
    state = stepDone(state, step, messageId);
    if (step.kind === "offer" && messageId !== null) {
      const offer = state.approvals.find((a) => a.toolCallId === step.toolCallId);
      deps.store.addOffer(step.toolCallId, state.sessionId, messageId, offer?.label ?? step.toolCallId);
    }
    return { ...row, state, notBefore: deps.now() + CALL_INTERVAL_MS, failures: 0 };
  }
  if (result.status === 429) {
    const wait = (result.retryAfter ?? 1) * 1000;
    log("telegram rate limited", { retryAfterMs: wait });
    return { ...row, state, notBefore: deps.now() + wait, failures: row.failures + 1 };
  }
  if (result.status === 0 || result.status >= 500) {
    const wait = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** row.failures);
    log("telegram unavailable", { status: result.status, retryInMs: wait });
    return { ...row, state, notBefore: deps.now() + wait, failures: row.failures + 1 };
  }
  if (result.status === 403) {
    log("telegram chat closed to the bot", { description: result.description });
    return null;
  }
  // Any other refusal would repeat forever: an edit whose message is gone is sent anew, anything else skipped.
  log("telegram refused a step", { status: result.status, description: result.description, step: step.kind });
  if (step.kind === "edit" && result.description.includes("message to edit not found")) {
    state = { ...state, parts: state.parts.slice(0, step.index) };
  } else state = stepDone(state, step, null);
  return { ...row, state, notBefore: deps.now() + CALL_INTERVAL_MS };
}

/** Advances every due delivery once; returns when the outbox next needs a look (null: it is empty). */
export async function pump(deps: PumpDeps): Promise<number | null> {
  let next: number | null = null;
  for (const row of deps.store.deliveries()) {
    let kept: DeliveryRow | null = row;
    if (row.notBefore <= deps.now()) {
      try {
        kept = await advance(deps, row);
      } catch (error) {
        // The session could not be read: try again later.
        log("telegram delivery failed", { error: String(error) });
        kept = {
          ...row,
          notBefore: deps.now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** row.failures),
          failures: row.failures + 1,
        };
      }
      if (kept === null) deps.store.removeDelivery(row.id);
      else deps.store.saveDelivery(kept);
    }
    if (kept !== null) next = Math.min(next ?? kept.notBefore, kept.notBefore);
  }
  return next;
}
