// The Telegram Bot API client: the few methods edgeclaw uses, each call's outcome as data (never thrown).

import { isRecord } from "../../protocol/json";

/** The public Bot API; TELEGRAM_API_BASE points tests at a local fake. */
export { DEFAULT_TELEGRAM_API_BASE } from "../../config/telegram";

/** How one Bot API call went. */
export type BotCallResult =
  | { ok: true; result: unknown }
  /** Telegram refused it: `retryAfter` (seconds) on 429; `status` 0 when Telegram could not be reached. */
  | { ok: false; status: number; description: string; retryAfter?: number };

/** An inline keyboard button that sends `data` back as a callback query. */
export interface CallbackButton {
  text: string;
  /** 1–64 bytes, Telegram's limit. */
  callback_data: string;
}

export interface BotApi {
  call(method: string, params: Record<string, unknown>): Promise<BotCallResult>;
  sendMessage(chatId: number, html: string, keyboard?: CallbackButton[][]): Promise<BotCallResult>;
  editMessageText(
    chatId: number,
    messageId: number,
    html: string,
    keyboard?: CallbackButton[][],
  ): Promise<BotCallResult>;
  answerCallbackQuery(id: string, text: string): Promise<BotCallResult>;
  /** The download of a file path getFile gave (`<base>/file/bot<token>/<file_path>`); a network failure throws. */
  fetchFile(path: string): Promise<Response>;
}

/** A Bot API client for one bot. `fetcher` is the global fetch unless a test supplies one. */
export function createBotApi(base: string, token: string, fetcher: typeof fetch = fetch): BotApi {
  const call = async (method: string, params: Record<string, unknown>): Promise<BotCallResult> => {
    let response: Response;
    try {
      response = await fetcher(`${base}/bot${token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params),
      });
    } catch (error) {
      return { ok: false, status: 0, description: `Telegram unreachable: ${String(error)}` };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, status: response.status, description: `Telegram answered ${response.status} without JSON` };
    }
    if (isRecord(body) && body.ok === true) return { ok: true, result: body.result };
    const description = isRecord(body) && typeof body.description === "string" ? body.description : "";
    const parameters = isRecord(body) && isRecord(body.parameters) ? body.parameters : {};
    const retryAfter = typeof parameters.retry_after === "number" ? parameters.retry_after : undefined;
    return {
      ok: false,
      status: response.status,
      description: description || `HTTP ${response.status}`,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    };
  };
  const markup = (keyboard?: CallbackButton[][]) => (keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {});
  return {
    call,
    sendMessage: (chatId, html, keyboard) =>
      call("sendMessage", { chat_id: chatId, text: html, parse_mode: "HTML", ...markup(keyboard) }),
    editMessageText: (chatId, messageId, html, keyboard) =>
      call("editMessageText", {
        chat_id: chatId,
        message_id: messageId,
        text: html,
        parse_mode: "HTML",
        ...markup(keyboard),
      }),
    answerCallbackQuery: (id, text) => call("answerCallbackQuery", { callback_query_id: id, text }),
    fetchFile: (path) => fetcher(`${base}/file/bot${token}/${path}`),
  };
}

/** Whether a failed call is worth repeating (Telegram unreachable, rate limiting, a server error). */
export function transient(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/** The message id of a sendMessage result. */
export function sentMessageId(result: unknown): number | null {
  return isRecord(result) && typeof result.message_id === "number" ? result.message_id : null;
}

/** Telegram's answer when an edit would change nothing: the message already shows this text. */
export function notModified(result: BotCallResult): boolean {
  return !result.ok && result.status === 400 && result.description.includes("message is not modified");
}
