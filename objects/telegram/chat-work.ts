// A chat object's work, one pass at a time: the inbox (updates in order), then the outbox. Its times are
// alarm bookings: "inbox" retries an update that failed, "outbox" is the next delivery retry, rate bound or
// give-up. Sessions wake the chat when they have news; nothing else looks at them.

import { log } from "../../log/logger";
import type { AlarmMultiplexer } from "../shared/alarms";
import { type ChatDeps, handleChatUpdate } from "./chat-actions";
import type { ChatInfo } from "./chat-store";
import { pump } from "./pump";

/** An update that keeps failing is dropped after this many tries (its reply is lost, never the session log). */
const MAX_UPDATE_ATTEMPTS = 5;
/** A failed update is tried again this much later. */
const UPDATE_RETRY_MS = 2_000;

export const CHAT_BOOKINGS = { inbox: "inbox", outbox: "outbox" } as const;

export interface ChatWorkDeps extends ChatDeps {
  alarms: Pick<AlarmMultiplexer, "book" | "cancel">;
  /** Stored events of a session after `after` (its `eventsAfter` RPC). */
  readEvents: Parameters<typeof pump>[0]["readEvents"];
}

/** Acts on every queued update in order; stops at one that fails, booking its retry. */
async function workInbox(deps: ChatWorkDeps, chat: ChatInfo): Promise<void> {
  for (let item = deps.store.nextUpdate(); item; item = deps.store.nextUpdate()) {
    try {
      await handleChatUpdate(deps, chat, item.update);
      deps.store.doneUpdate(item.update.updateId);
    } catch (error) {
      log.error("telegram update failed", { chat: chat.chatId, attempt: item.attempts + 1, error: String(error) });
      if (item.attempts + 1 >= MAX_UPDATE_ATTEMPTS) deps.store.doneUpdate(item.update.updateId);
      else {
        deps.store.retryUpdate(item.update.updateId, item.attempts + 1);
        deps.alarms.book(CHAT_BOOKINGS.inbox, deps.now() + UPDATE_RETRY_MS);
      }
      return;
    }
  }
}

/** One pass: the inbox, then the outbox; returns true when the outbox wants another pass at once. */
async function workOnce(deps: ChatWorkDeps, chat: ChatInfo): Promise<boolean> {
  await workInbox(deps, chat);
  const next = await pump({
    outbox: deps.store,
    readEvents: deps.readEvents,
    bot: deps.bot,
    now: deps.now,
    log: log.child({ chat: chat.chatId }),
  });
  if (next !== null && next <= deps.now()) return true;
  if (next === null) deps.alarms.cancel(CHAT_BOOKINGS.outbox);
  else deps.alarms.book(CHAT_BOOKINGS.outbox, next);
  return false;
}

/** Runs passes one at a time: a call while one runs asks for one more pass and resolves after it. */
export class ChatWork {
  #running: Promise<void> | null = null;
  #again = false;

  run(deps: () => ChatWorkDeps | null): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const passes = async () => {
      do {
        this.#again = false;
        const current = deps();
        const chat = current?.store.info();
        if (!current || !chat) return;
        if (await workOnce(current, chat)) this.#again = true;
      } while (this.#again);
    };
    this.#running = passes().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }
}
