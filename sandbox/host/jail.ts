// Starts the one runner (sandbox/runner/edgeclaw-runner.sh) inside bubblewrap as the unprivileged user, with
// one workspace folder mounted at /workspace: commands, file operations, extraction and cleanup all go here,
// so the host itself never touches a path a sandboxed process can change.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Limits } from "./limits.ts";
import { SANDBOX_GID, SANDBOX_UID } from "./limits.ts";

/** The runner script in the source tree (the host reads it once at start). */
export const RUNNER_PATH = fileURLToPath(new URL("../runner/edgeclaw-runner.sh", import.meta.url));

/** Whether bubblewrap can be run here. */
export function bwrapAvailable(): boolean {
  return spawnSync("bwrap", ["--version"], { stdio: "ignore" }).status === 0;
}

export interface JailOptions {
  /** The runner's source (run with `bash -c`, so nothing is mounted for it). */
  runner: string;
  /** Host folder mounted at /workspace (writable). */
  workspace: string;
  limits: Limits;
  /** Whether the sandbox shares the host's network. */
  network?: boolean;
  /** A file (a root-owned path) mounted read-only at /run/edgeclaw/input. */
  input?: string;
  /** Environment variables the command gets (names already validated). */
  env?: Record<string, string>;
  /** The compiled seccomp filter file, or none where the filter cannot apply. */
  seccompFile: string | null;
}

function bwrapArgs(options: JailOptions, runnerArgs: string[]): string[] {
  const { limits } = options;
  const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["--setenv", k, v]);
  // The layout of the sandbox: a read-only minimal root, /tmp of bounded size, the workspace writable.
  const layout: string[][] = [
    ["--ro-bind", "/usr", "/usr"],
    ["--symlink", "usr/bin", "/bin"],
    ["--symlink", "usr/sbin", "/sbin"],
    ["--symlink", "usr/lib", "/lib"],
    ["--symlink", "usr/lib64", "/lib64"],
    ["--ro-bind-try", "/etc/alternatives", "/etc/alternatives"],
    ["--ro-bind-try", "/etc/ssl", "/etc/ssl"],
    ["--proc", "/proc"],
    ["--dev", "/dev"],
    ["--size", String(limits.MAX_TMP_BYTES), "--tmpfs", "/tmp"],
    options.input ? ["--ro-bind", options.input, "/run/edgeclaw/input"] : [],
    ["--bind", options.workspace, "/workspace"],
    ["--chdir", "/workspace"],
  ];
  return [
    `--reuid=${SANDBOX_UID}`,
    `--regid=${SANDBOX_GID}`,
    "--clear-groups",
    "bwrap",
    "--unshare-all",
    ...(options.network ? ["--share-net"] : []),
    "--die-with-parent",
    "--new-session",
    ...(options.seccompFile ? ["--seccomp", "3"] : []),
    ...layout.flat(),
    "--clearenv",
    ...["--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin"],
    ...["--setenv", "HOME", "/workspace"],
    ...["--setenv", "LANG", "C.UTF-8"],
    ...["--setenv", "TERM", "dumb"],
    ...env,
    "--",
    "/bin/bash",
    "-c",
    options.runner,
    "edgeclaw-runner",
    ...runnerArgs,
  ];
}

/** Spawns the runner with `runnerArgs` in a fresh sandbox over `options.workspace`. */
export function spawnInJail(
  options: JailOptions,
  runnerArgs: string[],
  stdin: "pipe" | "ignore" = "ignore",
): ChildProcess {
  // Nothing of the host's environment reaches the sandbox: the launcher gets PATH alone.
  const env: NodeJS.ProcessEnv = Object.create(null);
  env.PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
  const filter = options.seccompFile ? openSync(options.seccompFile, "r") : null;
  try {
    return spawn("setpriv", bwrapArgs(options, runnerArgs), {
      env,
      stdio: [stdin, "pipe", "pipe", ...(filter === null ? [] : [filter])],
    });
  } finally {
    if (filter !== null) closeSync(filter);
  }
}

export interface JailResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the runner to completion, collecting its output (for file operations, not commands). */
export function runInJail(
  options: JailOptions,
  runnerArgs: string[],
  input?: AsyncIterable<Uint8Array>,
): Promise<JailResult> {
  const child = spawnInJail(options, runnerArgs, input ? "pipe" : "ignore");
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => {
      if (err.length < 4096) err += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err.trim() }));
    if (input && child.stdin) {
      const sink = child.stdin;
      sink.on("error", () => undefined);
      const closed = new Promise((r) => sink.once("close", r));
      (async () => {
        // Once the runner stops reading (it refused the bytes), the rest is still read and dropped: the request
        // carrying them must end for its connection to serve the next one.
        for await (const chunk of input) {
          if (sink.destroyed || sink.writableEnded) continue;
          if (!sink.write(chunk)) await Promise.race([new Promise((r) => sink.once("drain", r)), closed]);
        }
        if (!sink.destroyed) sink.end();
      })().catch(() => child.kill("SIGKILL"));
    }
  });
}
