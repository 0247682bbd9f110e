// Errors of the /v1 routes in OpenAI's shape: the same codes and statuses as everywhere, rendered their way.

import { log } from "../../log/logger";
import { AppError, ERROR_STATUS, type ErrorCode, isAppError } from "../../protocol/errors";
import type { OpenAiErrorBody } from "../../protocol/openai-compat";

/** An AppError that names the request field at fault. */
export class OpenAiError extends AppError {
  readonly param: string | null;

  constructor(code: ErrorCode, message: string, param: string | null) {
    super(code, message);
    this.param = param;
  }
}

/** OpenAI's error family for a status. */
function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export function openAiErrorBody(
  code: string,
  message: string,
  status: number,
  param: string | null = null,
): OpenAiErrorBody {
  return { error: { message, type: errorType(status), param, code } };
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, code);
}

/** The status of a turn's error code: a registered code keeps its own, anything else is the provider's failure. */
export function turnErrorStatus(code: string): number {
  return isErrorCode(code) ? ERROR_STATUS[code] : 502;
}

/** Any thrown value as an OpenAI error response; never a stack trace. */
export function openAiErrorResponse(error: unknown): Response {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (isAppError(error)) {
    if (error.retryAfter !== undefined) headers["retry-after"] = String(Math.ceil(error.retryAfter));
    const param = error instanceof OpenAiError ? error.param : null;
    return Response.json(openAiErrorBody(error.code, error.message, error.status, param), {
      status: error.status,
      headers,
    });
  }
  if (error instanceof Error && "overloaded" in error && error.overloaded === true) {
    headers["retry-after"] = "1";
    return Response.json(openAiErrorBody("overloaded", "the session is overloaded; retry shortly", 503), {
      status: 503,
      headers,
    });
  }
  log.error("unhandled /v1 error", { error: String(error) });
  return Response.json(openAiErrorBody("internal_error", "something went wrong on our side", 500), {
    status: 500,
    headers,
  });
}
