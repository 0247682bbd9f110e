// The agent's hands: exec, read_file, write_file, edit_file and list_files, run in the session's sandbox.

import type { SandboxBackend } from "../../sandbox/types";
import { SandboxError } from "../../sandbox/types";
import type { Tool, ToolOutcome } from "./types";

/** Text a file tool returns to the model at most. */
const MAX_READ_CHARS = 100_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A sandbox error as a failed result the model can read; anything else is a bug and is thrown. */
export function failure(error: unknown): ToolOutcome {
  if (error instanceof SandboxError) return { ok: false, output: `${error.code}: ${error.message}` };
  throw error;
}

function str(args: Record<string, unknown>, name: string): string {
  const value = args[name];
  if (typeof value !== "string") throw new SandboxError("bad_request", `"${name}" must be a string`);
  return value;
}

export interface WorkspaceToolOptions {
  /** Whether exec needs the user's approval (the session's policy is "ask"). */
  execNeedsApproval: boolean;
  /** Default and maximum command timeout. */
  timeoutMs: number;
  /** Hosts commands may reach (none: no network at all); told to the model as it is. */
  networkHosts?: readonly string[];
}

/** What the model is told about the network, true to the sandbox's setting. */
export function networkNote(hosts: readonly string[] = []): string {
  return hosts.length === 0 ? "No network access." : `Network access only to: ${hosts.join(", ")}.`;
}

export function workspaceTools(sandbox: SandboxBackend, options: WorkspaceToolOptions): Tool[] {
  const exec: Tool = {
    spec: {
      name: "exec",
      description: `Run a shell command (bash) in the session's workspace. ${networkNote(options.networkHosts)} Returns exit code and output.`,
      parameters: {
        type: "object",
        properties: {
          command: { type: "string", description: "The bash command line" },
          cwd: { type: "string", description: "Directory relative to the workspace" },
          timeoutMs: { type: "integer", description: `Timeout in ms (default and max ${options.timeoutMs})` },
        },
        required: ["command"],
      },
    },
    needsApproval: options.execNeedsApproval,
    async run(args, ctx) {
      try {
        const timeout =
          typeof args.timeoutMs === "number" ? Math.min(args.timeoutMs, options.timeoutMs) : options.timeoutMs;
        const result = await sandbox.exec(
          ctx.sessionId,
          {
            command: str(args, "command"),
            ...(typeof args.cwd === "string" ? { cwd: args.cwd } : {}),
            timeoutMs: timeout,
          },
          { signal: ctx.signal, onOutput: (stream, text) => ctx.onOutput(stream, text) },
        );
        const status = result.timedOut
          ? `timed out after ${timeout} ms`
          : `exit code ${result.exitCode ?? result.signal}`;
        const output = [
          `${status}`,
          result.stdout && `stdout:\n${result.stdout}`,
          result.stderr && `stderr:\n${result.stderr}`,
        ];
        return {
          ok: result.exitCode === 0 && !result.timedOut,
          output: output.filter(Boolean).join("\n"),
          ...(result.exitCode === null ? {} : { exitCode: result.exitCode }),
          durationMs: result.durationMs,
          truncated: result.truncated,
        };
      } catch (error) {
        return failure(error);
      }
    },
  };

  const readFile: Tool = {
    spec: {
      name: "read_file",
      description: "Read a text file of the workspace.",
      parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    },
    async run(args, ctx) {
      try {
        const text = decoder.decode(await sandbox.readFile(ctx.sessionId, str(args, "path")));
        const cut = text.length > MAX_READ_CHARS;
        return { ok: true, output: cut ? `${text.slice(0, MAX_READ_CHARS)}\n[truncated]` : text, truncated: cut };
      } catch (error) {
        return failure(error);
      }
    },
  };

  const writeFile: Tool = {
    spec: {
      name: "write_file",
      description: "Create or overwrite a file of the workspace (parent directories are created).",
      parameters: {
        type: "object",
        properties: { path: { type: "string" }, content: { type: "string" } },
        required: ["path", "content"],
      },
    },
    async run(args, ctx) {
      try {
        const content = encoder.encode(str(args, "content"));
        await sandbox.writeFile(ctx.sessionId, str(args, "path"), content);
        return { ok: true, output: `wrote ${content.length} bytes to ${str(args, "path")}` };
      } catch (error) {
        return failure(error);
      }
    },
  };

  const editFile: Tool = {
    spec: {
      name: "edit_file",
      description: "Replace an exact piece of text in a file. Fails unless old_text occurs exactly once.",
      parameters: {
        type: "object",
        properties: { path: { type: "string" }, old_text: { type: "string" }, new_text: { type: "string" } },
        required: ["path", "old_text", "new_text"],
      },
    },
    async run(args, ctx) {
      try {
        const path = str(args, "path");
        const oldText = str(args, "old_text");
        const text = decoder.decode(await sandbox.readFile(ctx.sessionId, path));
        const count = oldText === "" ? 0 : text.split(oldText).length - 1;
        if (count !== 1)
          return { ok: false, output: `old_text occurs ${count} times in ${path}; it must occur exactly once` };
        await sandbox.writeFile(
          ctx.sessionId,
          path,
          encoder.encode(text.replace(oldText, () => str(args, "new_text"))),
        );
        return { ok: true, output: `edited ${path}` };
      } catch (error) {
        return failure(error);
      }
    },
  };

  const listFiles: Tool = {
    spec: {
      name: "list_files",
      description: "List a directory of the workspace.",
      parameters: {
        type: "object",
        properties: { path: { type: "string", description: "Default: the workspace root" } },
      },
    },
    async run(args, ctx) {
      try {
        const entries = await sandbox.listFiles(ctx.sessionId, typeof args.path === "string" ? args.path : ".");
        const lines = entries.map(
          (e) => `${e.type === "dir" ? "d" : e.type === "symlink" ? "l" : "-"} ${e.size}\t${e.name}`,
        );
        return { ok: true, output: lines.join("\n") || "(empty)" };
      } catch (error) {
        return failure(error);
      }
    },
  };

  return [exec, readFile, writeFile, editFile, listFiles];
}
