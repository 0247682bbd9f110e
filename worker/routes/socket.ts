// The WebSocket upgrade: checked in the worker (origin, identity) and handed to the session object.

import type { Config } from "../../config/config";
import { AppError } from "../../protocol/errors";
import { encodeIdentity, IDENTITY_HEADER, stripReservedHeaders } from "../../protocol/identity";
import type { Authenticated } from "../auth/authenticate";
import { sessionStub } from "../sessions";

/** Whether a browser page at `origin` may open our socket (CSWSH: the Access cookie is SameSite=None). */
export function originAllowed(config: Config, requestUrl: URL, origin: string): boolean {
  if (config.allowedOrigins.size > 0) return config.allowedOrigins.has(origin);
  return origin === requestUrl.origin;
}

export async function connectSocket(
  request: Request,
  env: Env,
  config: Config,
  auth: Authenticated,
  sessionId: string,
): Promise<Response> {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError("bad_request", "this route expects a WebSocket upgrade");
  }
  const url = new URL(request.url);
  const origin = request.headers.get("origin");
  if (origin !== null && !originAllowed(config, url, origin)) {
    throw new AppError("forbidden_origin", "this origin may not open a socket here");
  }
  if (origin === null && auth.source === "cookie") {
    throw new AppError("forbidden_origin", "a socket authenticated by cookie must come from an allowed Origin");
  }
  // partyserver would take `_pk` as the connection id: the server chooses it instead.
  url.searchParams.delete("_pk");
  const headers = stripReservedHeaders(request.headers);
  headers.set(IDENTITY_HEADER, encodeIdentity(auth.identity));
  return sessionStub(env, sessionId).fetch(new Request(url, { method: "GET", headers }));
}
