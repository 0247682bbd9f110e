// HTTP bodies of the channel routes (Telegram pairing and linked accounts), shared by routes, objects and the web client.

/** `POST /api/channels/telegram/pairing` → 201: send `/pair CODE` to the bot before `expiresAt`. */
export interface PairingCodeBody {
  /** Eight letters and digits; single use. */
  code: string;
  /** Epoch ms; ten minutes after it was made. */
  expiresAt: number;
}

/** A Telegram account linked to the caller. */
export interface TelegramLink {
  /** Telegram's user id. */
  telegramUserId: number;
  /** The Telegram @username without @, when the account has one. */
  username: string | null;
  /** When it was linked (epoch ms). */
  linkedAt: number;
}

/** `GET /api/channels/telegram/links`. */
export interface TelegramLinksBody {
  links: TelegramLink[];
}
