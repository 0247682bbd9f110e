// The Worker's client of the local sandbox host (SANDBOX_MODE=local): the SandboxBackend over HTTP on loopback.

import { isRecord } from "../protocol/json";
import {
  type ExecHooks,
  type ExecRequest,
  type ExecResult,
  type FileEntry,
  type SandboxBackend,
  SandboxError,
  type SandboxErrorCode,
  TRUNCATION_MARKER,
} from "./types";

const CODES: readonly SandboxErrorCode[] = [
  "sandbox_unavailable",
  "path_outside_workspace",
  "file_not_found",
  "file_too_large",
  "bad_archive",
  "checksum_mismatch",
  "sandbox_busy",
  "workspace_full",
  "bad_request",
  "unauthorized",
  "sandbox_error",
];
/** Output kept for the model, per stream. */
const KEEP_CHARS = 64 * 1024;

async function errorOf(response: Response): Promise<SandboxError> {
  const body: unknown = await response.json().catch(() => null);
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const code = CODES.find((c) => c === error.code) ?? "sandbox_error";
  return new SandboxError(
    code,
    typeof error.message === "string" ? error.message : `sandbox host answered ${response.status}`,
  );
}

export class LocalSandboxClient implements SandboxBackend {
  readonly #base: string;
  readonly #secret: string;
  readonly #fetch: typeof fetch;

  constructor(base: string, secret: string, fetcher: typeof fetch = (input, init) => fetch(input, init)) {
    this.#base = base.replace(/\/+$/, "");
    this.#secret = secret;
    this.#fetch = fetcher;
  }

  async #call(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#base}${path}`, {
        ...init,
        headers: { ...Object.fromEntries(new Headers(init.headers)), authorization: `Bearer ${this.#secret}` },
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new SandboxError("sandbox_unavailable", `the sandbox host cannot be reached: ${String(error)}`);
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async exec(sessionId: string, request: ExecRequest, hooks: ExecHooks = {}): Promise<ExecResult> {
    const response = await this.#call(`/sessions/${sessionId}/exec`, {
      method: "POST",
      body: JSON.stringify(request),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    const kept = { stdout: "", stderr: "" };
    let summary: Record<string, unknown> | null = null;
    let dropped = false;
    let buffer = "";
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    if (!reader) throw new SandboxError("sandbox_error", "the sandbox host sent no output");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line: unknown = JSON.parse(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (!isRecord(line)) continue;
        if ((line.type === "stdout" || line.type === "stderr") && typeof line.data === "string") {
          const room = KEEP_CHARS - kept[line.type].length;
          if (line.data.length > room) dropped = true;
          kept[line.type] += line.data.slice(0, Math.max(0, room));
          hooks.onOutput?.(line.type, line.data);
        } else if (line.type === "exit") summary = line;
      }
    }
    if (!summary)
      throw new SandboxError("sandbox_error", "the command's end was not reported (the sandbox host stopped?)");
    const truncated = summary.truncated === true || dropped;
    for (const stream of ["stdout", "stderr"] as const) {
      if (truncated && kept[stream] !== "" && !kept[stream].endsWith(TRUNCATION_MARKER))
        kept[stream] += TRUNCATION_MARKER;
    }
    return {
      exitCode: typeof summary.exitCode === "number" ? summary.exitCode : null,
      signal: typeof summary.signal === "string" ? summary.signal : null,
      timedOut: summary.timedOut === true,
      truncated,
      durationMs: typeof summary.durationMs === "number" ? summary.durationMs : 0,
      stdout: kept.stdout,
      stderr: kept.stderr,
    };
  }

  async readFile(sessionId: string, path: string): Promise<Uint8Array> {
    const response = await this.#call(`/sessions/${sessionId}/files?path=${encodeURIComponent(path)}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async writeFile(sessionId: string, path: string, content: Uint8Array): Promise<void> {
    await this.#call(`/sessions/${sessionId}/files?path=${encodeURIComponent(path)}`, { method: "PUT", body: content });
  }

  async listFiles(sessionId: string, path: string): Promise<FileEntry[]> {
    const response = await this.#call(`/sessions/${sessionId}/list?path=${encodeURIComponent(path)}`);
    const body: unknown = await response.json();
    if (!isRecord(body) || !Array.isArray(body.entries)) return [];
    return body.entries.filter(isRecord).map((e) => ({
      name: String(e.name),
      type: e.type === "dir" || e.type === "file" || e.type === "symlink" ? e.type : "other",
      size: typeof e.size === "number" ? e.size : 0,
    }));
  }

  async deleteFile(sessionId: string, path: string): Promise<void> {
    await this.#call(`/sessions/${sessionId}/files?path=${encodeURIComponent(path)}`, { method: "DELETE" });
  }

  async archive(sessionId: string): Promise<ReadableStream<Uint8Array>> {
    const response = await this.#call(`/sessions/${sessionId}/archive`, { method: "POST" });
    if (!response.body) throw new SandboxError("sandbox_error", "the sandbox host sent no archive");
    return response.body;
  }

  async restore(sessionId: string, archive: ReadableStream<Uint8Array> | Uint8Array, sha256?: string): Promise<void> {
    await this.#call(`/sessions/${sessionId}/restore`, {
      method: "POST",
      body: archive,
      headers: sha256 ? { "x-archive-sha256": sha256 } : {},
      // Node's fetch streams a request body only when told to; workerd ignores the field.
      ...(archive instanceof Uint8Array ? {} : { duplex: "half" }),
    });
  }

  async destroy(sessionId: string): Promise<void> {
    await this.#call(`/sessions/${sessionId}`, { method: "DELETE" });
  }
}
