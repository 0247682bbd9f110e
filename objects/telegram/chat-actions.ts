// What a chat object does with one queued update: bot commands, a message into the chosen session
// (which opens a delivery in the outbox), an approval button.

import { type BotApi, TELEGRAM_DOWNLOAD_LIMIT } from "../../channels/telegram/bot-api";
import { HELP_TEXT, parseCommand } from "../../channels/telegram/commands";
import { newDelivery, parseApprovalData } from "../../channels/telegram/delivery";
import { escapeHtml } from "../../channels/telegram/html";
import type { TelegramFile, TelegramUpdate } from "../../channels/telegram/update";
import { isAppError } from "../../protocol/errors";
import { createSession, sessionStub, userDirectory } from "../../worker/sessions";
import type { SessionEntry } from "../directory/directory-object";
import type { ChatStore } from "./chat-store";

/** The title of the session a Telegram user talks to until they pick another. */
export const TELEGRAM_SESSION_TITLE = "Telegram";
/** Sessions `/session` lists. */
const LISTED_SESSIONS = 10;

/** Stores a file's bytes as an upload of a session and returns its id (the uploads feature's entry point). */
export type StoreUpload = (sessionId: string, bytes: Uint8Array, name: string, mime: string) => Promise<{ id: string }>;

export interface ChatDeps {
  env: Env;
  store: ChatStore;
  bot: BotApi;
  now(): number;
  /** Where photos and documents go; null while the service takes no uploads. */
  storeUpload: StoreUpload | null;
}

interface Chat {
  user: string;
  chatId: number;
}

async function say(deps: ChatDeps, chat: Chat, html: string): Promise<void> {
  const sent = await deps.bot.sendMessage(chat.chatId, html);
  if (!sent.ok)
    console.warn(JSON.stringify({ level: "warn", msg: "telegram reply failed", description: sent.description }));
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

/** A photo or document as an upload of the session: its id, or none (after telling the user why). */
async function attach(deps: ChatDeps, chat: Chat, sessionId: string, file: TelegramFile): Promise<string[]> {
  if (!deps.storeUpload) {
    await say(deps, chat, "Files from Telegram are not taken here; only the text (or caption) is sent.");
    return [];
  }
  const download = await deps.bot.download(file.fileId, TELEGRAM_DOWNLOAD_LIMIT);
  if (!download.ok) {
    await say(deps, chat, `The file could not be fetched from Telegram (${escapeHtml(download.reason)}).`);
    return [];
  }
  try {
    return [(await deps.storeUpload(sessionId, download.bytes, file.name, file.mime)).id];
  } catch (error) {
    if (!isAppError(error)) throw error;
    await say(deps, chat, `The file was not taken: ${escapeHtml(error.message)}`);
    return [];
  }
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
  const sessionId = await currentSession(deps, chat);
  const attachments = update.file ? await attach(deps, chat, sessionId, update.file) : [];
  if (update.text.trim() === "" && attachments.length === 0) return;
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
