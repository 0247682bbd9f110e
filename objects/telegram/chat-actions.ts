// What a chat object does with one queued update: bot commands, a message into the chosen session
// (which opens a delivery in the outbox), an approval button.

import type { BotApi } from "../../channels/telegram/bot-api";
import { HELP_TEXT, parseCommand } from "../../channels/telegram/commands";
import { newDelivery, parseApprovalData } from "../../channels/telegram/delivery";
import { escapeHtml } from "../../channels/telegram/html";
import type { TelegramUpdate } from "../../channels/telegram/update";
import { log } from "../../log/logger";
import { createSession } from "../../worker/sessions";
import type { SessionEntry } from "../directory/session-list-store";
import { sessionStub, userDirectory } from "../names";
import { type ChatUploads, chatFileLimit, fetchChatFile } from "./chat-files";
import type { ChatStore } from "./chat-store";

/** The title of the session a Telegram user talks to until they pick another. */
export const TELEGRAM_SESSION_TITLE = "Telegram";
/** Sessions `/session` lists. */
const LISTED_SESSIONS = 10;

export interface ChatDeps {
  env: Env;
  store: ChatStore;
  bot: BotApi;
  now(): number;
  /** Where photos and documents go, as uploads of the session. */
  uploads: ChatUploads;
}

interface Chat {
  user: string;
  chatId: number;
}

async function say(deps: ChatDeps, chat: Chat, html: string): Promise<void> {
  const sent = await deps.bot.sendMessage(chat.chatId, html);
  if (!sent.ok) log.warn("telegram reply failed", { description: sent.description });
}

function identity(user: string) {
  return { user, email: user.includes("@") ? user : null, groups: [], admin: false, exp: 0 };
}

async function listSessions(env: Env, user: string): Promise<SessionEntry[]> {
  return (await userDirectory(env, user).list(LISTED_SESSIONS, null)).sessions;
}

/** The chosen session if it is still the user's, else their newest "Telegram" session, else a new one. */
async function currentSession(deps: ChatDeps, chat: Chat): Promise<string> {
  const chosen = deps.store.info()?.sessionId ?? null;
  if (chosen && (await userDirectory(deps.env, chat.user).get(chosen))) return chosen;
  const existing = (await listSessions(deps.env, chat.user)).find((s) => s.title === TELEGRAM_SESSION_TITLE);
  const id = existing?.id ?? (await createSession(deps.env, identity(chat.user), TELEGRAM_SESSION_TITLE)).id;
  deps.store.chooseSession(id);
  return id;
}

async function sessionCommand(deps: ChatDeps, chat: Chat, pick: number | null): Promise<void> {
  const sessions = await listSessions(deps.env, chat.user);
  if (pick !== null) {
    const entry = sessions[pick - 1];
    if (!entry) return say(deps, chat, `There is no session ${pick}; /session lists them.`);
    deps.store.chooseSession(entry.id);
    return say(deps, chat, `Now in <b>${escapeHtml(entry.title)}</b>.`);
  }
  const chosen = deps.store.info()?.sessionId;
  const lines = sessions.map((s, i) => `${i + 1}. ${escapeHtml(s.title)}${s.id === chosen ? " ◀" : ""}`);
  return say(deps, chat, lines.length ? `${lines.join("\n")}\n\n/session N continues one.` : "No sessions yet.");
}

async function message(deps: ChatDeps, chat: Chat, update: Extract<TelegramUpdate, { kind: "message" }>) {
  const command = parseCommand(update.text);
  switch (command?.name) {
    case "session":
      return sessionCommand(deps, chat, command.pick);
    case "new": {
      const entry = await createSession(deps.env, identity(chat.user), command.title ?? TELEGRAM_SESSION_TITLE);
      deps.store.chooseSession(entry.id);
      return say(deps, chat, `Started <b>${escapeHtml(entry.title)}</b>.`);
    }
    case "cancel": {
      const cancelled = await sessionStub(deps.env, await currentSession(deps, chat)).cancelTurn();
      return say(deps, chat, cancelled ? "Cancelled." : "Nothing is running.");
    }
    case "start":
    case "help":
      return say(deps, chat, escapeHtml(HELP_TEXT));
    case "unknown":
      return say(deps, chat, `Unknown command ${escapeHtml(command.text)}.\n${escapeHtml(HELP_TEXT)}`);
  }
  // A file is fetched and checked before anything is stored: a refused one is one reply, and nothing more.
  const file = update.file ? await fetchChatFile(deps.bot, update.file, chatFileLimit(deps.uploads)) : null;
  if (file && !file.ok) return say(deps, chat, escapeHtml(file.reply));
  if (update.text.trim() === "" && !file) return;
  const sessionId = await currentSession(deps, chat);
  const attachments = file
    ? [(await deps.uploads.store(sessionId, file.bytes, file.name, update.file?.mime ?? "")).id]
    : [];
  const posted = await sessionStub(deps.env, sessionId).postMessage({
    id: `telegram-${update.updateId}`,
    text: update.text,
    user: chat.user,
    deviceId: "telegram",
    ...(attachments.length > 0 ? { attachments } : {}),
  });
  const topic = command?.name === "session_command" ? command.topic : undefined;
  if (!posted.duplicate) deps.store.addDelivery(newDelivery(sessionId, chat.chatId, posted.seq, topic), deps.now());
}

async function callback(deps: ChatDeps, update: Extract<TelegramUpdate, { kind: "callback" }>): Promise<void> {
  const decision = parseApprovalData(update.data);
  const offer = decision ? deps.store.takeOffer(decision.toolCallId) : null;
  if (!decision || !offer) {
    await deps.bot.answerCallbackQuery(update.callbackId, "This request is no longer pending.");
    return;
  }
  const decided = await sessionStub(deps.env, offer.sessionId).decide(decision.toolCallId, decision.approve);
  const outcome = !decided ? "no longer pending" : decision.approve ? "approved" : "denied";
  await deps.bot.answerCallbackQuery(update.callbackId, `Request ${outcome}.`);
  const chatId = update.chatId ?? deps.store.info()?.chatId;
  if (chatId !== undefined)
    await deps.bot.editMessageText(
      chatId,
      offer.messageId,
      `<code>${escapeHtml(offer.label)}</code>\n<i>${outcome}</i>`,
    );
}

export async function handleChatUpdate(deps: ChatDeps, chat: Chat, update: TelegramUpdate): Promise<void> {
  if (update.kind === "message") await message(deps, chat, update);
  else if (update.kind === "callback") await callback(deps, update);
}
