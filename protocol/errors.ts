// The one error registry: every snake_case code the service emits and the HTTP status it maps to.

/** A request or frame the server cannot read. */
export const REQUEST_ERRORS = {
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
} as const satisfies Record<string, number>;

/** Who the caller is and what they may do. */
export const IDENTITY_ERRORS = {
  missing_token: 401,
  invalid_token: 401,
  token_expired: 401,
  /** A personal API key (Authorization: Bearer on /v1) that is unknown or revoked. */
  invalid_api_key: 401,
  forbidden: 403,
  forbidden_origin: 403,
  jwks_unavailable: 503,
} as const satisfies Record<string, number>;

/** Sessions and what they keep: a session, its snapshots and artifacts, MCP servers, push. */
export const SESSION_ERRORS = {
  not_found: 404,
  session_not_found: 404,
  /** /v1: a `model` other than `edgeclaw` or `edgeclaw/<model>`. */
  model_not_found: 404,
  conflict: 409,
  snapshot_not_found: 404,
  artifact_not_found: 404,
  snapshot_corrupt: 422,
  mcp_unavailable: 503,
  storage_unavailable: 503,
  push_unavailable: 503,
} as const satisfies Record<string, number>;

/**
 * The sandbox, where tools run. The local sandbox host answers with exactly these codes and statuses
 * (sandbox/host/server.ts), and its client in the Worker reads them back (sandbox/client.ts).
 */
export const SANDBOX_ERRORS = {
  bad_request: 400,
  unauthorized: 401,
  path_outside_workspace: 403,
  file_not_found: 404,
  /** A restore while a command runs in the workspace: cancel the command first. */
  sandbox_busy: 409,
  file_too_large: 413,
  bad_archive: 422,
  checksum_mismatch: 422,
  /** A write or restore that would take the workspace past its size bound (`SANDBOX_MAX_WORKSPACE_BYTES`). */
  workspace_full: 507,
  sandbox_error: 500,
  sandbox_unavailable: 503,
} as const satisfies Record<string, number>;

/** Budgets, rate limits and the models a deployment allows. */
export const METERING_ERRORS = {
  rate_limited: 429,
  budget_exceeded: 429,
  model_not_allowed: 403,
} as const satisfies Record<string, number>;

/**
 * A model call that failed (agent/providers), as the turn reports it in an `error` event. They reach
 * clients over the WebSocket; the statuses say what each would be over HTTP.
 */
export const PROVIDER_ERRORS = {
  provider_rate_limited: 429,
  provider_error: 502,
  provider_unavailable: 503,
  provider_auth: 502,
  context_overflow: 400,
  stream_cut: 502,
  stream_stalled: 504,
  bad_stream: 502,
  aborted: 500,
} as const satisfies Record<string, number>;

/** A turn that stopped on its own terms (WebSocket `error` events). */
export const TURN_ERRORS = {
  /** The turn made as many model calls as AGENT_MAX_STEPS allows. */
  step_limit: 500,
  /** The session restarted while the turn ran. */
  turn_interrupted: 503,
} as const satisfies Record<string, number>;

/** The service itself. */
export const SERVICE_ERRORS = {
  overloaded: 503,
  config_error: 500,
  internal_error: 500,
} as const satisfies Record<string, number>;

/** Code → HTTP status, every domain together. `satisfies` makes the compiler check every code has a status. */
export const ERROR_STATUS = {
  ...REQUEST_ERRORS,
  ...IDENTITY_ERRORS,
  ...SESSION_ERRORS,
  ...SANDBOX_ERRORS,
  ...METERING_ERRORS,
  ...PROVIDER_ERRORS,
  ...TURN_ERRORS,
  ...SERVICE_ERRORS,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type SandboxErrorCode = keyof typeof SANDBOX_ERRORS;
export type ProviderErrorCode = keyof typeof PROVIDER_ERRORS;

/** Whether a value is one of the sandbox's codes (what the local host may answer). */
export function isSandboxErrorCode(value: unknown): value is SandboxErrorCode {
  return typeof value === "string" && Object.hasOwn(SANDBOX_ERRORS, value);
}

/** Whether a value is one of the registry's codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}

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
