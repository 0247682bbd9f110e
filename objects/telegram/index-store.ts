// The bot-wide index over the Telegram object's SQLite: pairing codes, links, seen updates, pairing attempts.

import { and, count, eq, gt, isNull, lt } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { newPairingCode, PAIRING_CODE_TTL_MS, PAIRING_WINDOW_MS } from "../../channels/telegram/pairing";
import type { TelegramLink } from "../../protocol/channels";
import { links, pairAttempts, pairingCodes, seenUpdates } from "./schema";

/** Seen update ids are kept this long (Telegram gives up on an update after 24 hours). */
const SEEN_RETENTION_MS = 48 * 3_600_000;

export class IndexStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  /** A fresh single-use code for `user`; expired codes are swept on the way. */
  createCode(user: string, now: number): { code: string; expiresAt: number } {
    this.#db.delete(pairingCodes).where(lt(pairingCodes.expiresAt, now)).run();
    const code = newPairingCode();
    const expiresAt = now + PAIRING_CODE_TTL_MS;
    this.#db.insert(pairingCodes).values({ code, user, expiresAt }).run();
    return { code, expiresAt };
  }

  /** Marks the code used and returns its user; null when unknown, used or expired. */
  consumeCode(code: string, now: number): string | null {
    const row = this.#db
      .update(pairingCodes)
      .set({ usedAt: now })
      .where(and(eq(pairingCodes.code, code), isNull(pairingCodes.usedAt), gt(pairingCodes.expiresAt, now)))
      .returning()
      .get();
    return row?.user ?? null;
  }

  /** Counts an attempt and says whether the user is still within the limit (including this one). */
  attempt(telegramUserId: number, now: number, limit: number): boolean {
    this.#db
      .delete(pairAttempts)
      .where(lt(pairAttempts.at, now - PAIRING_WINDOW_MS))
      .run();
    const recent =
      this.#db.select({ n: count() }).from(pairAttempts).where(eq(pairAttempts.telegramUserId, telegramUserId)).get()
        ?.n ?? 0;
    if (recent >= limit) return false;
    this.#db.insert(pairAttempts).values({ telegramUserId, at: now }).run();
    return true;
  }

  link(telegramUserId: number, user: string, username: string | null, now: number): void {
    this.#db
      .insert(links)
      .values({ telegramUserId, user, username, linkedAt: now })
      .onConflictDoUpdate({ target: links.telegramUserId, set: { user, username, linkedAt: now } })
      .run();
    this.#db.delete(pairAttempts).where(eq(pairAttempts.telegramUserId, telegramUserId)).run();
  }

  /** The edgeclaw user linked to a Telegram user, if any. */
  userOf(telegramUserId: number): string | null {
    return this.#db.select().from(links).where(eq(links.telegramUserId, telegramUserId)).get()?.user ?? null;
  }

  /** Removes a link; with `user`, only that user's. */
  unlink(telegramUserId: number, user?: string): boolean {
    const where =
      user === undefined
        ? eq(links.telegramUserId, telegramUserId)
        : and(eq(links.telegramUserId, telegramUserId), eq(links.user, user));
    return this.#db.delete(links).where(where).returning().all().length > 0;
  }

  linksOf(user: string): TelegramLink[] {
    return this.#db
      .select()
      .from(links)
      .where(eq(links.user, user))
      .all()
      .map((row) => ({ telegramUserId: row.telegramUserId, username: row.username, linkedAt: row.linkedAt }));
  }

  /** Records an update id; false when it was already seen. */
  markSeen(updateId: number, now: number): boolean {
    this.#db
      .delete(seenUpdates)
      .where(lt(seenUpdates.at, now - SEEN_RETENTION_MS))
      .run();
    const row = this.#db.insert(seenUpdates).values({ updateId, at: now }).onConflictDoNothing().returning().get();
    return row !== undefined;
  }

  /** Forgets an update id (its hand-off failed, so Telegram's retry must be acted on). */
  unsee(updateId: number): void {
    this.#db.delete(seenUpdates).where(eq(seenUpdates.updateId, updateId)).run();
  }
}
