// Composes a live session from its stores once its identity is known: event sink, alarm, turns, files, tasks.

import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { Connection } from "partyserver";
import type { Config } from "../../config/config";
import { type LogFields, log as logger } from "../../log/logger";
import { AlarmMultiplexer } from "../shared/alarms";
import { lazy } from "../shared/lazy";
import type { TurnController } from "./agent/turn-controller";
import { closeIfExpired, deviceState, fanOutText, presence } from "./devices";
import type { EventLog } from "./event-log";
import { sessionHooks } from "./hooks";
import type { MetaStore } from "./meta-store";
import { TASK_DEVICE_ID } from "./push-notices";
import { SessionEvents, type SessionIdentity } from "./session-events";
import { SessionFiles } from "./storage/session-files";
import { Scheduler, SESSION_ALARMS } from "./tasks/scheduler";
import { type NewTask, type Task, TaskStore } from "./tasks/task-store";
import { createTurnController } from "./turn-wiring";
import type { UploadStore } from "./uploads/upload-store";

export interface PartsDeps {
  env: Env;
  config: Config;
  ctx: DurableObjectState;
  db: DrizzleSqliteDODatabase;
  log: EventLog;
  meta: MetaStore;
  identity: SessionIdentity;
  /** The session's uploads (the turn copies them into the workspace and shows them to the model). */
  uploads: UploadStore;
  /** The sockets connected now. */
  connections(): Iterable<Connection>;
}

/** The parts of a session that exist once it has an owner. */
export interface SessionParts {
  identity: SessionIdentity;
  events: SessionEvents;
  alarms: AlarmMultiplexer;
  /**
   * The turn machinery (providers, tools, metering), built on first use: a wake for a socket or a replay
   * does not pay for it (cold start, idle memory; issue 22).
   */
  readonly turns: TurnController;
  /** Whether a turn runs now, without building the machinery. */
  turnRunning(): boolean;
  /** The workspace's snapshots and exports, built on first use. */
  readonly files: SessionFiles;
  tasks: TaskStore;
  scheduler: Scheduler;
  /** Creates a scheduled task and books its time; an invalid one answers `{error}` with a message for the user. */
  createTask(input: NewTask): { task: Task } | { error: string };
}

/** Closes every socket whose token expired, then books the next expiry of those left. */
function closeExpiredSockets(connections: Iterable<Connection>, alarms: AlarmMultiplexer, now: number): void {
  let next: number | null = null;
  for (const connection of connections) {
    const state = deviceState(connection);
    if (!state || closeIfExpired(connection, state, now)) continue;
    if (next === null || state.exp * 1000 < next) next = state.exp * 1000;
  }
  if (next !== null) alarms.book(SESSION_ALARMS.tokenExpiry, next);
}

export function buildSessionParts(deps: PartsDeps): SessionParts {
  const { env, config, ctx, db, log, meta, identity } = deps;
  // The session's logger is made by its first line: an idle session writes none.
  const logged = lazy(() => logger.child({ session: identity.id }));
  const warn = (msg: string, detail: LogFields) => logged().warn(msg, detail);
  const alarms = new AlarmMultiplexer(ctx.storage, warn);
  const hooks = sessionHooks({
    env,
    config,
    identity,
    log,
    meta,
    alarms,
    ownerHere: () => presence(deps.connections()).some((device) => device.user === identity.owner),
    waitUntil: (promise) => ctx.waitUntil(promise),
  });
  const events = new SessionEvents(
    { log, fanOut: (_event, frame) => fanOutText(deps.connections(), frame), warn },
    hooks,
  );
  const tasks = new TaskStore(db);
  const scheduler = new Scheduler({
    alarms,
    tasks,
    snapshotIdleMs: config.sandbox.snapshotIdleMs,
    // A due task becomes a user message of the owner, from the scheduler, and starts a turn like any other.
    runTask: (task) => {
      const id = `task-${task.id}-${Date.now()}`;
      events.emit("user_message", { id, text: task.prompt, user: identity.owner, deviceId: TASK_DEVICE_ID }, id);
      turns().onUserMessage(task.prompt);
    },
  });
  const createTask = (input: NewTask): { task: Task } | { error: string } => {
    try {
      const task = tasks.create(input);
      scheduler.rearm();
      return { task };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const turns = lazy(() =>
    createTurnController({
      env,
      config,
      db,
      log,
      meta,
      identity,
      emit: (type, payload) => events.emit(type, payload),
      setAlarm: (at) => scheduler.heartbeat(at),
      createTask: async (input) => createTask(input),
      uploads: deps.uploads,
    }),
  );
  // The workspace's snapshots and exports, built on first use: an idle session takes none.
  const files = lazy(
    () =>
      new SessionFiles({
        env,
        config,
        log,
        meta,
        identity,
        announce: (m) =>
          events.emit("snapshot", {
            snapshotId: m.id,
            reason: m.reason,
            files: m.files.length,
            bytes: m.archive.bytes,
          }),
      }),
  );
  alarms
    .handle(SESSION_ALARMS.heartbeat, () => turns().recover())
    .handle(SESSION_ALARMS.tasks, () => scheduler.runDue())
    .handle(SESSION_ALARMS.idleSnapshot, async () => {
      // A running turn books a new idle time when it ends; only a workspace tools touched since the last snapshot is worth one.
      if (turns.peek()?.running) return;
      const lastTool = log.latest("tool_result")?.seq ?? 0;
      if (lastTool <= (log.latest("snapshot")?.seq ?? 0)) return;
      const outcome = await files().snapshot("idle");
      if (!outcome.ok) logged().warn("idle snapshot failed", { error: outcome.message });
    })
    .handle(SESSION_ALARMS.tokenExpiry, (now) => closeExpiredSockets(deps.connections(), alarms, now));
  return {
    identity,
    events,
    alarms,
    get turns() {
      return turns();
    },
    turnRunning: () => turns.peek()?.running ?? false,
    get files() {
      return files();
    },
    tasks,
    scheduler,
    createTask,
  };
}
