// Builds a TurnController over a real session object's storage, with a scripted provider and a config.

import { env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { type Tool, ToolRegistry } from "../../../agent/tools/types";
import { parseConfig } from "../../../config/config";
import { TurnController } from "../../../objects/session/agent/turn-controller";
import { TurnStore } from "../../../objects/session/agent/turn-store";
import { EventLog } from "../../../objects/session/event-log";
import { MetaStore } from "../../../objects/session/meta-store";
import type { SessionEvent } from "../../../protocol/frames";
import { ScriptProvider, type Step } from "./script-provider";

export interface Harness {
  /** The object's raw SQL (tests age events with it). */
  sql: SqlStorage;
  log: EventLog;
  turns: TurnStore;
  controller: TurnController;
  provider: ScriptProvider;
  events: SessionEvent[];
  alarms: (number | null)[];
  /** Facts compaction asked to remember. */
  remembered: string[];
  /** Stores a user message and hands it to the controller, as the frame handler does. */
  say(text: string): void;
  /** Waits until `count` turn_end events exist. */
  turnEnds(count?: number): Promise<SessionEvent[]>;
}

export function withHarness(
  steps: Step[],
  fn: (h: Harness) => Promise<void>,
  options: { tools?: Tool[]; vars?: Record<string, string> } = {},
): Promise<void> {
  const stub = env.SESSION.getByName(`turn-${crypto.randomUUID()}`);
  return runInDurableObject(stub, async (_object, state) => {
    const db = drizzle(state.storage);
    const log = new EventLog(db);
    const meta = new MetaStore(db);
    meta.create({ id: "s1", owner: "u@example.com", title: "t", createdAt: 1, updatedAt: 1 });
    const provider = new ScriptProvider(steps);
    const events: SessionEvent[] = [];
    const alarms: (number | null)[] = [];
    const remembered: string[] = [];
    const config = parseConfig({ DEV_AUTH: "1", LLM_MODEL: "main-model", ...options.vars });
    const turns = new TurnStore(db);
    const controller = new TurnController({
      log,
      turns,
      meta,
      identity: { id: "s1", owner: "u@example.com" },
      config,
      emit: (type, payload) => {
        const event = log.append(type, payload);
        events.push(event);
        return event;
      },
      providerFor: (model) => ({ provider, model }),
      tools: () => new ToolRegistry(options.tools ?? []),
      setAlarm: (at) => alarms.push(at),
      remember: async (facts) => {
        remembered.push(...facts);
      },
    });
    let n = 0;
    const harness: Harness = {
      sql: state.storage.sql,
      log,
      turns,
      controller,
      provider,
      events,
      alarms,
      remembered,
      say(text) {
        n++;
        events.push(log.append("user_message", { id: `u${n}`, text, user: "u@example.com" }, `u${n}`));
        controller.onUserMessage(text);
      },
      async turnEnds(count = 1) {
        const deadline = Date.now() + 5000;
        while (events.filter((e) => e.type === "turn_end").length < count) {
          if (Date.now() > deadline) throw new Error(`no turn_end; events: ${JSON.stringify(events).slice(0, 1500)}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return events;
      },
    };
    await fn(harness);
  });
}

export const types = (events: SessionEvent[]) => events.map((e) => e.type);
