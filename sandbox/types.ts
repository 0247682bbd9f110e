// The sandbox interface the agent's tools use; a local (bubblewrap) and a Cloudflare Containers backend implement it.

export interface ExecRequest {
  command: string;
  /** Working directory relative to the workspace. */
  cwd?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface ExecResult {
  exitCode: number | null;
  /** The signal that ended the process, e.g. "SIGKILL" after a timeout. */
  signal: string | null;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
  /** Capped copies of the output, for the model. */
  stdout: string;
  stderr: string;
}

export interface FileEntry {
  name: string;
  type: "file" | "dir" | "symlink" | "other";
  size: number;
}

export interface ExecHooks {
  signal?: AbortSignal;
  onOutput?(stream: "stdout" | "stderr", text: string): void;
}

export interface SandboxBackend {
  exec(sessionId: string, request: ExecRequest, hooks?: ExecHooks): Promise<ExecResult>;
  readFile(sessionId: string, path: string): Promise<Uint8Array>;
  writeFile(sessionId: string, path: string, content: Uint8Array): Promise<void>;
  listFiles(sessionId: string, path: string): Promise<FileEntry[]>;
  deleteFile(sessionId: string, path: string): Promise<void>;
  /** The whole workspace as a gzipped tar, streamed (never whole in memory). */
  archive(sessionId: string): Promise<ReadableStream<Uint8Array>>;
  /**
   * Replaces the workspace with an archive made by `archive`, streamed in. With `sha256` (hex), the sandbox
   * hashes the archive as it arrives and changes nothing unless it matches (`checksum_mismatch`). Refused
   * with `sandbox_busy` while a command runs in the workspace.
   */
  restore(sessionId: string, archive: ReadableStream<Uint8Array> | Uint8Array, sha256?: string): Promise<void>;
  destroy(sessionId: string): Promise<void>;
}

export type SandboxErrorCode =
  | "sandbox_unavailable"
  | "path_outside_workspace"
  | "file_not_found"
  | "file_too_large"
  | "bad_archive"
  | "checksum_mismatch"
  | "sandbox_busy"
  | "workspace_full"
  | "bad_request"
  | "unauthorized"
  | "sandbox_error";

export class SandboxError extends Error {
  readonly code: SandboxErrorCode;

  constructor(code: SandboxErrorCode, message: string) {
    super(message);
    this.name = "SandboxError";
    this.code = code;
  }
}

/** The runner's last line on stderr when it stopped a command at the workspace's size bound. */
export const WORKSPACE_FULL_MARKER =
  "[edgeclaw: the workspace passed its size bound; the command was stopped. Delete files to make room.]";

/** Appended to output that was cut at its limit. */
export const TRUNCATION_MARKER = "\n[edgeclaw: output truncated]\n";

/** Session ids the sandboxes accept (the same as session ids). */
export const SANDBOX_ID = /^[a-z0-9-]{1,64}$/;
