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

/** Whether this call of the tool needs the user's approval. */
export function needsApproval(tool: Tool, args: Record<string, unknown>): boolean {
  return typeof tool.needsApproval === "function" ? tool.needsApproval(args) : tool.needsApproval === true;
}

/** The most tools a call may offer: OpenAI refuses a request with more ("array too long"). */
export const MAX_OFFERED_TOOLS = 128;

/** The tools offered in one session, by name: the first MAX_OFFERED_TOOLS (built-ins come first), the rest left out. */
export class ToolRegistry {
  readonly #tools = new Map<string, Tool>();
  /** Names of the tools past the limit, which the model is not offered. */
  readonly leftOut: string[] = [];

  constructor(tools: Tool[] = []) {
    for (const tool of tools) {
      if (this.#tools.size < MAX_OFFERED_TOOLS || this.#tools.has(tool.spec.name))
        this.#tools.set(tool.spec.name, tool);
      else this.leftOut.push(tool.spec.name);
    }
  }

  get(name: string): Tool | undefined {
    return this.#tools.get(name);
  }

  specs(): ToolSpec[] {
    return [...this.#tools.values()].map((tool) => tool.spec);
  }
}
