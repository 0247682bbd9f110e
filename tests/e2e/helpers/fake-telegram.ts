// A Telegram Bot API server on loopback for tests, as strict as Telegram where edgeclaw depends on it:
// the token, the method names and their parameters, HTML parse mode validity, the 4,096-character limit,
// "message is not modified", unknown chats and messages, callback query ids, getFile's 20 MB limit and
// unknown file ids, a chat that blocked the bot (403), and 429 with retry_after when a test asks for it.
// It also makes the updates Telegram would send to a webhook.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { checkTelegramHtml } from "../../helpers/telegram-html.ts";
import { Waiter } from "./waiter.ts";

export const FAKE_BOT_TOKEN = "123456789:AAFakeTokenForTests_abcdefghijkl";

/** One Bot API call as the fake received it. */
export interface BotCall {
  method: string;
  params: Record<string, unknown>;
  /** Date.now() when it arrived. */
  at: number;
  /** The HTTP status the fake answered. */
  status: number;
}

/** A message the bot put in a chat, as it shows now. */
export interface ChatMessage {
  messageId: number;
  chatId: number;
  /** The visible text (entities parsed). */
  text: string;
  /** The HTML last sent for it. */
  html: string;
  keyboard: { text: string; callback_data: string }[][] | null;
  edits: number;
}

export interface FakeTelegram {
  url: string;
  calls: BotCall[];
  /** Messages the bot sent, per chat, in order. */
  messages(chatId: number): ChatMessage[];
  /** The next `times` calls of `method` get 429 with this retry_after. */
  rateLimit(method: string, retryAfter: number, times?: number): void;
  /** The next `times` calls of `method` get this status (Telegram down: 502). */
  fail(method: string, status: number, times: number): void;
  /** The user of a private chat blocks the bot (true) or unblocks it: sending to it is then 403. */
  block(chatId: number, blocked?: boolean): void;
  /** A private-chat text message from a Telegram user, as an update (new update_id each time). */
  message(from: number, text: string, chat?: { id: number; type: string }): Record<string, unknown>;
  /**
   * A document a user sends, or a photo (`photo: true`: Telegram's sizes, smallest first, the given
   * `thumbnail` before the full `bytes`), with an optional caption, as an update.
   */
  file(
    from: number,
    bytes: Uint8Array,
    options: { name: string; mime: string; caption?: string; photo?: boolean; thumbnail?: Uint8Array },
  ): Record<string, unknown>;
  /** A press of an inline button under a bot message, as an update. */
  press(from: number, message: ChatMessage, data: string): Record<string, unknown>;
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const TEXT_LIMIT = 4096;
/** getFile refuses files over 20 MB to bots. */
const DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const CALLBACK_DATA_BYTES = 64;

class BotError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function chatIdOf(params: Record<string, unknown>): number {
  const id = params.chat_id;
  if (id === undefined) throw new BotError(400, "Bad Request: chat_id is empty");
  const n = typeof id === "string" ? Number(id) : id;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) throw new BotError(400, "Bad Request: chat not found");
  return n;
}

/** Checks text + parse_mode like sendMessage/editMessageText do; returns the visible text. */
function visibleText(params: Record<string, unknown>): string {
  const { text, parse_mode: mode } = params;
  if (typeof text !== "string" || text.length === 0) throw new BotError(400, "Bad Request: message text is empty");
  let visible = text;
  if (mode !== undefined) {
    if (mode !== "HTML" && mode !== "MarkdownV2" && mode !== "Markdown")
      throw new BotError(400, `Bad Request: unsupported parse_mode "${String(mode)}"`);
    if (mode !== "HTML") throw new BotError(400, "Bad Request: this fake checks HTML parse mode only");
    const checked = checkTelegramHtml(text);
    if (!checked.ok) throw new BotError(400, checked.error);
    visible = checked.text;
  }
  // Telegram drops leading and trailing white space of a message.
  visible = visible.trim();
  if (visible.length === 0) throw new BotError(400, "Bad Request: message text is empty");
  if (visible.length > TEXT_LIMIT) throw new BotError(400, "Bad Request: message is too long");
  return visible;
}

function keyboardOf(params: Record<string, unknown>): ChatMessage["keyboard"] {
  const markup = params.reply_markup;
  if (markup === undefined) return null;
  const rows = isRecord(markup) ? markup.inline_keyboard : undefined;
  if (!Array.isArray(rows)) throw new BotError(400, "Bad Request: can't parse reply keyboard markup JSON object");
  return rows.map((row) => {
    if (!Array.isArray(row))
      throw new BotError(
        400,
        'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
      );
    return row.map((button) => {
      if (!isRecord(button) || typeof button.text !== "string" || button.text === "")
        throw new BotError(400, "Bad Request: text buttons are unallowed in the inline keyboard");
      const data = button.callback_data;
      if (typeof data !== "string" || data.length === 0 || Buffer.byteLength(data) > CALLBACK_DATA_BYTES)
        throw new BotError(400, "Bad Request: BUTTON_DATA_INVALID");
      return { text: button.text, callback_data: data };
    });
  });
}

export async function startFakeTelegram(token = FAKE_BOT_TOKEN): Promise<FakeTelegram> {
  const calls: BotCall[] = [];
  const chats = new Map<number, ChatMessage[]>();
  const limits = new Map<string, { retryAfter: number; times: number }>();
  const failures = new Map<string, { status: number; times: number }>();
  const queries = new Set<string>();
  const files = new Map<string, { path: string; bytes: Uint8Array }>();
  const blocked = new Set<number>();
  /** A chat whose user blocked the bot refuses every message to it, as Telegram does. */
  const open = (chatId: number): number => {
    if (blocked.has(chatId)) throw new BotError(403, "Forbidden: bot was blocked by the user");
    return chatId;
  };
  const waiter = new Waiter();
  let nextMessageId = 100;
  let nextUpdateId = 500_000;
  let nextQuery = 1;

  const methods: Record<string, (params: Record<string, unknown>) => unknown> = {
    getFile: (params) => {
      const id = params.file_id;
      const file = typeof id === "string" ? files.get(id) : undefined;
      if (!file) throw new BotError(400, "Bad Request: invalid file_id");
      if (file.bytes.byteLength > DOWNLOAD_LIMIT) throw new BotError(400, "Bad Request: file is too big");
      return { file_id: id, file_unique_id: `u${id}`, file_size: file.bytes.byteLength, file_path: file.path };
    },
    getMe: () => ({ id: 123456789, is_bot: true, first_name: "edgeclaw", username: "edgeclaw_test_bot" }),
    setWebhook: (params) => {
      if (typeof params.url !== "string" || !params.url.startsWith("https://"))
        throw new BotError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
      const secret = params.secret_token;
      if (secret !== undefined && (typeof secret !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(secret)))
        throw new BotError(400, "Bad Request: secret token contains unallowed characters");
      return true;
    },
    sendMessage: (params) => {
      const chatId = open(chatIdOf(params));
      const text = visibleText(params);
      const message: ChatMessage = {
        messageId: nextMessageId++,
        chatId,
        text,
        html: String(params.text),
        keyboard: keyboardOf(params),
        edits: 0,
      };
      chats.set(chatId, [...(chats.get(chatId) ?? []), message]);
      return {
        message_id: message.messageId,
        chat: { id: chatId, type: "private" },
        date: Math.floor(Date.now() / 1000),
        text,
      };
    },
    editMessageText: (params) => {
      const chatId = open(chatIdOf(params));
      const message = (chats.get(chatId) ?? []).find((m) => m.messageId === params.message_id);
      if (!message) throw new BotError(400, "Bad Request: message to edit not found");
      const text = visibleText(params);
      const keyboard = keyboardOf(params);
      if (params.text === message.html && JSON.stringify(keyboard) === JSON.stringify(message.keyboard))
        throw new BotError(
          400,
          "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
      Object.assign(message, { text, html: String(params.text), keyboard, edits: message.edits + 1 });
      return { message_id: message.messageId, chat: { id: chatId, type: "private" }, text };
    },
    answerCallbackQuery: (params) => {
      const id = params.callback_query_id;
      if (typeof id !== "string" || !queries.delete(id))
        throw new BotError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
      if (typeof params.text === "string" && params.text.length > 200)
        throw new BotError(400, "Bad Request: MESSAGE_TOO_LONG");
      return true;
    },
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.from(chunk));
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url ?? "");
    if (req.method === "GET" && download) {
      const file = [...files.values()].find((f) => f.path === download[2]);
      if (download[1] !== token || !file)
        return answer(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.bytes.byteLength });
      return void res.end(file.bytes);
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? "");
    const record = (method: string, params: Record<string, unknown>, status: number) => {
      calls.push({ method, params, at: Date.now(), status });
      waiter.wake();
    };
    if (!match || match[1] !== token) {
      record(match?.[2] ?? "", {}, 401);
      return answer(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    }
    const method = match[2] ?? "";
    let params: unknown = {};
    if (chunks.length > 0) {
      const contentType = req.headers["content-type"] ?? "";
      if (!contentType.startsWith("application/json")) {
        record(method, {}, 400);
        return answer(res, 400, { ok: false, error_code: 400, description: "Bad Request: unsupported content type" });
      }
      try {
        params = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        record(method, {}, 400);
        return answer(res, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" });
      }
    }
    const body = isRecord(params) ? params : {};
    const handler = methods[method];
    if (!handler) {
      record(method, body, 404);
      return answer(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    }
    const failure = failures.get(method);
    if (failure && failure.times > 0) {
      failure.times--;
      record(method, body, failure.status);
      return answer(res, failure.status, { ok: false, error_code: failure.status, description: "Bad Gateway" });
    }
    const limit = limits.get(method);
    if (limit && limit.times > 0) {
      limit.times--;
      record(method, body, 429);
      return answer(res, 429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${limit.retryAfter}`,
        parameters: { retry_after: limit.retryAfter },
      });
    }
    try {
      const result = handler(body);
      record(method, body, 200);
      answer(res, 200, { ok: true, result });
    } catch (error) {
      const status = error instanceof BotError ? error.status : 500;
      record(method, body, status);
      answer(res, status, {
        ok: false,
        error_code: status,
        description: error instanceof Error ? error.message : String(error),
      });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => answer(res, 500, { ok: false, error_code: 500, description: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  const user = (id: number) => ({ id, is_bot: false, first_name: `User ${id}`, username: `user${id}` });
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    messages: (chatId) => chats.get(chatId) ?? [],
    rateLimit: (method, retryAfter, times = 1) => limits.set(method, { retryAfter, times }),
    fail: (method, status, times) => failures.set(method, { status, times }),
    block: (chatId, yes = true) => void (yes ? blocked.add(chatId) : blocked.delete(chatId)),
    message: (from, text, chat = { id: from, type: "private" }) => ({
      update_id: nextUpdateId++,
      message: { message_id: nextMessageId++, from: user(from), chat, date: Math.floor(Date.now() / 1000), text },
    }),
    file: (from, bytes, options) => {
      const stored = (content: Uint8Array, name: string) => {
        const fileId = `file${files.size + 1}`;
        files.set(fileId, { path: `${options.photo ? "photos" : "documents"}/${fileId}_${name}`, bytes: content });
        return { file_id: fileId, file_unique_id: `u${fileId}`, file_size: content.byteLength };
      };
      const attached = options.photo
        ? {
            photo: [
              ...(options.thumbnail ? [{ ...stored(options.thumbnail, "thumb.jpg"), width: 90, height: 60 }] : []),
              { ...stored(bytes, options.name), width: 1280, height: 853 },
            ],
          }
        : { document: { ...stored(bytes, options.name), file_name: options.name, mime_type: options.mime } };
      return {
        update_id: nextUpdateId++,
        message: {
          message_id: nextMessageId++,
          from: user(from),
          chat: { id: from, type: "private" },
          date: Math.floor(Date.now() / 1000),
          ...attached,
          ...(options.caption === undefined ? {} : { caption: options.caption }),
        },
      };
    },
    press: (from, message, data) => {
      const id = `q${nextQuery++}`;
      queries.add(id);
      return {
        update_id: nextUpdateId++,
        callback_query: {
          id,
          from: user(from),
          chat_instance: "1",
          data,
          message: {
            message_id: message.messageId,
            chat: { id: message.chatId, type: "private" },
            date: 0,
            text: message.text,
          },
        },
      };
    },
    until: (predicate, timeoutMs = 20_000) =>
      waiter.until(predicate, timeoutMs, () => `last calls: ${JSON.stringify(calls.slice(-5))}`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
