// The Cloudflare Containers backend (SANDBOX_MODE=cloudflare): one Sandbox SDK container per session.
// The SDK runs everything as root and follows symlinks, so this backend uses it only as a root shell on paths
// no command can change (a root-only staging folder); every command and every file operation on the
// workspace runs through the same runner as the local host (sandbox/runner/edgeclaw-runner.sh), as the
// image's unprivileged user, in its own PID (and, unless the network is allowed, network) namespace.

import { DEFAULT_LIMITS, type Limits, MAX_WRITE_FILE_BYTES, runnerExecArgs } from "./host/limits";
import {
  type ExecHooks,
  type ExecRequest,
  type ExecResult,
  type FileEntry,
  type SandboxBackend,
  SandboxError,
  TRUNCATION_MARKER,
} from "./types";

/** The part of the Sandbox SDK's sandbox stub this backend uses (file streams already decoded to bytes). */
export interface SdkSandbox {
  exec(
    command: string,
    options?: {
      timeout?: number;
      env?: Record<string, string>;
      cwd?: string;
      stream?: boolean;
      onOutput?: (stream: "stdout" | "stderr", data: string) => void;
      signal?: AbortSignal;
    },
  ): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  writeFile(
    path: string,
    content: string | ReadableStream<Uint8Array>,
    options?: { encoding?: string },
  ): Promise<unknown>;
  /** The file's bytes as a stream. */
  readFileStream(path: string): Promise<ReadableStream<Uint8Array>>;
  destroy(): Promise<void>;
}

export const WORKSPACE = "/workspace";
/** Where the image installs the runner (sandbox/container/Dockerfile). */
export const RUNNER = "/usr/local/bin/edgeclaw-runner";
/** The image's unprivileged user. */
export const AGENT_UID = 1000;
/** A root-only folder: staged uploads and archives, out of every command's reach. */
export const STAGING = "/run/edgeclaw";
/** Held shared by every running command, alone by a restore. */
const LOCK = `${STAGING}/commands.lock`;
const MAX_OUTPUT_CHARS = 1024 * 1024;
const KEEP_CHARS = 64 * 1024;
const MAX_API_FILE_BYTES = 10 * 1024 * 1024;
/** Grace for the container to report a command our deadline already ended. */
const DEADLINE_GRACE_MS = 5_000;

export interface ContainerOptions {
  /** Whether commands may use the container's network (off: they get a network namespace of their own). */
  network: boolean;
  limits: Limits;
  /** The uid commands run as (the image's `agent`). */
  uid: number;
  /** Where the runner is installed in the image. */
  runner: string;
  graceMs: number;
}

/** A workspace path: relative, no `..` that leaves (symlinks are the runner's to check). */
export function workspacePath(path: string): string {
  if (path.includes("\0")) throw new SandboxError("bad_request", "a path cannot contain NUL");
  if (path.startsWith("/")) throw new SandboxError("path_outside_workspace", `absolute paths are refused: ${path}`);
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0)
        throw new SandboxError("path_outside_workspace", `the path leaves the workspace: ${path}`);
      parts.pop();
    } else parts.push(part);
  }
  return [WORKSPACE, ...parts].join("/");
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
const relative = (path: string) => workspacePath(path).slice(WORKSPACE.length + 1) || ".";

function runnerError(code: number, stderr: string): SandboxError {
  const message = stderr.trim().split("\n")[0]?.slice(0, 300) || `the runner failed (${code})`;
  const codes: Record<number, SandboxError["code"]> = {
    10: "path_outside_workspace",
    11: "file_not_found",
    12: "file_too_large",
    13: "bad_archive",
    14: "bad_request",
    16: "workspace_full",
  };
  return new SandboxError(codes[code] ?? "sandbox_error", message);
}

export class CloudflareSandbox implements SandboxBackend {
  readonly #sandboxFor: (sessionId: string) => SdkSandbox;
  readonly #options: ContainerOptions;

  constructor(sandboxFor: (sessionId: string) => SdkSandbox, options: Partial<ContainerOptions> = {}) {
    this.#sandboxFor = sandboxFor;
    this.#options = {
      network: false,
      limits: DEFAULT_LIMITS,
      uid: AGENT_UID,
      runner: RUNNER,
      graceMs: DEADLINE_GRACE_MS,
      ...options,
    };
  }

  /**
   * The shell line that runs the runner with `args` as the unprivileged user: its own PID namespace (killed
   * whole with it), no network unless allowed, no capabilities, a clean environment.
   */
  runnerLine(args: string[], env: Record<string, string> = {}, workspace = WORKSPACE): string {
    const { uid, network } = this.#options;
    const vars = Object.entries({
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: WORKSPACE,
      LANG: "C.UTF-8",
      TERM: "dumb",
      ...env,
    });
    return [
      "unshare --pid --fork --kill-child --mount-proc",
      network ? "" : "--net",
      `setpriv --reuid=${uid} --regid=${uid} --clear-groups --inh-caps=-all --no-new-privs`,
      "env -i",
      ...vars.map(([k, v]) => quote(`${k}=${v}`)),
      // Only a staging workspace is named: the runner stays the PID namespace's first process while a command
      // runs, so its own environment is what /proc/1/environ shows the command.
      workspace === WORKSPACE ? "" : `EDGECLAW_WORKSPACE=${workspace}`,
      "bash",
      this.#options.runner,
      ...args.map(quote),
    ]
      .filter(Boolean)
      .join(" ");
  }

  /** Runs a runner operation to completion (root shell around it for staging); throws the runner's error. */
  async #op(sessionId: string, line: string): Promise<string> {
    const result = await this.#sandboxFor(sessionId).exec(`set -o pipefail; ${line}`);
    if (result.exitCode !== 0) throw runnerError(result.exitCode, result.stderr);
    return result.stdout;
  }

  async exec(sessionId: string, request: ExecRequest, hooks: ExecHooks = {}): Promise<ExecResult> {
    const sandbox = this.#sandboxFor(sessionId);
    const { limits, graceMs } = this.#options;
    const timeoutMs = request.timeoutMs ?? limits.TIMEOUT_MS;
    const cwd = relative(request.cwd ?? ".");
    if (cwd !== ".") await this.#op(sessionId, this.runnerLine(["dir", cwd]));
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    const started = Date.now();
    let size = 0;
    let truncated = false;
    const kept = { stdout: "", stderr: "" };
    const onOutput = (stream: "stdout" | "stderr", data: string) => {
      if (truncated) return;
      size += data.length;
      if (size > MAX_OUTPUT_CHARS) truncated = true;
      if (kept[stream].length < KEEP_CHARS) kept[stream] += data.slice(0, KEEP_CHARS - kept[stream].length);
      hooks.onOutput?.(stream, truncated ? `${data}${TRUNCATION_MARKER}` : data);
    };
    // Our own deadline: `timeout` kills the runner's PID namespace in the container, and the race below does
    // not wait for a stream that reports completion late (or never).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs + graceMs);
    const signal = hooks.signal ? AbortSignal.any([hooks.signal, deadline.signal]) : deadline.signal;
    const abandoned = new Promise<never>((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    const args = runnerExecArgs(limits, cwd, request.command);
    try {
      const line = `mkdir -p -m 700 ${STAGING} && flock -s ${LOCK} timeout -s KILL ${seconds} ${this.runnerLine(args, request.env ?? {})}`;
      const running = sandbox.exec(line, {
        stream: true,
        onOutput,
        signal,
        timeout: timeoutMs + graceMs,
      });
      const result = await Promise.race([running, abandoned]);
      const timedOut = result.exitCode === 137 || result.exitCode === 124;
      return {
        exitCode: timedOut ? null : result.exitCode,
        signal: timedOut ? "SIGKILL" : null,
        timedOut,
        truncated,
        durationMs: Date.now() - started,
        stdout: truncated ? `${kept.stdout}${TRUNCATION_MARKER}` : kept.stdout || result.stdout.slice(0, KEEP_CHARS),
        stderr: kept.stderr || result.stderr.slice(0, KEEP_CHARS),
      };
    } catch (error) {
      if (hooks.signal?.aborted) throw error;
      if (deadline.signal.aborted) {
        return {
          exitCode: null,
          signal: "SIGKILL",
          timedOut: true,
          truncated,
          durationMs: Date.now() - started,
          ...kept,
        };
      }
      throw new SandboxError("sandbox_unavailable", `the container failed: ${String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A fresh root-only staging path (the folder is made 0700 by root). */
  async #staged(sessionId: string, name: string): Promise<string> {
    const path = `${STAGING}/${name}-${crypto.randomUUID()}`;
    await this.#op(sessionId, `mkdir -p -m 700 ${STAGING} && chmod 700 ${STAGING}`);
    return path;
  }

  async readFile(sessionId: string, path: string): Promise<Uint8Array> {
    const line = this.runnerLine(["read", relative(path), String(MAX_API_FILE_BYTES)]);
    const encoded = await this.#op(sessionId, `${line} | base64 -w0`);
    return Uint8Array.from(atob(encoded.trim()), (c) => c.charCodeAt(0));
  }

  async writeFile(sessionId: string, path: string, content: Uint8Array): Promise<void> {
    if (content.length > MAX_WRITE_FILE_BYTES)
      throw new SandboxError("file_too_large", `the file is over ${MAX_WRITE_FILE_BYTES} bytes`);
    const staged = await this.#staged(sessionId, "upload");
    await this.#sandboxFor(sessionId).writeFile(staged, new Blob([content]).stream());
    const bound = String(this.#options.limits.MAX_WORKSPACE_BYTES);
    const line = this.runnerLine(["write", relative(path), String(MAX_WRITE_FILE_BYTES), bound]);
    try {
      await this.#op(sessionId, `${line} < ${quote(staged)}`);
    } finally {
      await this.#op(sessionId, `rm -f -- ${quote(staged)}`).catch(() => undefined);
    }
  }

  async listFiles(sessionId: string, path: string): Promise<FileEntry[]> {
    const encoded = await this.#op(sessionId, `${this.runnerLine(["list", relative(path)])} | base64 -w0`);
    const text = new TextDecoder().decode(Uint8Array.from(atob(encoded.trim()), (c) => c.charCodeAt(0)));
    const types: Record<string, FileEntry["type"]> = { f: "file", d: "dir", l: "symlink" };
    return text
      .split("\0")
      .filter((record) => record !== "")
      .map((record): FileEntry => {
        const [type = "", size = "0", ...name] = record.split("\t");
        return { name: name.join("\t"), type: types[type] ?? "other", size: Number(size) };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async deleteFile(sessionId: string, path: string): Promise<void> {
    await this.#op(sessionId, this.runnerLine(["delete", relative(path)]));
  }

  /** The runner writes the archive into the root-only staging folder; it streams out from there. */
  async archive(sessionId: string): Promise<ReadableStream<Uint8Array>> {
    const staged = await this.#staged(sessionId, "archive");
    await this.#op(sessionId, `${this.runnerLine(["archive"])} > ${quote(staged)}`);
    const bytes = await this.#sandboxFor(sessionId).readFileStream(staged);
    const remove = () => this.#op(sessionId, `rm -f -- ${quote(staged)}`).catch(() => undefined);
    return bytes.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        flush: async () => void (await remove()),
      }),
    );
  }

  /**
   * The archive streams into the root-only staging folder, is hashed there, checked and extracted by the
   * runner into a staging workspace, and swapped in only when everything passed. Refused while a command runs.
   */
  async restore(sessionId: string, archive: ReadableStream<Uint8Array> | Uint8Array, sha256?: string): Promise<void> {
    const sandbox = this.#sandboxFor(sessionId);
    const { limits, uid } = this.#options;
    const staged = await this.#staged(sessionId, "restore");
    await sandbox.writeFile(`${staged}.tgz`, archive instanceof Uint8Array ? new Blob([archive]).stream() : archive);
    const next = `${WORKSPACE}.next`;
    const old = `${WORKSPACE}.old`;
    const script = [
      "set -e",
      sha256
        ? `[ "$(sha256sum < ${quote(`${staged}.tgz`)} | cut -c1-64)" = ${quote(sha256.toLowerCase())} ] || { echo 'the archive does not match its checksum; nothing was changed' >&2; exit 20; }`
        : "",
      `rm -rf -- ${next} && mkdir -m 755 ${next} && chown ${uid}:${uid} ${next} && chmod 644 ${quote(`${staged}.tgz`)}`,
      // The runner sees the staging workspace as its workspace and reads the archive through its stdin's path.
      `${this.runnerLine(["extract", "/dev/stdin", ...[limits.MAX_ARCHIVE_ENTRIES, limits.MAX_UNPACKED_BYTES, limits.MAX_WORKSPACE_BYTES].map(String)], {}, next)} < ${quote(`${staged}.tgz`)}`,
      `mv -T ${WORKSPACE} ${old} && mv -T ${next} ${WORKSPACE}`,
      `${this.runnerLine(["clean"], {}, old)}; rmdir ${old} || true`,
    ]
      .filter(Boolean)
      .join("\n");
    try {
      // Every command holds the lock shared while it runs: a restore that cannot take it alone is refused.
      const result = await sandbox.exec(`flock -n -x -E 75 ${LOCK} bash -c ${quote(script)}`);
      if (result.exitCode === 75)
        throw new SandboxError("sandbox_busy", "a command is running in this workspace; cancel it before the restore");
      if (result.exitCode === 20) throw new SandboxError("checksum_mismatch", result.stderr.trim());
      // The runner's own refusals keep their code (16: the workspace's bound); anything else is a bad archive.
      if (result.exitCode !== 0) throw runnerError(result.exitCode === 16 ? 16 : 13, result.stderr);
    } finally {
      await this.#op(sessionId, `rm -rf -- ${quote(`${staged}.tgz`)} ${next}`).catch(() => undefined);
    }
  }

  async destroy(sessionId: string): Promise<void> {
    await this.#sandboxFor(sessionId).destroy();
  }
}
