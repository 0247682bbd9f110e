// The Telegram Durable Object. Named "bot": the bot-wide index (pairing, links, seen updates). Named
// "chat:<telegram user id>": one private chat, with its inbox and its durable outbox, worked on the alarm.

import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { type BotApi, createBotApi } from "../../channels/telegram/bot-api";
import type { TelegramUpdate } from "../../channels/telegram/update";
import type { TelegramConfig, TelegramSlice } from "../../config/telegram";
import type { UploadConfig, UploadSlice } from "../../config/uploads";
import { log } from "../../log/logger";
import migrations from "../../migrations/telegram/migrations.js";
import type { PairingCodeBody, TelegramLink } from "../../protocol/channels";
import { AppError } from "../../protocol/errors";
import { sessionStub, telegramChat } from "../names";
import { storeUpload } from "../session/uploads/store-upload";
import { migrate } from "../shared/migrate";
import { handleChatUpdate } from "./chat-actions";
import { ChatStore } from "./chat-store";
import { IndexStore } from "./index-store";
import { pump } from "./pump";
import { type ReceiveOutcome, receiveUpdate } from "./receive";

/** An update that keeps failing is dropped after this many tries (its reply is lost, never the session log). */
const MAX_UPDATE_ATTEMPTS = 5;

/** What the worker and other objects may call. */
export interface TelegramRpc {
  /** Index: a single-use pairing code for `user`. */
  createPairingCode(user: string): Promise<PairingCodeBody>;
  /** Index: the Telegram accounts linked to `user`. */
  links(user: string): Promise<TelegramLink[]>;
  /** Index: unlinks one of `user`'s Telegram accounts; false when it is not theirs. */
  unlink(user: string, telegramUserId: number): Promise<boolean>;
  /** Index: acts on an update from the webhook; returns quickly (the work is queued in the chat object). */
  receive(update: TelegramUpdate): Promise<ReceiveOutcome>;
  /** Chat: queues a linked user's update and wakes the chat's alarm. */
  enqueue(update: TelegramUpdate, user: string, chatId: number): Promise<void>;
}

export class TelegramObject extends DurableObject<Env> implements TelegramRpc {
  readonly #db = drizzle(this.ctx.storage);
  readonly #index = new IndexStore(this.#db);
  readonly #chat = new ChatStore(this.#db);

  readonly #telegram: TelegramConfig | null;
  readonly #uploads: UploadConfig;

  /** `config` is the worker's Telegram and upload slices, handed in by the class wrangler binds (worker/objects.ts). */
  constructor(ctx: DurableObjectState, env: Env, config: TelegramSlice & UploadSlice) {
    super(ctx, env);
    this.#telegram = config.telegram;
    this.#uploads = config.uploads;
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, migrations);
    });
  }

  #bot(): BotApi {
    const telegram = this.#telegram;
    if (!telegram) throw new AppError("not_found", "the Telegram channel is not configured");
    return createBotApi(telegram.apiBase, telegram.botToken);
  }

  async createPairingCode(user: string): Promise<PairingCodeBody> {
    return this.#index.createCode(user, Date.now());
  }

  async links(user: string): Promise<TelegramLink[]> {
    return this.#index.linksOf(user);
  }

  async unlink(user: string, telegramUserId: number): Promise<boolean> {
    return this.#index.unlink(telegramUserId, user);
  }

  async receive(update: TelegramUpdate): Promise<ReceiveOutcome> {
    return receiveUpdate(
      {
        store: this.#index,
        bot: this.#bot(),
        now: Date.now(),
        defer: (work) => this.ctx.waitUntil(work),
        // A private chat's id is its user's id.
        enqueue: (queued, user) => telegramChat(this.env, queued.from.id).enqueue(queued, user, queued.from.id),
      },
      update,
    );
  }

  async enqueue(update: TelegramUpdate, user: string, chatId: number): Promise<void> {
    this.#chat.claim(user, chatId);
    if (this.#chat.enqueue(update)) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const info = this.#chat.info();
    if (!info) return;
    const uploads = {
      maxBytes: this.#uploads.maxBytes,
      // The web upload's service: the same size limit and type check, the bytes in R2, the record in the session.
      store: (sessionId: string, bytes: Uint8Array, name: string, mime: string) =>
        storeUpload(
          { bucket: this.env.FILES, session: sessionStub(this.env, sessionId), limits: this.#uploads },
          sessionId,
          bytes,
          name,
          mime,
        ),
    };
    const deps = { env: this.env, store: this.#chat, bot: this.#bot(), now: () => Date.now(), uploads };
    for (let item = this.#chat.nextUpdate(); item; item = this.#chat.nextUpdate()) {
      try {
        await handleChatUpdate(deps, info, item.update);
        this.#chat.doneUpdate(item.update.updateId);
      } catch (error) {
        console.error(JSON.stringify({ level: "error", msg: "telegram update failed", error: String(error) }));
        if (item.attempts + 1 >= MAX_UPDATE_ATTEMPTS) this.#chat.doneUpdate(item.update.updateId);
        else this.#chat.retryUpdate(item.update.updateId, item.attempts + 1);
        break;
      }
    }
    const next = await pump({
      outbox: this.#chat,
      readEvents: (sessionId, after, limit) => sessionStub(this.env, sessionId).eventsAfter(after, limit),
      bot: deps.bot,
      now: () => Date.now(),
      log,
    });
    const polled = this.#chat.deliveries().length > 0 ? Date.now() + 1_000 : null;
    const wake = this.#chat.hasInbox()
      ? Date.now() + 2_000
      : Math.min(next ?? Number.POSITIVE_INFINITY, polled ?? Number.POSITIVE_INFINITY);
    if (Number.isFinite(wake)) await this.ctx.storage.setAlarm(Math.max(wake, Date.now()));
  }
}
