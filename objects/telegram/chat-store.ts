// One Telegram chat's state over the Telegram object's SQLite: its user and session, the inbox, the outbox
// of deliveries and the approval buttons it offered.

import { asc, eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { DeliveryState } from "../../channels/telegram/delivery";
import type { TelegramUpdate } from "../../channels/telegram/update";
import { chatState, deliveries, inbox, offers } from "./schema";

export interface ChatInfo {
  user: string;
  chatId: number;
  sessionId: string | null;
}

export interface DeliveryRow {
  id: number;
  state: DeliveryState;
  notBefore: number;
  failures: number;
  createdAt: number;
}

export class ChatStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  info(): ChatInfo | null {
    const row = this.#db.select().from(chatState).where(eq(chatState.id, 1)).get();
    return row ? { user: row.user, chatId: row.chatId, sessionId: row.sessionId } : null;
  }

  /** Sets whose chat this is; a different user than before starts without a chosen session. */
  claim(user: string, chatId: number): void {
    const current = this.info();
    const same = current?.user === user;
    const sessionId = same ? current.sessionId : null;
    if (current && !same) {
      // A relinked account: nothing of the previous user's sessions may be answered from here.
      this.#db.delete(offers).run();
      this.#db.delete(deliveries).run();
    }
    this.#db
      .insert(chatState)
      .values({ id: 1, user, chatId, sessionId })
      .onConflictDoUpdate({ target: chatState.id, set: { user, chatId, sessionId } })
      .run();
  }

  chooseSession(sessionId: string | null): void {
    this.#db.update(chatState).set({ sessionId }).where(eq(chatState.id, 1)).run();
  }

  /** Queues an update; false when it is already queued. */
  enqueue(update: TelegramUpdate): boolean {
    const row = this.#db
      .insert(inbox)
      .values({ updateId: update.updateId, update: JSON.stringify(update) })
      .onConflictDoNothing()
      .returning()
      .get();
    return row !== undefined;
  }

  nextUpdate(): { update: TelegramUpdate; attempts: number } | null {
    const row = this.#db.select().from(inbox).orderBy(asc(inbox.updateId)).limit(1).get();
    // The JSON was written by enqueue from a parsed update.
    return row ? { update: JSON.parse(row.update) as TelegramUpdate, attempts: row.attempts } : null;
  }

  /** Counts a failed attempt at an update. */
  retryUpdate(updateId: number, attempts: number): void {
    this.#db.update(inbox).set({ attempts }).where(eq(inbox.updateId, updateId)).run();
  }

  doneUpdate(updateId: number): void {
    this.#db.delete(inbox).where(eq(inbox.updateId, updateId)).run();
  }

  hasInbox(): boolean {
    return this.#db.select().from(inbox).limit(1).get() !== undefined;
  }

  addDelivery(state: DeliveryState, now: number): void {
    this.#db
      .insert(deliveries)
      .values({ state: JSON.stringify(state), notBefore: now, createdAt: now })
      .run();
  }

  deliveries(): DeliveryRow[] {
    return this.#db
      .select()
      .from(deliveries)
      .orderBy(asc(deliveries.id))
      .all()
      .map((row) => ({
        id: row.id,
        // The JSON was written by addDelivery/saveDelivery from a DeliveryState.
        state: JSON.parse(row.state) as DeliveryState,
        notBefore: row.notBefore,
        failures: row.failures,
        createdAt: row.createdAt,
      }));
  }

  saveDelivery(row: DeliveryRow): void {
    this.#db
      .update(deliveries)
      .set({ state: JSON.stringify(row.state), notBefore: row.notBefore, failures: row.failures })
      .where(eq(deliveries.id, row.id))
      .run();
  }

  removeDelivery(id: number): void {
    this.#db.delete(deliveries).where(eq(deliveries.id, id)).run();
  }

  addOffer(toolCallId: string, sessionId: string, messageId: number, label: string): void {
    this.#db.insert(offers).values({ toolCallId, sessionId, messageId, label }).onConflictDoNothing().run();
  }

  /** Takes an offer (a button answers once). */
  takeOffer(toolCallId: string): { sessionId: string; messageId: number; label: string } | null {
    const row = this.#db.delete(offers).where(eq(offers.toolCallId, toolCallId)).returning().get();
    return row ? { sessionId: row.sessionId, messageId: row.messageId, label: row.label } : null;
  }
}
