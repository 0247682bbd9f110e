// Runs one command under bubblewrap as an unprivileged user: own namespaces, read-only minimal root, only the
// workspace writable, rlimits, a wall-clock timeout and an output cap. Output streams as it comes.

import { spawn, spawnSync } from "node:child_process";
import type { ExecRequest, ExecResult } from "../types.ts";
import { SandboxError, TRUNCATION_MARKER } from "../types.ts";
import { ENV_NAME, type Limits, SANDBOX_GID, SANDBOX_UID } from "./limits.ts";

/** Whether bubblewrap can be run here. */
export function bwrapAvailable(): boolean {
  return spawnSync("bwrap", ["--version"], { stdio: "ignore" }).status === 0;
}

export interface ExecOptions {
  workspace: string;
  limits: Limits;
  /** Whether this request may reach the network (the host must allow it). */
  network: boolean;
  signal: AbortSignal;
  onOutput(stream: "stdout" | "stderr", text: string): void;
}

function bwrapArgs(request: ExecRequest, options: ExecOptions, cwd: string): string[] {
  const { limits } = options;
  const env = Object.entries(request.env ?? {}).flatMap(([k, v]) => ["--setenv", k, v]);
  return [
    `--reuid=${SANDBOX_UID}`,
    `--regid=${SANDBOX_GID}`,
    "--clear-groups",
    "bwrap",
    "--unshare-all",
    ...(options.network ? ["--share-net"] : []),
    "--die-with-parent",
    "--new-session",
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/sbin",
    "/sbin",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--ro-bind-try",
    "/etc/alternatives",
    "/etc/alternatives",
    "--ro-bind-try",
    "/etc/ssl",
    "/etc/ssl",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "--bind",
    options.workspace,
    "/workspace",
    "--chdir",
    cwd,
    "--clearenv",
    "--setenv",
    "PATH",
    "/usr/local/bin:/usr/bin:/bin",
    "--setenv",
    "HOME",
    "/workspace",
    "--setenv",
    "LANG",
    "C.UTF-8",
    "--setenv",
    "TERM",
    "dumb",
    ...env,
    "--",
    "/usr/bin/prlimit",
    `--nproc=${limits.MAX_PROCESSES}`,
    `--cpu=${limits.CPU_SECONDS}`,
    `--fsize=${limits.MAX_FILE_BYTES}`,
    `--as=${limits.MAX_MEMORY_BYTES}`,
    `--nofile=${limits.MAX_OPEN_FILES}`,
    "--",
    "/bin/bash",
    "-c",
    request.command,
  ];
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

/** Runs the command; `cwd` is the in-sandbox directory (already confined). */
export function runCommand(request: ExecRequest, options: ExecOptions, cwd: string): Promise<ExecResult> {
  const { limits } = options;
  const started = Date.now();
  // Nothing of the host's environment reaches the sandbox: the launcher gets PATH alone.
  const env: NodeJS.ProcessEnv = Object.create(null);
  env.PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
  const child = spawn("setpriv", bwrapArgs(request, options, cwd), {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
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
  child.stdout.on("data", take("stdout"));
  child.stderr.on("data", take("stderr"));
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
