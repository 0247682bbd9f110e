// Who calls /v1: an Access token as everywhere (it decides when present), else a personal API key as Bearer.

import { AppError } from "../../protocol/errors";
import type { Config } from "../config";
import { bearerToken, identityFromApiKey } from "./api-keys";
import { type Authenticated, authenticate, readCookie, TOKEN_HEADER } from "./authenticate";
import { AUTH_COOKIE } from "./dev-auth";

/**
 * An Access token (header or cookie) is verified exactly as on /api, and any Bearer value is then ignored;
 * without one, `Authorization: Bearer <personal API key>`. Neither: 401.
 */
export async function authenticateV1(
  request: Request,
  env: Env,
  config: Config,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Authenticated> {
  const access = request.headers.get(TOKEN_HEADER) || readCookie(request.headers.get("cookie"), AUTH_COOKIE);
  if (access) return authenticate(request, env, config);
  const key = bearerToken(request);
  if (!key) {
    throw new AppError(
      "missing_token",
      "sign in: send a Cloudflare Access token, or a personal API key as Authorization: Bearer",
    );
  }
  return { identity: await identityFromApiKey(env, key, waitUntil), source: "api_key" };
}
