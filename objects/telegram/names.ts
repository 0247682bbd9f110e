// Names of the Telegram objects: one bot-wide index, one object per Telegram chat (private chat = user).

import type { TelegramObject } from "./telegram-object";

export const TELEGRAM_INDEX = "bot";

export function telegramIndex(env: Env): DurableObjectStub<TelegramObject> {
  return env.TELEGRAM.getByName(TELEGRAM_INDEX);
}

export function telegramChat(env: Env, telegramUserId: number): DurableObjectStub<TelegramObject> {
  return env.TELEGRAM.getByName(`chat:${telegramUserId}`);
}
