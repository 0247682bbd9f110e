// Builds a session's TurnController from its stores and environment: providers, tools, metering, alarms.

import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { userMcpTools } from "../../agent/mcp/session-tools";
import { aiBinding } from "../../agent/providers/ai-binding";
import { createProvider, parseModelRef } from "../../agent/providers/factory";
import { artifactTool } from "../../agent/tools/artifacts";
import { clockTool } from "../../agent/tools/clock";
import { effectivePolicy } from "../../agent/tools/exec-policy";
import { MODEL_NOTE_RULE, memoryDigest, memoryTools, modelNote } from "../../agent/tools/memory";
import { scheduleTool } from "../../agent/tools/schedule";
import { skillsDigest, skillTool } from "../../agent/tools/skills";
import { ToolRegistry } from "../../agent/tools/types";
import { webFetchTool } from "../../agent/tools/web-fetch";
import { workspaceTools } from "../../agent/tools/workspace";
import type { Config } from "../../config/config";
import { log } from "../../log/logger";
import type { EventPayloads, EventType, SessionEvent } from "../../protocol/frames";
import { createSandbox } from "../../sandbox/factory";
import { usageByScope, userDirectory } from "../names";
import { cachedLoader, withAttachmentData } from "./agent/attachment-data";
import { createMeter } from "./agent/meter";
import { Settlements } from "./agent/settlements";
import { TurnController } from "./agent/turn-controller";
import { TurnStore } from "./agent/turn-store";
import type { EventLog } from "./event-log";
import { SessionLedger } from "./ledger-store";
import type { MetaStore } from "./meta-store";
import type { SessionIdentity } from "./session-events";
import { withAutoRestore } from "./storage/auto-restore";
import { artifactKey, uploadKey } from "./storage/keys";
import type { NewTask, Task } from "./tasks/task-store";
import type { UploadStore } from "./uploads/upload-store";
import { withUploadCopy } from "./uploads/workspace-copy";

export interface WiringDeps {
  env: Env;
  config: Config;
  db: DrizzleSqliteDODatabase;
  log: EventLog;
  meta: MetaStore;
  identity: SessionIdentity;
  emit<K extends EventType>(type: K, payload: EventPayloads[K]): SessionEvent;
  setAlarm(at: number | null): void;
  /** Creates a scheduled task of this session. */
  createTask(input: NewTask): Promise<{ task: Task } | { error: string }>;
  uploads: UploadStore;
}

/** The bytes of one upload of the session, or null when they are gone. */
async function uploadBytes(bucket: R2Bucket, sessionId: string, id: string): Promise<Uint8Array | null> {
  const object = await bucket.get(uploadKey(sessionId, id));
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

export function createTurnController(deps: WiringDeps): TurnController {
  const config = deps.config;
  const { id, owner } = deps.identity;
  const usage = (scope: string) => usageByScope(deps.env, scope);
  // Origins web_fetch reached in this session (while the object stays in memory); under `ask` others ask first.
  const fetchedOrigins = new Set<string>();
  // A turn's calls settle after its answer; its running-turn mark is cleared once they have.
  const settlements = new Settlements();
  // The session's copy of the ledger, with its insert prepared once for every call of the session.
  const ledger = new SessionLedger(deps.db);
  const loadAttachment = cachedLoader((upload) => uploadBytes(deps.env.FILES, id, upload));
  return new TurnController({
    log: deps.log,
    turns: new TurnStore(deps.db),
    meta: deps.meta,
    identity: deps.identity,
    config,
    emit: deps.emit,
    providerFor: (ref) => {
      const { provider, model } = parseModelRef(ref, config.llmProvider);
      const providerDeps = { fetch: (input: string, init: RequestInit) => fetch(input, init), ai: aiBinding(deps.env) };
      return { provider: createProvider({ ...config.agent, provider, model }, providerDeps), model };
    },
    tools: async () => {
      const policy = effectivePolicy(config.sandbox.execPolicy, deps.meta.get()?.execPolicy);
      // Restore first (an empty workspace gets its newest snapshot), then copy the uploads in.
      const restored = withAutoRestore(createSandbox(deps.env, config), deps.env.FILES, id);
      const sandbox = withUploadCopy(restored, {
        sessionId: id,
        pending: () => deps.uploads.notCopied(),
        load: (upload) => uploadBytes(deps.env.FILES, id, upload),
        markCopied: (upload) => deps.uploads.markCopied(upload),
      });
      const tools = workspaceTools(sandbox, {
        execNeedsApproval: policy === "ask",
        timeoutMs: config.sandbox.execTimeoutMs,
        networkHosts: config.sandboxMode === "cloudflare" ? config.sandbox.allowedHosts : [],
      });
      const offered = tools.filter((tool) => policy !== "deny" || tool.spec.name !== "exec");
      const memoryStore = userDirectory(deps.env, owner);
      const fetcher = (url: string, init: RequestInit) => fetch(url, init);
      const registry = new ToolRegistry([
        clockTool,
        ...offered,
        artifactTool(sandbox, deps.env.FILES, artifactKey),
        webFetchTool(fetcher, { policy: config.outbound, origins: { ask: policy !== "auto", known: fetchedOrigins } }),
        ...memoryTools(memoryStore, { writeNeedsApproval: policy !== "auto" }),
        skillTool(memoryStore),
        scheduleTool(deps.createTask),
        ...(await userMcpTools((user) => userDirectory(deps.env, user), config, owner, id)),
      ]);
      if (registry.leftOut.length > 0)
        log.warn("tools left out: more than a call may offer", { session: id, leftOut: registry.leftOut.join(", ") });
      return registry;
    },
    setAlarm: deps.setAlarm,
    attachData: (messages) =>
      withAttachmentData(messages, { imageTurns: config.uploads.imageTurns, load: loadAttachment }),
    remember: async (facts) => {
      const directory = userDirectory(deps.env, owner);
      for (const fact of facts.slice(0, 20)) await directory.memoryWrite("daily", modelNote(fact));
    },
    promptExtras: async () => {
      const { notes, skills } = await userDirectory(deps.env, owner).promptContext();
      const memory = memoryDigest(notes);
      const sections = [
        memory
          ? `What you remember about the user (memory_read for more, memory_write to add):\n${memory}\n${MODEL_NOTE_RULE}`
          : "",
        skillsDigest(skills),
      ];
      return sections.filter(Boolean).join("\n\n");
    },
    metering: {
      endTurn: async (turnId) => {
        settlements.endTurn(turnId, () => usage(`user:${owner}`).endTurn(turnId));
        await settlements.idle();
      },
      recordFeedback: (turnId, session, variant, rating) =>
        usage(`user:${owner}`).recordFeedback(turnId, session, variant, rating),
      meter: (turnId, step) => {
        const meta = deps.meta.get();
        return createMeter({
          usage,
          config,
          user: owner,
          sessionId: id,
          variant: meta?.variant ?? null,
          cacheTtl: meta?.cacheTtl ?? null,
          turnId,
          step: () => step,
          record: (row) => ledger.record(row),
          settlements,
          onWarnings: (warnings) => {
            for (const w of warnings) {
              deps.emit("budget_warning", {
                period: w.period,
                percent: w.percent,
                spentUsd: w.spentMicros / 1e6,
                limitUsd: w.limitMicros / 1e6,
                resetsAt: w.resetsAt,
              });
            }
          },
        });
      },
    },
  });
}
