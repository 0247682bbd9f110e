// The bot-wide index's handling of one update: private chats only, pairing, refusals, bot-wide
// de-duplication, then hand-off to the sender's chat object.

import type { BotApi } from "../../channels/telegram/bot-api";
import { GROUPS_TEXT, parseCommand, UNPAIRED_TEXT } from "../../channels/telegram/commands";
import { escapeHtml } from "../../channels/telegram/html";
import { isPairingCode, PAIRING_ATTEMPTS_PER_WINDOW } from "../../channels/telegram/pairing";
import type { TelegramUpdate } from "../../channels/telegram/update";
import { log } from "../../log/logger";
import type { IndexStore } from "./index-store";

/** What became of an update (the webhook logs it; tests read it). */
export type ReceiveOutcome = "ignored" | "refused" | "paired" | "unpaired" | "duplicate" | "queued" | "rate_limited";

export interface ReceiveDeps {
  store: IndexStore;
  bot: BotApi;
  now: number;
  /** Keeps a reply to Telegram going after the webhook has been answered. */
  defer(work: Promise<unknown>): void;
  /** Hands a linked user's update to their chat object (durably queued there). */
  enqueue(update: Exclude<TelegramUpdate, { kind: "other" }>, user: string): Promise<void>;
}

/** Sends a short reply without holding up the webhook's answer. */
function reply(deps: ReceiveDeps, chatId: number, html: string): void {
  deps.defer(
    deps.bot.sendMessage(chatId, html).then((sent) => {
      if (!sent.ok) log.warn("telegram reply failed", { description: sent.description });
    }),
  );
}

function pair(deps: ReceiveDeps, update: Extract<TelegramUpdate, { kind: "message" }>, code: string): ReceiveOutcome {
  const { store, now } = deps;
  if (!store.attempt(update.from.id, now, PAIRING_ATTEMPTS_PER_WINDOW)) {
    reply(deps, update.chatId, "Too many pairing attempts. Wait ten minutes, then try a new code.");
    return "rate_limited";
  }
  const user = isPairingCode(code) ? store.consumeCode(code, now) : null;
  if (user === null) {
    reply(deps, update.chatId, "That code is not valid (codes work once, for ten minutes). Ask for a new one.");
    return "refused";
  }
  store.link(update.from.id, user, update.from.username, now);
  reply(deps, update.chatId, `Linked to <b>${escapeHtml(user)}</b>. Send a message to start; /help lists commands.`);
  return "paired";
}

export async function receiveUpdate(deps: ReceiveDeps, update: TelegramUpdate): Promise<ReceiveOutcome> {
  if (update.kind === "other") return "ignored";
  const { store } = deps;
  if (update.kind === "message" && update.chatType !== "private") {
    reply(deps, update.chatId, GROUPS_TEXT);
    return "refused";
  }
  const command = update.kind === "message" ? parseCommand(update.text) : null;
  const user = store.userOf(update.from.id);
  if (update.kind === "message" && command?.name === "pair") {
    if (user !== null) {
      reply(deps, update.chatId, "This Telegram account is already linked; send /unpair first.");
      return "refused";
    }
    return pair(deps, update, command.code);
  }
  if (user === null) {
    if (update.kind === "message") reply(deps, update.chatId, UNPAIRED_TEXT);
    else deps.defer(deps.bot.answerCallbackQuery(update.callbackId, "This Telegram account is not linked."));
    return "refused";
  }
  if (update.kind === "message" && command?.name === "unpair") {
    store.unlink(update.from.id);
    reply(deps, update.chatId, "Unlinked. This bot no longer acts for you here.");
    return "unpaired";
  }
  // Marked before the hand-off (no await in between), so a retry arriving meanwhile is a duplicate;
  // if the hand-off fails the mark is taken back and Telegram's retry is acted on.
  if (!store.markSeen(update.updateId, deps.now)) return "duplicate";
  try {
    await deps.enqueue(update, user);
  } catch (error) {
    store.unsee(update.updateId);
    throw error;
  }
  return "queued";
}
