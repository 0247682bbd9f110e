// One agent turn: model steps streamed as deltas, tool calls run and fed back, until done, cancelled or failed.

import { refusalMessage } from "../../../agent/providers/errors";
import type { ChatMessage, ReasoningPart, ThinkLevel } from "../../../agent/providers/types";
import { ProviderError } from "../../../agent/providers/types";
import { needsApproval, type ToolOutcome, type ToolRegistry } from "../../../agent/tools/types";
import type { EventPayloads, EventType, SessionEvent } from "../../../protocol/frames";
import { isRecord } from "../../../protocol/json";
import type { AgentConfig } from "../../../worker/config";
import type { EventLog } from "../event-log";
import { buildContext, estimateTokens } from "./context";
import { DeltaBuffer } from "./delta-buffer";
import { MeterRefusal } from "./meter";
import { type AttemptMeter, type ResolvedModel, type StepResult, streamStep, type ToolCallRequest } from "./model-call";
import type { TurnEndReason } from "./turn-store";

/** What the model reads for a tool call cancelled while it ran. */
export const CANCELLED_TOOL_TEXT = "the call was cancelled before it finished";

/** Compaction starts when the context reaches this share of the model's window. */
export const COMPACT_AT_SHARE = 0.8;

export interface TurnDeps {
  log: EventLog;
  /** Stores an event and sends it to every device. */
  emit<K extends EventType>(type: K, payload: EventPayloads[K]): SessionEvent;
  config: AgentConfig;
  models: string[];
  providerFor(ref: string): ResolvedModel;
  tools: ToolRegistry;
  sessionId: string;
  user: string;
  signal: AbortSignal;
  /** Asks the devices to approve a call; resolves false on deny, timeout or cancel. */
  approve(toolCallId: string, name: string, args: string): Promise<boolean>;
  /** Summarises older turns; returns false when there was nothing to summarise. */
  compact(reason: "auto" | "overflow"): Promise<boolean>;
  /** Called at each step so a long turn keeps its heartbeat alarm fresh. */
  heartbeat(): void;
  /** The meter of a step's attempts (budgets, rate limits, ledger); none in tests that do not need one. */
  meter?(step: number): AttemptMeter;
  /** Output tokens a call may produce. */
  maxTokens?: number;
  /** Sections the system prompt carries for this user (memory digest, skills offered). */
  promptExtras?: string;
  /** The session's `/think` level, read when the turn started (a change applies from the next turn). */
  think?: ThinkLevel;
  /** Adds the bytes of the attachments that go to the model (images of the newest turns); absent sends none. */
  attachData?(messages: ChatMessage[]): Promise<ChatMessage[]>;
}

function systemPrompt(config: AgentConfig, summary: string | null, extras = ""): string {
  const parts = [config.systemPrompt];
  if (extras) parts.push(extras);
  if (summary) parts.push(`Summary of the earlier conversation:\n${summary}`);
  return parts.join("\n\n");
}

function errorText(error: unknown): string {
  if (error instanceof ProviderError) return error.message;
  return "the model call failed";
}

async function runTool(deps: TurnDeps, turnId: string, step: number, call: ToolCallRequest): Promise<ToolOutcome> {
  deps.emit("tool_call", { turnId, step, toolCallId: call.id, name: call.name, args: call.argumentsJson });
  const tool = deps.tools.get(call.name);
  if (!tool) return { ok: false, output: `unknown tool "${call.name}"` };
  let args: unknown;
  try {
    args = call.argumentsJson.trim() === "" ? {} : JSON.parse(call.argumentsJson);
  } catch {
    return { ok: false, output: `the arguments are not valid JSON: ${call.argumentsJson.slice(0, 200)}` };
  }
  if (!isRecord(args)) return { ok: false, output: "the arguments must be a JSON object" };
  if (needsApproval(tool, args) && !(await deps.approve(call.id, call.name, call.argumentsJson))) {
    return { ok: false, output: "the user did not approve this call" };
  }
  const started = Date.now();
  try {
    return await tool.run(args, {
      sessionId: deps.sessionId,
      user: deps.user,
      signal: deps.signal,
      onOutput: (stream, text) => deps.emit("tool_output", { toolCallId: call.id, stream, text }),
    });
  } catch (error) {
    if (deps.signal.aborted) throw error;
    return { ok: false, output: `the tool failed: ${String(error)}`, durationMs: Date.now() - started };
  }
}

async function modelStep(
  deps: TurnDeps,
  turnId: string,
  step: number,
  messages: ChatMessage[],
  summary: string | null,
) {
  const buffer = new DeltaBuffer((text) => deps.emit("assistant_delta", { turnId, text }));
  const thoughts = new DeltaBuffer((text) => deps.emit("reasoning_delta", { turnId, text }));
  const finishText = (partial: boolean, parts: ReasoningPart[] = []) => {
    thoughts.flush();
    if (thoughts.text !== "" || parts.length > 0) {
      deps.emit("reasoning", { turnId, step, text: thoughts.text, ...(parts.length > 0 ? { blocks: parts } : {}) });
    }
    buffer.flush();
    if (buffer.text !== "") {
      deps.emit("assistant_message", { turnId, step, text: buffer.text, ...(partial ? { partial } : {}) });
    }
  };
  let result: StepResult;
  try {
    result = await streamStep({
      providerFor: deps.providerFor,
      models: deps.models,
      request: {
        system: systemPrompt(deps.config, summary, deps.promptExtras),
        messages,
        tools: deps.tools.specs(),
        metadata: { user: deps.user, session: deps.sessionId },
        ...(deps.maxTokens ? { maxTokens: deps.maxTokens } : {}),
        ...(deps.think ? { think: deps.think } : {}),
      },
      signal: deps.signal,
      ...(deps.meter ? { meter: deps.meter(step) } : {}),
      onText: (piece) => buffer.push(piece),
      onReasoning: (piece) => thoughts.push(piece),
    });
  } catch (error) {
    finishText(true);
    throw error;
  }
  finishText(false, result.reasoningParts);
  if (result.usage) {
    deps.emit("usage", {
      turnId,
      provider: result.provider,
      model: result.model,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      cacheReadTokens: result.usage.cacheReadTokens,
      cacheWriteTokens: result.usage.cacheWriteTokens,
    });
  }
  return result;
}

/** Runs the turn to its end and returns why it ended; every outcome is stored as events. */
export async function runTurn(deps: TurnDeps, turnId: string): Promise<TurnEndReason> {
  let compactedForOverflow = false;
  try {
    for (let step = 1; step <= deps.config.maxSteps; step++) {
      deps.heartbeat();
      let context = buildContext(deps.log);
      // A /new while this turn ran leaves nothing to answer.
      if (context.messages.length === 0) return "done";
      const withData = async () => (deps.attachData ? deps.attachData(context.messages) : context.messages);
      let messages = await withData();
      const limit = deps.config.contextTokens * COMPACT_AT_SHARE;
      if (estimateTokens(messages, systemPrompt(deps.config, context.summary)) > limit) {
        if (await deps.compact("auto")) {
          context = buildContext(deps.log);
          messages = await withData();
        }
      }
      let result: StepResult;
      try {
        result = await modelStep(deps, turnId, step, messages, context.summary);
      } catch (error) {
        const overflow = error instanceof ProviderError && error.code === "context_overflow";
        if (overflow && !compactedForOverflow && (await deps.compact("overflow"))) {
          compactedForOverflow = true;
          step--;
          continue;
        }
        throw error;
      }
      if (result.toolCalls.length === 0) return "done";
      for (const call of result.toolCalls) {
        let outcome: ToolOutcome;
        try {
          outcome = await runTool(deps, turnId, step, call);
        } catch (error) {
          // A call the model made is always answered, so the next context is one the provider accepts.
          deps.emit("tool_result", { toolCallId: call.id, ok: false, output: CANCELLED_TOOL_TEXT });
          throw error;
        }
        deps.emit("tool_result", { toolCallId: call.id, ...outcome });
      }
    }
    deps.emit("error", { code: "step_limit", message: `the turn stopped after ${deps.config.maxSteps} model calls` });
    return "step_limit";
  } catch (error) {
    if (deps.signal.aborted) return "cancelled";
    if (error instanceof MeterRefusal) {
      deps.emit("error", { code: error.code, message: refusalMessage(error.message, error.retryAfterSeconds) });
      return error.reason;
    }
    const code = error instanceof ProviderError ? error.code : "internal_error";
    const cut = error instanceof ProviderError && "partial" in error && error.partial === true;
    const message = cut ? `${errorText(error)} (the answer above is incomplete)` : errorText(error);
    if (!(error instanceof ProviderError))
      console.error(JSON.stringify({ level: "error", msg: "turn failed", error: String(error) }));
    deps.emit("error", { code, message });
    return "error";
  }
}
