// The tool interface the agent loop uses: what a tool offers the model and how it runs.

import type { ToolSpec } from "../providers/types";

/** What a tool returns to the model and the devices. */
export interface ToolOutcome {
  ok: boolean;
  /** The text the model sees. */
  output: string;
  exitCode?: number;
  durationMs?: number;
  truncated?: boolean;
}

/** What a running tool may use. */
export interface ToolContext {
  /** The session the call belongs to (workspace, artifacts). */
  sessionId: string;
  /** The user it runs for. */
  user: string;
  /** Aborted when the turn is cancelled: the tool stops at once. */
  signal: AbortSignal;
  /** Streams output to every device as it comes. */
  onOutput(stream: "stdout" | "stderr", text: string): void;
}

export interface Tool {
  spec: ToolSpec;
  /** Whether a call must be approved by the user first, under the session's policy (per call when a function). */
  needsApproval?: boolean | ((args: Record<string, unknown>) => boolean);
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome>;
}

/** The tools offered in one session, by name. */
/** Whether this call of the tool needs the user's approval. */
export function needsApproval(tool: Tool, args: Record<string, unknown>): boolean {
  return typeof tool.needsApproval === "function" ? tool.needsApproval(args) : tool.needsApproval === true;
}

export class ToolRegistry {
  readonly #tools = new Map<string, Tool>();

  constructor(tools: Tool[] = []) {
    for (const tool of tools) this.#tools.set(tool.spec.name, tool);
  }

  get(name: string): Tool | undefined {
    return this.#tools.get(name);
  }

  specs(): ToolSpec[] {
    return [...this.#tools.values()].map((tool) => tool.spec);
  }
}
