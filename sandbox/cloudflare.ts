// The Cloudflare Containers backend (SANDBOX_MODE=cloudflare): one Sandbox SDK container per session.
// The SDK trusts container isolation and confines nothing, so paths, deadlines, exit status and output
// caps are ours. Written against the few SDK methods it uses, so it is tested without a container.

import {
  type ExecHooks,
  type ExecRequest,
  type ExecResult,
  type FileEntry,
  type SandboxBackend,
  SandboxError,
  TRUNCATION_MARKER,
} from "./types";

/** The part of the Sandbox SDK's sandbox stub this backend uses. */
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
  writeFile(path: string, content: string, options?: { encoding?: string }): Promise<unknown>;
  readFile(
    path: string,
    options?: { encoding?: "utf-8" | "base64" },
  ): Promise<{ content: string; encoding?: "utf-8" | "base64" }>;
  listFiles(path: string): Promise<{ files: { name: string; type?: string; size?: number }[] }>;
  deleteFile(path: string): Promise<unknown>;
  destroy(): Promise<void>;
}

export const WORKSPACE = "/workspace";
const MAX_OUTPUT_CHARS = 1024 * 1024;
const KEEP_CHARS = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Grace for the container to report a command our deadline already ended. */
const DEADLINE_GRACE_MS = 5_000;

/** A workspace path: relative, no `..` that leaves. The container has no symlinks we did not check for. */
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

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function unbase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export class CloudflareSandbox implements SandboxBackend {
  readonly #sandboxFor: (sessionId: string) => SdkSandbox;
  readonly #graceMs: number;

  constructor(sandboxFor: (sessionId: string) => SdkSandbox, graceMs = DEADLINE_GRACE_MS) {
    this.#sandboxFor = sandboxFor;
    this.#graceMs = graceMs;
  }

  /** Checks that the real path of `path` stays in the workspace (a symlink made by a command may not). */
  async #confined(sessionId: string, path: string): Promise<string> {
    const target = workspacePath(path);
    const result = await this.#sandboxFor(sessionId).exec(`realpath -m -- ${quote(target)}`);
    const real = result.stdout.trim();
    if (result.exitCode !== 0 || !(real === WORKSPACE || real.startsWith(`${WORKSPACE}/`))) {
      throw new SandboxError("path_outside_workspace", `a symlink leads out of the workspace: ${path}`);
    }
    return real;
  }

  async exec(sessionId: string, request: ExecRequest, hooks: ExecHooks = {}): Promise<ExecResult> {
    const sandbox = this.#sandboxFor(sessionId);
    const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const cwd = await this.#confined(sessionId, request.cwd ?? ".");
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
    // Our own deadline: `timeout` kills the command in the container, and the race below does not wait
    // for a stream that reports completion late (or never).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs + this.#graceMs);
    const signal = hooks.signal ? AbortSignal.any([hooks.signal, deadline.signal]) : deadline.signal;
    const abandoned = new Promise<never>((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    try {
      const running = sandbox.exec(`timeout -s KILL ${seconds} bash -c ${quote(request.command)}`, {
        cwd,
        env: request.env ?? {},
        stream: true,
        onOutput,
        signal,
        timeout: timeoutMs + this.#graceMs,
      });
      // The SDK's stream has reported completion late or never: our deadline does not wait for it.
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

  async readFile(sessionId: string, path: string): Promise<Uint8Array> {
    const file = await this.#sandboxFor(sessionId).readFile(await this.#confined(sessionId, path), {
      encoding: "base64",
    });
    return file.encoding === "utf-8" ? new TextEncoder().encode(file.content) : unbase64(file.content);
  }

  async writeFile(sessionId: string, path: string, content: Uint8Array): Promise<void> {
    const target = await this.#confined(sessionId, path);
    await this.#sandboxFor(sessionId).exec(`mkdir -p -- "$(dirname -- ${quote(target)})"`);
    await this.#sandboxFor(sessionId).writeFile(target, base64(content), { encoding: "base64" });
  }

  async listFiles(sessionId: string, path: string): Promise<FileEntry[]> {
    const { files } = await this.#sandboxFor(sessionId).listFiles(await this.#confined(sessionId, path));
    return files.map((f) => ({
      name: f.name,
      type: f.type === "directory" ? "dir" : f.type === "symlink" ? "symlink" : f.type === "file" ? "file" : "other",
      size: f.size ?? 0,
    }));
  }

  async deleteFile(sessionId: string, path: string): Promise<void> {
    await this.#sandboxFor(sessionId).deleteFile(await this.#confined(sessionId, path));
  }

  async archive(sessionId: string): Promise<Uint8Array> {
    const sandbox = this.#sandboxFor(sessionId);
    const made = await sandbox.exec(`tar -czf /tmp/edgeclaw-archive.tgz -C ${WORKSPACE} .`);
    if (made.exitCode !== 0) throw new SandboxError("sandbox_error", `tar failed: ${made.stderr.slice(0, 200)}`);
    return unbase64((await sandbox.readFile("/tmp/edgeclaw-archive.tgz", { encoding: "base64" })).content);
  }

  async restore(sessionId: string, archive: Uint8Array): Promise<void> {
    const sandbox = this.#sandboxFor(sessionId);
    await sandbox.writeFile("/tmp/edgeclaw-restore.tgz", base64(archive), { encoding: "base64" });
    // The same checks as the local host: only files, directories and symlinks, no name leaving the tree.
    const script = [
      "set -e",
      "tar -tvzf /tmp/edgeclaw-restore.tgz > /tmp/edgeclaw-list",
      "if grep -vqE '^[-dl]' /tmp/edgeclaw-list; then echo 'entry type not allowed' >&2; exit 3; fi",
      "if tar -tzf /tmp/edgeclaw-restore.tgz | grep -qE '(^/|(^|/)\\.\\.(/|$))'; then echo 'entry leaves the workspace' >&2; exit 3; fi",
      "rm -rf /tmp/edgeclaw-staging && mkdir /tmp/edgeclaw-staging",
      "tar -xzf /tmp/edgeclaw-restore.tgz -C /tmp/edgeclaw-staging --no-same-owner",
      "if find /tmp/edgeclaw-staging -type l -lname '/*' | grep -q .; then echo 'symlink leaves the workspace' >&2; exit 3; fi",
      `rm -rf ${WORKSPACE}.old && mv ${WORKSPACE} ${WORKSPACE}.old && mv /tmp/edgeclaw-staging ${WORKSPACE} && rm -rf ${WORKSPACE}.old`,
    ].join("\n");
    const result = await sandbox.exec(`bash -c ${quote(script)}`);
    if (result.exitCode === 3) throw new SandboxError("bad_archive", result.stderr.trim() || "the archive was refused");
    if (result.exitCode !== 0)
      throw new SandboxError("bad_archive", `the archive could not be restored: ${result.stderr.slice(0, 200)}`);
  }

  async destroy(sessionId: string): Promise<void> {
    await this.#sandboxFor(sessionId).destroy();
  }
}
