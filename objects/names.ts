// Durable Object names and their typed stubs: the one place `user:…`, the admin index, the global usage object and sessions are named.

/** The admin index: every session, in one directory object. */
export const ADMIN_INDEX = "index:all";
/** The usage object of limits over everyone. */
export const GLOBAL_USAGE = "global";

/** A user's objects (their directory, their usage) are named after them. */
export const userObjectName = (user: string): string => `user:${user}`;

/** A user's directory: their sessions, memory, skills, MCP servers and push subscriptions. */
export const userDirectory = (env: Env, user: string) => env.DIRECTORY.getByName(userObjectName(user));

/** The directory object that holds the admin index. */
export const adminIndex = (env: Env) => env.DIRECTORY.getByName(ADMIN_INDEX);

/** The directory shard that finds a personal API key's user by the key's hash (256 shards by its first byte). */
export const apiKeyIndex = (env: Env, hash: string) => env.DIRECTORY.getByName(`apikeys:${hash.slice(0, 2)}`);

/** A user's usage object: their ledger, budget and rate limits. */
export const userUsage = (env: Env, user: string) => env.USAGE.getByName(userObjectName(user));

/** A usage object by its scope: `user:<user>` or the global one. */
export const usageByScope = (env: Env, scope: string) => env.USAGE.getByName(scope);

/** A session's object; its name is the session id. */
export const sessionStub = (env: Env, id: string) => env.SESSION.getByName(id);

/** The Telegram bot's index object (pairing codes, links). */
export const TELEGRAM_INDEX = "bot";

/** The bot-wide Telegram index. */
export const telegramIndex = (env: Env) => env.TELEGRAM.getByName(TELEGRAM_INDEX);

/** The object of one Telegram chat (a private chat is a user). */
export const telegramChat = (env: Env, telegramUserId: number) => env.TELEGRAM.getByName(`chat:${telegramUserId}`);
