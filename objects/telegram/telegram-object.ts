// The Telegram Durable Object. Named "bot": the bot-wide index (pairing, links, seen updates). Named
// "chat:<telegram user id>": one private chat, with its inbox and its durable outbox, worked when an update
// comes, when a session it follows has news, and on its alarm bookings.

import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { type BotApi, createBotApi } from "../../channels/telegram/bot-api";
import type { TelegramUpdate } from "../../channels/telegram/update";
import type { TelegramConfig, TelegramSlice } from "../../config/telegram";
import type { UploadConfig, UploadSlice } from "../../config/uploads";
import migrations from "../../migrations/telegram/migrations.js";
import type { PairingCodeBody, TelegramLink } from "../../protocol/channels";
import { AppError } from "../../protocol/errors";
import { sessionStub, telegramChat } from "../names";
import { storeUpload } from "../session/uploads/store-upload";
import { AlarmMultiplexer } from "../shared/alarms";
import { migrate } from "../shared/migrate";
import { ChatStore } from "./chat-store";
import { CHAT_BOOKINGS, ChatWork, type ChatWorkDeps } from "./chat-work";
import { IndexStore } from "./index-store";
import { type ReceiveOutcome, receiveUpdate } from "./receive";

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
  /** Chat: queues a linked user's update and books its work at once. */
  enqueue(update: TelegramUpdate, user: string, chatId: number): Promise<void>;
  /**
   * Chat: a session this chat may follow has stored events (its Telegram after-hook calls this). Works the
   * outbox, then says whether the chat still follows the session (a delivery of it, or updates still queued).
   */
  wake(sessionId: string): Promise<boolean>;
}

export class TelegramObject extends DurableObject<Env> implements TelegramRpc {
  readonly #db = drizzle(this.ctx.storage);
  readonly #index = new IndexStore(this.#db);
  readonly #chat = new ChatStore(this.#db);
  readonly #alarms = new AlarmMultiplexer(this.ctx.storage);
  readonly #work = new ChatWork();

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
    const work = () => this.#work.run(() => this.#chatDeps());
    this.#alarms.handle(CHAT_BOOKINGS.inbox, work).handle(CHAT_BOOKINGS.outbox, work);
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
    if (this.#chat.enqueue(update)) this.#alarms.book(CHAT_BOOKINGS.inbox, Date.now());
  }

  async wake(sessionId: string): Promise<boolean> {
    if (!this.#chat.info()) return false;
    await this.#work.run(() => this.#chatDeps());
    return this.#chat.hasInbox() || this.#chat.deliveries().some((row) => row.state.sessionId === sessionId);
  }

  override async alarm(): Promise<void> {
    await this.#alarms.run();
  }

  #chatDeps(): ChatWorkDeps | null {
    if (!this.#telegram) return null;
    const uploads = this.#uploads;
    return {
      env: this.env,
      store: this.#chat,
      bot: this.#bot(),
      now: () => Date.now(),
      alarms: this.#alarms,
      readEvents: (sessionId, after, limit) => sessionStub(this.env, sessionId).eventsAfter(after, limit),
      uploads: {
        maxBytes: uploads.maxBytes,
        // The web upload's service: the same size limit and type check, the bytes in R2, the record in the session.
        store: (sessionId, bytes, name, mime) =>
          storeUpload(
            { bucket: this.env.FILES, session: sessionStub(this.env, sessionId), limits: uploads },
            sessionId,
            bytes,
            name,
            mime,
          ),
      },
    };
  }
}
