// Default limits of one command in the local sandbox, and the env names a request may set.

export interface Limits {
  TIMEOUT_MS: number;
  MAX_TIMEOUT_MS: number;
  MAX_OUTPUT_BYTES: number;
  MAX_PROCESSES: number;
  MAX_MEMORY_BYTES: number;
  MAX_FILE_BYTES: number;
  CPU_SECONDS: number;
  MAX_OPEN_FILES: number;
}

export const DEFAULT_LIMITS: Limits = {
  TIMEOUT_MS: 30_000,
  MAX_TIMEOUT_MS: 10 * 60_000,
  MAX_OUTPUT_BYTES: 1024 * 1024,
  MAX_PROCESSES: 64,
  MAX_MEMORY_BYTES: 1024 * 1024 * 1024,
  MAX_FILE_BYTES: 100 * 1024 * 1024,
  CPU_SECONDS: 60,
  MAX_OPEN_FILES: 256,
};

/** The unprivileged user commands run as (nobody). */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;
/** Largest file the file routes read or write. */
export const MAX_API_FILE_BYTES = 10 * 1024 * 1024;
/** Largest archive accepted by restore. */
export const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;

export const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;
