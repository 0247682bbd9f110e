// Personal API keys on the wire: the /api/keys bodies (a key is usable only on the OpenAI-compatible /v1 routes).

/** Longest key name. */
export const MAX_API_KEY_NAME = 100;
/** Most keys a user keeps. */
export const MAX_API_KEYS = 20;

/** `POST /api/keys` body. */
export interface CreateApiKeyBody {
  /** What the key is for ("laptop script", "Open WebUI"); 1–100 characters. */
  name: string;
}

/** A key as its owner sees it in `GET /api/keys`: never the key itself (only its hash is stored). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  /** The key's first characters, to recognise it (`eck_Ab3d…`). */
  prefix: string;
  /** When it was made (epoch ms). */
  createdAt: number;
  /** When it last authenticated a request (epoch ms), null if never. */
  lastUsedAt: number | null;
}

/** `201` answer of `POST /api/keys`: the only time the key is shown. */
export interface CreatedApiKey extends ApiKeyInfo {
  /** The secret: send it as `Authorization: Bearer <key>` to /v1. */
  key: string;
}

/** `GET /api/keys` answer. */
export interface ApiKeyList {
  keys: ApiKeyInfo[];
}
