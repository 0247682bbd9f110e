// Renders errors as the contract's JSON body, in one place for HTTP; never a stack trace.

import { log } from "../../log/logger";
import { AppError, ERROR_STATUS, type ErrorBody, type ErrorCode, isAppError } from "../../protocol/errors";

export function errorResponse(code: ErrorCode, message: string, retryAfter?: number): Response {
  const body: ErrorBody = { error: { code, message } };
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (retryAfter !== undefined) headers["retry-after"] = String(Math.ceil(retryAfter));
  return Response.json(body, { status: ERROR_STATUS[code], headers });
}

/** Any thrown value to a response: AppErrors as they are, Durable Object overload as 503, the rest as 500. */
export function renderError(error: unknown): Response {
  if (isAppError(error)) return errorResponse(error.code, error.message, error.retryAfter);
  if (error instanceof Error && "overloaded" in error && error.overloaded === true) {
    return errorResponse("overloaded", "the session is overloaded; retry shortly", 1);
  }
  log.error("unhandled error", { error: String(error) });
  return errorResponse("internal_error", "something went wrong on our side");
}

/** Reads a JSON body of at most `maxBytes` (refused by its declared length before reading); empty means `{}`. */
export async function readJson(request: Request, maxBytes = 64 * 1024): Promise<unknown> {
  const tooLarge = () => new AppError("payload_too_large", `the body is limited to ${maxBytes} bytes`);
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge();
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > maxBytes) throw tooLarge();
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "the body is not valid JSON");
  }
}
