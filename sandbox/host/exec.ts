// Runs one command through the runner under bubblewrap as an unprivileged user: own namespaces, read-only
// minimal root, only the workspace writable, rlimits, a seccomp filter, a wall-clock timeout (killing the
// whole PID namespace) and an output cap. Output streams as it comes.

import type { ExecRequest, ExecResult } from "../types.ts";
import { SandboxError, TRUNCATION_MARKER } from "../types.ts";
import { spawnInJail } from "./jail.ts";
import { ENV_NAME, type Limits, runnerExecArgs } from "./limits.ts";

export { bwrapAvailable } from "./jail.ts";

export interface ExecOptions {
  workspace: string;
  limits: Limits;
  /** Whether this request may reach the network (the host must allow it). */
  network: boolean;
  /** The compiled seccomp filter, or null where it cannot apply. */
  seccompFile: string | null;
  /** The runner's source. */
  runner: string;
  signal: AbortSignal;
  onOutput(stream: "stdout" | "stderr", text: string): void;
}

export function validateExec(request: ExecRequest, limits: Limits): void {
  if (typeof request.command !== "string" || request.command.trim() === "" || request.command.length > 64 * 1024) {
    throw new SandboxError("bad_request", "command must be a non-empty string of at most 64 KiB");
  }
  for (const name of Object.keys(request.env ?? {})) {
    if (!ENV_NAME.test(name)) throw new SandboxError("bad_request", `invalid environment variable name: ${name}`);
  }
  const timeout = request.timeoutMs ?? limits.TIMEOUT_MS;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > limits.MAX_TIMEOUT_MS) {
    throw new SandboxError("bad_request", `timeoutMs must be from 1 to ${limits.MAX_TIMEOUT_MS}`);
  }
}

/** Runs the command through the runner; `cwd` is relative to the workspace (the runner confines it). */
export function runCommand(request: ExecRequest, options: ExecOptions): Promise<ExecResult> {
  const { limits } = options;
  const started = Date.now();
  const child = spawnInJail(
    {
      workspace: options.workspace,
      limits,
      network: options.network,
      env: request.env ?? {},
      seccompFile: options.seccompFile,
      runner: options.runner,
    },
    runnerExecArgs(limits, request.cwd ?? ".", request.command),
  );
  const captured = { stdout: "", stderr: "" };
  let bytes = 0;
  let truncated = false;
  let timedOut = false;
  const take = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
    if (truncated) return;
    const room = limits.MAX_OUTPUT_BYTES - bytes;
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
    bytes += piece.length;
    const text = piece.toString("utf8");
    captured[stream] += text;
    if (text) options.onOutput(stream, text);
    if (chunk.length > room) {
      truncated = true;
      captured[stream] += TRUNCATION_MARKER;
      options.onOutput(stream, TRUNCATION_MARKER);
    }
  };
  child.stdout?.on("data", take("stdout"));
  child.stderr?.on("data", take("stderr"));
  const kill = () => child.kill("SIGKILL");
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, request.timeoutMs ?? limits.TIMEOUT_MS);
  options.signal.addEventListener("abort", kill, { once: true });
  return new Promise((resolve, reject) => {
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new SandboxError("sandbox_error", `could not start the sandbox: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", kill);
      resolve({
        exitCode: code,
        signal,
        timedOut,
        truncated,
        durationMs: Date.now() - started,
        stdout: captured.stdout,
        stderr: captured.stderr,
      });
    });
  });
}
