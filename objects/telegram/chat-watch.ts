// Inside a session: which Telegram chats follow it, and waking them as its log grows. One wake in flight per
// chat (later events fold into one more); each followed chat is an alarm booking of the session, so the list
// survives eviction, a failed wake is retried on that booking, and a chat is asked again at least every six hours.

import type { Logger } from "../../log/logger";
import type { SessionEvent } from "../../protocol/frames";
import type { AlarmMultiplexer } from "../shared/alarms";

/** Booking names of followed chats: the prefix, then the chat id. */
export const CHAT_BOOKING_PREFIX = "telegram-chat:";
/** The booking that retries finding the owner's chats. */
export const LINKS_BOOKING = "telegram-links";
/** A failed wake or look-up is tried again this much later. */
export const WAKE_RETRY_MS = 5_000;
/** A followed chat is asked at least this often whether it still follows (its answers give up at six hours). */
export const FOLLOW_CHECK_MS = 6 * 3_600_000;
/** The follow booking is moved forward only when it is this close, not on every wake. */
const REFRESH_SLACK_MS = 3_600_000;

export interface ChatWatchDeps {
  alarms: Pick<AlarmMultiplexer, "handle" | "book" | "cancel" | "bookedAt" | "bookings">;
  /** Wakes one chat object with this session's news; resolves whether the chat still follows the session. */
  wake(chatId: number): Promise<boolean>;
  /** The Telegram chats of the session's owner (their linked accounts: a private chat's id is its user's). */
  linkedChats(): Promise<number[]>;
  /** Keeps the isolate alive for a wake nobody waits for. */
  waitUntil(promise: Promise<unknown>): void;
  now(): number;
  log: Logger;
}

export class ChatWatch {
  readonly #deps: ChatWatchDeps;
  readonly #followed = new Set<number>();
  /** Chats whose booking has its handler in this isolate. */
  readonly #handled = new Set<number>();
  readonly #inFlight = new Set<number>();
  /** Chats with news since their wake in flight was sent. */
  readonly #dirty = new Set<number>();

  constructor(deps: ChatWatchDeps) {
    this.#deps = deps;
    deps.alarms.handle(LINKS_BOOKING, () => this.#learn());
    for (const name of deps.alarms.bookings().keys()) {
      const chatId = Number(name.slice(CHAT_BOOKING_PREFIX.length));
      // Followed before this isolate: kept as booked (a pending retry stays a retry).
      if (name.startsWith(CHAT_BOOKING_PREFIX) && Number.isSafeInteger(chatId)) this.#track(chatId);
    }
  }

  /** The chats followed now. */
  get followed(): number[] {
    return [...this.#followed];
  }

  /** After each stored event: a Telegram message brings its chat in; every followed chat is woken. */
  after(event: SessionEvent): void {
    if (event.type === "user_message" && event.deviceId === "telegram") this.#deps.waitUntil(this.#learn());
    for (const chatId of this.#followed) this.#wake(chatId);
  }

  /** Finds the owner's chats and follows them (the message just stored came from one of them). */
  async #learn(): Promise<void> {
    let chats: number[];
    try {
      chats = await this.#deps.linkedChats();
    } catch (error) {
      this.#deps.log.warn("telegram chats not found", { error: String(error) });
      this.#deps.alarms.book(LINKS_BOOKING, this.#deps.now() + WAKE_RETRY_MS);
      return;
    }
    for (const chatId of chats) {
      this.#follow(chatId);
      this.#wake(chatId);
    }
  }

  #track(chatId: number): void {
    this.#followed.add(chatId);
    if (this.#handled.has(chatId)) return;
    this.#handled.add(chatId);
    this.#deps.alarms.handle(CHAT_BOOKING_PREFIX + chatId, () => this.#wake(chatId));
  }

  /** Follows a chat, with its booking at most six hours ahead (moved forward only when an hour of it is used). */
  #follow(chatId: number): void {
    this.#track(chatId);
    const name = CHAT_BOOKING_PREFIX + chatId;
    const at = this.#deps.alarms.bookedAt(name);
    if (at === null || at < this.#deps.now() + FOLLOW_CHECK_MS - REFRESH_SLACK_MS)
      this.#deps.alarms.book(name, this.#deps.now() + FOLLOW_CHECK_MS);
  }

  #unfollow(chatId: number): void {
    this.#followed.delete(chatId);
    this.#deps.alarms.cancel(CHAT_BOOKING_PREFIX + chatId);
  }

  /** Wakes a chat unless a wake is in flight (then one more follows it); resolves when this wake is answered. */
  #wake(chatId: number): Promise<void> {
    if (this.#inFlight.has(chatId)) {
      this.#dirty.add(chatId);
      return Promise.resolve();
    }
    this.#inFlight.add(chatId);
    const done = this.#deps
      .wake(chatId)
      .then(
        (following) => {
          if (following) this.#follow(chatId);
          else if (!this.#dirty.has(chatId)) this.#unfollow(chatId);
        },
        (error: unknown) => {
          this.#deps.log.warn("telegram chat not woken", { chat: chatId, error: String(error) });
          if (this.#followed.has(chatId))
            this.#deps.alarms.book(CHAT_BOOKING_PREFIX + chatId, this.#deps.now() + WAKE_RETRY_MS);
        },
      )
      .finally(() => {
        this.#inFlight.delete(chatId);
        if (this.#dirty.delete(chatId) && this.#followed.has(chatId)) this.#wake(chatId);
      });
    this.#deps.waitUntil(done);
    return done;
  }
}
