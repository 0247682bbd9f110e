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
  /** Size of the sandbox's private `/tmp` (a tmpfs, counted against the host's memory). */
  MAX_TMP_BYTES: number;
  /** Entries an archive may hold on restore. */
  MAX_ARCHIVE_ENTRIES: number;
  /** Bytes an archive may unpack to on restore (the sum of its entries' sizes). */
  MAX_UNPACKED_BYTES: number;
  /**
   * Bytes a workspace may take (files at the larger of size and allocation, hard links once, deleted files
   * still open included): each file written by a command stops at the room left, a command that passes it is
   * stopped, and writes and restores past it are refused (`workspace_full`).
   */
  MAX_WORKSPACE_BYTES: number;
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
  MAX_TMP_BYTES: 256 * 1024 * 1024,
  MAX_ARCHIVE_ENTRIES: 200_000,
  MAX_UNPACKED_BYTES: 4 * 1024 * 1024 * 1024,
  MAX_WORKSPACE_BYTES: 2 * 1024 * 1024 * 1024,
};

/** The unprivileged user commands run as (nobody). */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;
/** Largest file the file routes read. */
export const MAX_API_FILE_BYTES = 10 * 1024 * 1024;
/** Largest file the file routes write: uploads (UPLOAD_MAX_BYTES, at most 32 MiB) are copied in whole. */
export const MAX_WRITE_FILE_BYTES = 32 * 1024 * 1024;
/** Largest (compressed) archive accepted by restore. */
export const MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024;

export const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;

/** The runner's `exec` arguments (sandbox/runner/edgeclaw-runner.sh): the limits in its order, then where and what. */
export function runnerExecArgs(limits: Limits, cwd: string, command: string): string[] {
  return [
    "exec",
    String(limits.MAX_PROCESSES),
    String(limits.CPU_SECONDS),
    String(limits.MAX_FILE_BYTES),
    String(limits.MAX_MEMORY_BYTES),
    String(limits.MAX_OPEN_FILES),
    String(limits.MAX_WORKSPACE_BYTES),
    cwd,
    command,
  ];
}
