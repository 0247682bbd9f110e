// The Telegram channel's after-hook of a session: the chats that follow the session are woken as its log
// grows, and each reads the new events into its outbox (no chat looks at a session unprompted).

import { log } from "../../log/logger";
import { telegramChat, telegramIndex } from "../names";
import type { HookFactory } from "../session/hook-context";
import { ChatWatch } from "./chat-watch";

/** Wakes the owner's Telegram chats for this session; null when no bot is configured. */
export const telegramHook: HookFactory = (ctx) => {
  if (!ctx.config.telegram) return null;
  const { env, identity } = ctx;
  const watch = new ChatWatch({
    alarms: ctx.alarms,
    wake: (chatId) => telegramChat(env, chatId).wake(identity.id),
    linkedChats: async () => (await telegramIndex(env).links(identity.owner)).map((link) => link.telegramUserId),
    waitUntil: (promise) => ctx.waitUntil(promise),
    now: () => Date.now(),
    log: log.child({ session: identity.id, hook: "telegram" }),
  });
  return { name: "telegram", after: (event) => watch.after(event) };
};
