// Runs one turn at a time per session: queueing or interrupting, commands, approvals, cancel, and reset recovery.

import { isAllowedModel } from "../../../agent/pricing/model-policy";
import type { ChatMessage } from "../../../agent/providers/types";
import type { ToolRegistry } from "../../../agent/tools/types";
import type { Config } from "../../../config/config";
import { log } from "../../../log/logger";
import type { EventPayloads, EventType, SessionEvent } from "../../../protocol/frames";
import type { EventLog } from "../event-log";
import type { MetaStore } from "../meta-store";
import type { SessionIdentity } from "../session-events";
import { type Command, helpText, parseCommand } from "./commands";
import { compactSession } from "./compact";
import type { AttemptMeter, ResolvedModel } from "./model-call";
import { isThinkLevel } from "./think-level";
import { runTurn } from "./turn-runner";
import type { TurnEndReason, TurnStore } from "./turn-store";

/** While a turn runs, an alarm this far ahead wakes the object if it was reset, to seal the turn. */
export const HEARTBEAT_MS = 30 * 1000;

export interface ControllerDeps {
  log: EventLog;
  turns: TurnStore;
  meta: MetaStore;
  /** The session this controller runs turns for. */
  identity: SessionIdentity;
  config: Config;
  emit<K extends EventType>(type: K, payload: EventPayloads[K]): SessionEvent;
  providerFor(ref: string): ResolvedModel;
  tools(): ToolRegistry | Promise<ToolRegistry>;
  setAlarm(at: number | null): void;
  /** Metering of a turn's model calls; absent, calls are neither limited nor recorded. */
  metering?: TurnMetering;
  /** What the system prompt carries for this user: memory digest, skills offered. */
  promptExtras?(): Promise<string>;
  /** Writes facts to the user's memory (daily notes) when compaction flushes them. */
  remember?(facts: string[]): Promise<void>;
  /** Adds the bytes of the attachments that go to the model with a call (see attachment-data.ts). */
  attachData?(messages: ChatMessage[]): Promise<ChatMessage[]>;
}

export interface TurnMetering {
  /** Clears the turn's running mark for the user (its first call's admission set it). */
  endTurn(turnId: string): Promise<void>;
  meter(turnId: string, step: number): AttemptMeter;
  recordFeedback(turnId: string, session: string, variant: string | null, rating: "up" | "down"): Promise<void>;
}

interface Running {
  id: string;
  abort: AbortController;
}

export class TurnController {
  readonly #deps: ControllerDeps;
  #running: Running | null = null;
  readonly #approvals = new Map<string, (approved: boolean) => void>();

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  get running(): boolean {
    return this.#running !== null;
  }

  /** A stored user message: a command is carried out, anything else queues (or interrupts) a turn. */
  onUserMessage(text: string): void {
    const command = parseCommand(text);
    if (command) {
      this.#command(command);
      return;
    }
    this.#resetIfIdle();
    this.#deps.turns.enqueue();
    if (this.#running && this.#deps.meta.get()?.queueMode === "interrupt") this.cancel();
    this.#pump();
  }

  /** With SESSION_RESET_IDLE_MINUTES, a message after that long a pause starts a fresh context. */
  #resetIfIdle(): void {
    const idleMs = this.#deps.config.agent.resetIdleMs;
    if (idleMs === 0) return;
    const lastEnd = this.#deps.log.latest("turn_end");
    if (!lastEnd || Date.now() - lastEnd.at < idleMs) return;
    const latest = this.#deps.log.latest("compaction");
    if (latest && latest.seq > lastEnd.seq) return;
    const user = this.#deps.log.latest("user_message");
    this.#deps.emit("compaction", {
      summary: "",
      throughSeq: (user?.seq ?? this.#deps.log.lastSeq) - 1,
      reason: "reset",
    });
    this.#notice("reset", "fresh context after a long pause (earlier turns stay here)");
  }

  cancel(): boolean {
    if (!this.#running) return false;
    this.#running.abort.abort(new Error("cancelled"));
    return true;
  }

  /** Stores a rating of one of this session's turns and joins it to the ledger; false when no such turn. */
  feedback(turnId: string, rating: "up" | "down", user: string): boolean {
    if (!this.#deps.turns.exists(turnId)) return false;
    this.#deps.emit("feedback", { turnId, rating, user });
    const variant = this.#deps.meta.get()?.variant ?? null;
    void this.#deps.metering?.recordFeedback(turnId, this.#deps.identity.id, variant, rating);
    return true;
  }

  decide(toolCallId: string, approve: boolean): boolean {
    const resolve = this.#approvals.get(toolCallId);
    if (!resolve) return false;
    resolve(approve);
    return true;
  }

  /** On wake and on the heartbeat alarm: turns marked running with no runner here were cut by a reset. */
  recover(): void {
    if (this.#running) {
      this.#deps.setAlarm(Date.now() + HEARTBEAT_MS);
      return;
    }
    for (const row of this.#deps.turns.running()) {
      this.#deps.emit("error", { code: "turn_interrupted", message: "the session restarted during this turn" });
      this.#finish(row.id, "interrupted");
    }
    this.#pump();
  }

  #notice(topic: string, text: string): void {
    this.#deps.emit("notice", { topic, text });
  }

  #command({ name, arg }: Command): void {
    const reply = this.#commandReply(name, arg);
    if (reply !== null) this.#notice(name.slice(1), reply);
  }

  /** Carries out a command; returns the notice to show, or null when it answers later (or not at all). */
  #commandReply(name: Command["name"], arg: string): string | null {
    const { meta, config, log } = this.#deps;
    switch (name) {
      case "/help":
        return helpText();
      case "/model":
        if (arg === "") return `model: ${meta.get()?.model ?? config.llmModel}`;
        if (!/^[\w.:/@-]{1,128}$/.test(arg)) return "that is not a model name";
        if (!isAllowedModel(config, arg)) return `${arg} is not among the models this deployment allows`;
        meta.setModel(arg);
        return `model set to ${arg} for this session`;
      case "/new":
      case "/reset":
        this.#deps.emit("compaction", { summary: "", throughSeq: log.lastSeq, reason: "reset" });
        return "fresh context: earlier turns stay here but the model no longer sees them";
      case "/usage":
        return usageText(log);
      case "/cancel":
        return this.cancel() ? null : "no turn is running";
      case "/think":
        if (arg === "") return `reasoning: ${meta.get()?.thinkLevel ?? "the model's default"}`;
        if (!isThinkLevel(arg)) return "use /think off, /think low or /think high";
        meta.setThinkLevel(arg);
        return `reasoning ${arg} from the next turn`;
      case "/compact":
        if (this.#running) return "a turn is running; try again when it ends";
        void this.#compact("manual", new AbortController().signal, `compact-${crypto.randomUUID()}`).then((done) => {
          if (!done) this.#notice("compact", "nothing to compact yet");
        });
        return null;
    }
  }

  #models(): string[] {
    const main = this.#deps.meta.get()?.model ?? this.#deps.config.llmModel;
    return [main, ...this.#deps.config.agent.fallbackModels.filter((model) => model !== main)];
  }

  #compact(reason: "auto" | "overflow" | "manual", signal: AbortSignal, turnId: string): Promise<boolean> {
    const metering = this.#deps.metering;
    const meter = metering ? metering.meter(turnId, 0) : undefined;
    const remember = this.#deps.remember;
    const extras = { ...(meter ? { meter } : {}), ...(remember ? { remember } : {}) };
    return compactSession({ ...this.#deps, models: this.#models(), signal, reason, ...extras }).catch(
      (error: unknown) => {
        this.#notice("compact", `compaction failed: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      },
    );
  }

  #approve(signal: AbortSignal, toolCallId: string, name: string, args: string): Promise<boolean> {
    const timeoutMs = this.#deps.config.sandbox.approvalTimeoutMs;
    const expiresAt = Date.now() + timeoutMs;
    this.#deps.emit("approval_request", { toolCallId, name, args, expiresAt });
    return new Promise((resolve) => {
      const done = (approved: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.#approvals.delete(toolCallId);
        resolve(approved);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#approvals.set(toolCallId, done);
    });
  }

  /** Starts the next queued turn when none runs. */
  #pump(): void {
    if (this.#running) return;
    const next = this.#deps.turns.nextQueued();
    if (!next) return;
    const abort = new AbortController();
    this.#running = { id: next.id, abort };
    void this.#run(next.id, abort.signal)
      .catch((error: unknown) => {
        log.error("turn crashed", { turn: next.id, error: String(error) });
        return "error" as const;
      })
      .then((reason) => {
        this.#running = null;
        this.#finish(next.id, reason);
        void this.#deps.metering?.endTurn(next.id);
        this.#pump();
      });
  }

  async #run(turnId: string, signal: AbortSignal): Promise<TurnEndReason> {
    const models = this.#models();
    // Read once: a /think sent during this turn applies from the next one, never inside its tool loop.
    const think = this.#deps.meta.get()?.thinkLevel;
    const model = models[0] ?? this.#deps.config.llmModel;
    this.#deps.turns.start(turnId, model);
    this.#deps.emit("turn_start", { turnId, model });
    this.#deps.setAlarm(Date.now() + HEARTBEAT_MS);
    const metering = this.#deps.metering;
    // The tools and the prompt's extras come from different objects: asked for at once, so the model call
    // waits for the slower, not their sum. The turn is marked running for the user (the concurrent-turn
    // limit) by its first call's admission, in the same round trip.
    const tools = Promise.resolve().then(() => this.#deps.tools());
    const extras = this.#deps.promptExtras ? this.#deps.promptExtras().catch(() => "") : Promise.resolve("");
    return runTurn(
      {
        ...this.#deps,
        config: this.#deps.config.agent,
        models,
        tools: await tools,
        sessionId: this.#deps.identity.id,
        user: this.#deps.identity.owner,
        signal,
        approve: (id, name, args) => this.#approve(signal, id, name, args),
        compact: (reason) => this.#compact(reason, signal, turnId),
        heartbeat: () => this.#deps.setAlarm(Date.now() + HEARTBEAT_MS),
        maxTokens: this.#deps.config.metering.maxOutputTokens,
        ...(think ? { think } : {}),
        promptExtras: await extras,
        ...(metering ? { meter: (step: number) => metering.meter(turnId, step) } : {}),
      },
      turnId,
    );
  }

  #finish(turnId: string, reason: TurnEndReason): void {
    this.#deps.emit("turn_end", { turnId, reason });
    this.#deps.turns.end(turnId, reason);
    if (!this.#running && !this.#deps.turns.nextQueued()) this.#deps.setAlarm(null);
  }
}

function usageText(log: EventLog): string {
  const totals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, calls: 0 };
  for (const event of log.allOf(["usage"], 0)) {
    if (event.type !== "usage") continue;
    totals.inputTokens += event.inputTokens;
    totals.outputTokens += event.outputTokens;
    totals.cacheReadTokens += event.cacheReadTokens;
    totals.cacheWriteTokens += event.cacheWriteTokens;
    totals.calls++;
  }
  return `${totals.calls} model calls: ${totals.inputTokens} input, ${totals.outputTokens} output, ${totals.cacheReadTokens} cache read, ${totals.cacheWriteTokens} cache write tokens`;
}
