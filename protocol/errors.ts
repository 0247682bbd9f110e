// The one error registry: every snake_case code the service emits and the HTTP status it maps to.

/** Code → HTTP status. `satisfies` makes the compiler check every code has a status. */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  invalid_frame: 400,
  unknown_frame_type: 400,
  unsupported_frame: 400,
  message_too_large: 413,
  frame_too_large: 413,
  payload_too_large: 413,
  /** An upload over UPLOAD_MAX_BYTES. */
  upload_too_large: 413,
  /** An upload whose bytes are not a type edgeclaw takes. */
  unsupported_media_type: 415,
  upload_not_found: 404,
  /** A message with more attachments than UPLOAD_MAX_FILES. */
  too_many_attachments: 400,
  missing_token: 401,
  invalid_token: 401,
  token_expired: 401,
  /** A personal API key (Authorization: Bearer on /v1) that is unknown or revoked. */
  invalid_api_key: 401,
  forbidden: 403,
  forbidden_origin: 403,
  not_found: 404,
  session_not_found: 404,
  /** /v1: a `model` other than `edgeclaw` or `edgeclaw/<model>`. */
  model_not_found: 404,
  conflict: 409,
  snapshot_not_found: 404,
  artifact_not_found: 404,
  snapshot_corrupt: 422,
  bad_archive: 422,
  path_outside_workspace: 403,
  sandbox_unavailable: 503,
  /** A restore while a command runs in the workspace: cancel the command first. */
  sandbox_busy: 409,
  /** A write or restore that would take the workspace past its size bound (`SANDBOX_MAX_WORKSPACE_BYTES`). */
  workspace_full: 507,
  mcp_unavailable: 503,
  storage_unavailable: 503,
  rate_limited: 429,
  model_not_allowed: 403,
  jwks_unavailable: 503,
  push_unavailable: 503,
  overloaded: 503,
  config_error: 500,
  internal_error: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The JSON body of every error response. */
export interface ErrorBody {
  error: {
    /** snake_case, from {@link ERROR_STATUS}. */
    code: ErrorCode;
    /** Human-readable; never a stack trace. */
    message: string;
  };
}

/** An error meant for the client: its code and message are safe to show. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds after which a retry may succeed (rate limits, overload). */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, retryAfter?: number) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.retryAfter = retryAfter;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
