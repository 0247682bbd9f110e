// The session Durable Object: a hibernating partyserver Server that wires the event log, devices and RPC.

import { drizzle } from "drizzle-orm/durable-sqlite";
import { type Connection, type ConnectionContext, Server, type WSMessage } from "partyserver";
import { modelInfo } from "../../agent/providers/factory";
import type { Config } from "../../config/config";
import type { ExecPolicy } from "../../config/sandbox";
import { type Logger, log } from "../../log/logger";
import migrations from "../../migrations/session/migrations.js";
import { AppError, isAppError } from "../../protocol/errors";
import {
  CLOSE_SESSION_DELETED,
  CLOSE_TERMINATED,
  PING_FRAME,
  PONG_FRAME,
  type ServerFrame,
  type SessionEvent,
} from "../../protocol/frames";
import { decodeIdentity, IDENTITY_HEADER } from "../../protocol/identity";
import { parseClientFrame } from "../../protocol/parse-frame";
import type { Attachment } from "../../protocol/uploads";
import { migrate } from "../shared/migrate";
import type { TurnController } from "./agent/turn-controller";
import { TurnStore } from "./agent/turn-store";
import { type ApiTurnInput, type ApiTurnResult, apiTurn } from "./api-turn";
import { autoTitle } from "./auto-title";
import { closeIfExpired, type DeviceState, deviceState, fanOut, presence, send } from "./devices";
import { EventLog, TRANSCRIPT_TYPES } from "./event-log";
import { type FrameContext, handleFrame } from "./frame-handler";
import { SessionLedger } from "./ledger-store";
import { MetaStore, type NewSession, type QueueMode, type SessionMeta } from "./meta-store";
import { callsForPush, notifyOwner, TASK_DEVICE_ID } from "./push-notices";
import { FrameRateLimiter } from "./rate-limit";
import type { ChannelMessage, MessagesPage, SessionInspection, SessionRpc } from "./rpc";
import { SessionFiles, type SnapshotSummary } from "./storage/session-files";
import type { SnapshotOutcome } from "./storage/snapshots";
import { Scheduler } from "./tasks/scheduler";
import { type NewTask, type Task, TaskStore } from "./tasks/task-store";
import { TurnStreams } from "./turn-stream";
import { createTurnController } from "./turn-wiring";
import { attachmentsFor, sweepUploads } from "./uploads/session-uploads";
import { UploadStore } from "./uploads/upload-store";

/** Largest transcript page over RPC. */
const MAX_MESSAGES_PAGE = 200;

export class SessionObject extends Server<Env> implements SessionRpc {
  static override options = { hibernate: true };

  readonly #db = drizzle(this.ctx.storage);
  #log: EventLog | undefined;
  #metaStore: MetaStore | undefined;
  #turnController: TurnController | undefined;
  #sessionFiles: SessionFiles | undefined;
  #schedulerInstance: Scheduler | undefined;
  #taskStore: TaskStore | undefined;
  #uploadStore: UploadStore | undefined;
  #turnStreams: TurnStreams | undefined;
  readonly #config: Config;
  readonly #rateLimiter: FrameRateLimiter;
  /**
   * The sockets, listed once and kept until one connects or closes: partyserver's iterator decodes every
   * socket's attachment on each pass, which every frame sent would pay (rebuilt after a wake, so nothing
   * per socket lives only in memory).
   */
  #socketList: Connection[] | undefined;

  /** `config` is the worker's, handed in by the class wrangler binds (worker/objects.ts). */
  constructor(ctx: DurableObjectState, env: Env, config: Config) {
    super(ctx, env);
    this.#config = config;
    this.#rateLimiter = new FrameRateLimiter(config.framesPerSecond);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, migrations);
    });
  }

  /** Lines about this session carry its id. */
  get #logger(): Logger {
    return log.child({ session: this.name });
  }

  get #events(): EventLog {
    this.#log ??= new EventLog(this.#db);
    return this.#log;
  }

  /** Turns streamed to /v1 callers as their events are stored. */
  get #streams(): TurnStreams {
    this.#turnStreams ??= new TurnStreams(this.#events);
    return this.#turnStreams;
  }

  get #meta(): MetaStore {
    this.#metaStore ??= new MetaStore(this.#db);
    return this.#metaStore;
  }

  get #turns(): TurnController {
    this.#turnController ??= createTurnController({
      env: this.env,
      config: this.#config,
      db: this.#db,
      log: this.#events,
      meta: this.#meta,
      emit: (type, payload) => {
        const event = this.#events.append(type, payload);
        this.#broadcast(event);
        if (type === "turn_end") autoTitle(this.env, this.#meta, this.#events);
        this.#notify(event);
        return event;
      },
      setAlarm: (at) => void this.#scheduler.heartbeat(at),
      createTask: (input) => this.createTask(input),
      uploads: this.#uploads,
    });
    return this.#turnController;
  }

  get #files(): SessionFiles {
    this.#sessionFiles ??= new SessionFiles({
      env: this.env,
      config: this.#config,
      log: this.#events,
      meta: this.#meta,
      announce: (m) => {
        const event = this.#events.append("snapshot", {
          snapshotId: m.id,
          reason: m.reason,
          files: m.files.length,
          bytes: m.archive.bytes,
        });
        this.#broadcast(event);
      },
    });
    return this.#sessionFiles;
  }

  get #scheduler(): Scheduler {
    this.#schedulerInstance ??= new Scheduler({
      storage: this.ctx.storage,
      tasks: this.#tasks,
      snapshotIdleMs: this.#config.sandbox.snapshotIdleMs,
      runTask: (task) => this.#runTask(task),
      nextUploadExpiry: () => this.#uploads.nextExpiry(this.#config.uploads.unreferencedMs),
    });
    return this.#schedulerInstance;
  }

  get #uploads(): UploadStore {
    this.#uploadStore ??= new UploadStore(this.#db);
    return this.#uploadStore;
  }

  get #tasks(): TaskStore {
    this.#taskStore ??= new TaskStore(this.#db);
    return this.#taskStore;
  }

  /** A due task becomes a user message of the owner, from the scheduler, and starts a turn like any other. */
  #runTask(task: Task): void {
    const meta = this.#meta.get();
    if (!meta) return;
    const id = `task-${task.id}-${Date.now()}`;
    const event = this.#events.append(
      "user_message",
      { id, text: task.prompt, user: meta.owner, deviceId: TASK_DEVICE_ID },
      id,
    );
    this.#broadcast(event);
    this.#turns.onUserMessage(task.prompt);
  }

  override onStart(): void {
    // Keep-alive pings are answered by the runtime without waking the object.
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
    // A turn marked running from before this wake was cut by a reset: end it as interrupted. The turn
    // machinery (providers, tools, metering) is built only when a turn is unfinished, so a wake for a socket
    // or a replay does not pay for it (cold start, idle memory; issue 22).
    if (this.#meta.get() && new TurnStore(this.#db).unfinished()) this.#turns.recover();
  }

  override async onAlarm(): Promise<void> {
    if (!this.#meta.get()) return;
    this.#turns.recover();
    await sweepUploads(this.#uploads, this.env.FILES, this.#meta.get()?.id ?? "", this.#config.uploads);
    if (!(await this.#scheduler.onAlarm(this.#turns.running))) return;
    // Only a workspace that tools touched since the last snapshot is worth a new one.
    const lastTool = this.#events.latest("tool_result")?.seq ?? 0;
    if (lastTool <= (this.#events.latest("snapshot")?.seq ?? 0)) return;
    const outcome = await this.#files.snapshot("idle");
    if (!outcome.ok) this.#logger.warn("idle snapshot failed", { error: outcome.message });
  }

  override onConnect(connection: Connection, ctx: ConnectionContext): void {
    const identity = decodeIdentity(ctx.request.headers.get(IDENTITY_HEADER));
    if (!identity) {
      connection.close(1008, "unauthenticated");
      return;
    }
    if (!this.#meta.get()) {
      connection.close(CLOSE_SESSION_DELETED, "session not found");
      return;
    }
    this.#socketList = undefined;
    const state: DeviceState = {
      user: identity.user,
      admin: identity.admin,
      deviceId: null,
      since: Date.now(),
      exp: identity.exp,
      ready: false,
    };
    connection.setState(state);
    this.#broadcastPresence();
  }

  override onMessage(connection: Connection, message: WSMessage): void {
    const state = deviceState(connection);
    if (!state) {
      connection.close(1008, "unauthenticated");
      return;
    }
    if (closeIfExpired(connection, state)) return;
    const wait = this.#rateLimiter.check(connection.id, state.user);
    if (wait > 0) {
      const seconds = Math.ceil(wait);
      send(connection, { type: "error", code: "rate_limited", message: `too many frames; retry in ${seconds} s` });
      return;
    }
    const parsed = parseClientFrame(typeof message === "string" || message instanceof ArrayBuffer ? message : "");
    if (!parsed.ok) {
      send(connection, { type: "error", code: parsed.code, message: parsed.message });
      return;
    }
    try {
      handleFrame(this.#frameContext(), connection, state, parsed.frame);
    } catch (error) {
      if (!isAppError(error)) this.#logger.error("frame failed", { error: String(error) });
      const code = isAppError(error) ? error.code : "internal_error";
      const text = isAppError(error) ? error.message : "the frame could not be handled";
      send(connection, { type: "error", code, message: text });
    }
  }

  override onClose(connection: Connection): void {
    this.#socketList = undefined;
    this.#rateLimiter.forget(connection.id);
    this.#broadcastPresence(connection.id);
  }

  override onError(connection: Connection, error: unknown): void {
    this.#socketList = undefined;
    this.#logger.warn("socket error", { connection: connection.id, error: String(error) });
  }

  #frameContext(): FrameContext {
    return {
      log: this.#events,
      broadcast: (frame) => this.#broadcast(frame),
      broadcastPresence: () => this.#broadcastPresence(),
      onUserMessage: (_seq, frame) => {
        this.#meta.touch();
        this.#uploads.markReferenced(frame.attachments ?? []);
        this.#turns.onUserMessage(frame.text);
      },
      cancelTurn: () => this.#turns.cancel(),
      decideTool: (id, approve) => this.#turns.decide(id, approve),
      feedback: (turnId, rating, user) => this.#turns.feedback(turnId, rating, user),
      modelInfo: () => modelInfo(this.#config, this.#meta.get()?.model ?? null),
      chargeReplay: (connectionId, frames) => this.#rateLimiter.charge(connectionId, frames),
      turnRunning: () => this.#turnController?.running ?? false,
      attachments: (ids) => attachmentsFor(this.#uploads, ids, this.#config.uploads.maxFiles),
    };
  }

  /** Pushes what the event calls for to the owner's browsers (whether one of their devices is here decides "away"). */
  #notify(event: SessionEvent): void {
    if (!callsForPush(event.type)) return;
    const meta = this.#meta.get();
    if (!meta) return;
    const here = () => presence(this.#sockets()).some((device) => device.user === meta.owner);
    const deps = {
      env: this.env,
      push: this.#config.push !== null,
      log: this.#events,
      waitUntil: (p: Promise<unknown>) => this.ctx.waitUntil(p),
    };
    notifyOwner(deps, meta, event, here);
  }

  /** The open sockets (see #socketList). */
  #sockets(): Connection[] {
    this.#socketList ??= [...this.getConnections()];
    return this.#socketList.filter((connection) => connection.readyState === WebSocket.READY_STATE_OPEN);
  }

  #broadcast(frame: ServerFrame): void {
    fanOut(this.#sockets(), frame);
    this.#turnStreams?.observe(frame);
  }

  #broadcastPresence(closingId?: string): void {
    const sockets = this.#sockets();
    fanOut(sockets, { type: "presence", devices: presence(sockets, closingId) }, true);
  }

  #closeAll(code: number, reason: string): number {
    let closed = 0;
    for (const connection of this.getConnections()) {
      try {
        connection.close(code, reason);
        closed++;
      } catch {
        // Already closing.
      }
    }
    return closed;
  }

  // ---- RPC -----------------------------------------------------------------

  async initialize(meta: NewSession): Promise<SessionMeta> {
    return this.#meta.create(meta);
  }

  async apiTurn(input: ApiTurnInput): Promise<ApiTurnResult> {
    return apiTurn(
      {
        log: this.#events,
        meta: this.#meta,
        streams: this.#streams,
        emit: (type, payload, clientId) => {
          const event = this.#events.append(type, payload, clientId);
          this.#broadcast(event);
          return event;
        },
        onUserMessage: (text) => this.#turns.onUserMessage(text),
      },
      input,
    );
  }

  async getMeta(): Promise<SessionMeta | null> {
    return this.#meta.get();
  }

  async rename(title: string): Promise<SessionMeta | null> {
    return this.#meta.rename(title);
  }

  async setQueueMode(mode: QueueMode): Promise<SessionMeta | null> {
    this.#meta.setQueueMode(mode);
    return this.#meta.get();
  }

  async snapshot(): Promise<SnapshotOutcome<SnapshotSummary>> {
    return this.#files.snapshot("manual");
  }

  async listSnapshots(): Promise<SnapshotSummary[]> {
    return this.#files.list();
  }

  async restoreSnapshot(snapshotId: string): Promise<SnapshotOutcome<SnapshotSummary>> {
    return this.#files.restore(snapshotId);
  }

  async listTasks(): Promise<Task[]> {
    return this.#tasks.list();
  }

  /** Creates a task; an invalid one answers `{error}` with a message for the user. */
  async createTask(input: NewTask): Promise<{ task: Task } | { error: string }> {
    try {
      const task = this.#tasks.create(input);
      await this.#scheduler.rearm();
      return { task };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  async pauseTask(id: string, paused: boolean): Promise<Task | null> {
    const task = this.#tasks.setPaused(id, paused);
    await this.#scheduler.rearm();
    return task;
  }

  async deleteTask(id: string): Promise<boolean> {
    const deleted = this.#tasks.delete(id);
    await this.#scheduler.rearm();
    return deleted;
  }

  /** Records an upload whose bytes are in R2 (renamed on a name collision); books its expiry on the alarm. */
  async addUpload(record: Attachment): Promise<Attachment> {
    if (!this.#meta.get()) throw new AppError("session_not_found", "no such session");
    const stored = this.#uploads.add(record);
    await this.#scheduler.rearm();
    return stored;
  }

  async getUpload(id: string): Promise<Attachment | null> {
    return this.#uploads.get(id);
  }

  async containsText(text: string): Promise<boolean> {
    return this.#events.contains(text);
  }

  async exportTranscript(): Promise<string[]> {
    return this.#files.exportTranscript();
  }

  async setExecPolicy(policy: ExecPolicy | null): Promise<SessionMeta | null> {
    this.#meta.setExecPolicy(policy);
    return this.#meta.get();
  }

  async setCacheTtl(seconds: number | null): Promise<SessionMeta | null> {
    this.#meta.setCacheTtl(seconds);
    return this.#meta.get();
  }

  async postMessage(message: ChannelMessage): Promise<{ seq: number; duplicate: boolean }> {
    if (!this.#meta.get()) throw new AppError("session_not_found", "no such session");
    const existing = this.#events.seqOfClientId(message.id);
    if (existing !== undefined) return { seq: existing, duplicate: true };
    const { id, text, user, deviceId } = message;
    // A channel's attachments are uploads of this session, resolved as a device's are.
    const ids = message.attachments ?? [];
    const resolved = attachmentsFor(this.#uploads, ids, this.#config.uploads.maxFiles);
    if (!resolved.ok) throw new AppError(resolved.code, resolved.message);
    const attachments = resolved.attachments.length > 0 ? { attachments: resolved.attachments } : {};
    const event = this.#events.append("user_message", { id, text, user, deviceId, ...attachments }, id);
    this.#broadcast(event);
    this.#frameContext().onUserMessage(event.seq, { type: "user_message", id, text, attachments: ids });
    return { seq: event.seq, duplicate: false };
  }

  async eventsAfter(after: number, limit: number): Promise<SessionEvent[]> {
    return this.#events.after(after, Math.min(Math.max(1, limit), MAX_MESSAGES_PAGE));
  }

  async cancelTurn(): Promise<boolean> {
    return this.#turnController?.cancel() ?? false;
  }

  async decide(toolCallId: string, approve: boolean): Promise<boolean> {
    return this.#turnController?.decide(toolCallId, approve) ?? false;
  }

  async feedback(turnId: string, rating: "up" | "down", user: string): Promise<boolean> {
    return this.#turns.feedback(turnId, rating, user);
  }

  async listMessages(after: number, limit: number): Promise<MessagesPage> {
    const size = Math.min(Math.max(1, limit), MAX_MESSAGES_PAGE);
    const messages = this.#events.transcript(after, size + 1);
    const page = messages.slice(0, size);
    const last = page.at(-1);
    return { messages: page, nextCursor: messages.length > size && last ? last.seq : null };
  }

  async inspect(): Promise<SessionInspection | null> {
    const meta = this.#meta.get();
    if (!meta) return null;
    const eventCounts = this.#events.counts();
    return {
      meta,
      devices: presence(this.#sockets()),
      lastSeq: this.#events.lastSeq,
      eventCounts,
      messageCount: TRANSCRIPT_TYPES.reduce((sum, type) => sum + (eventCounts[type] ?? 0), 0),
      storageBytes: this.ctx.storage.sql.databaseSize,
      turnRunning: this.#turnController?.running ?? false,
      usage: new SessionLedger(this.#db).summary(),
    };
  }

  async terminate(): Promise<number> {
    this.#turnController?.cancel();
    return this.#closeAll(CLOSE_TERMINATED, "terminated by an admin");
  }

  async destroy(): Promise<void> {
    this.#turnController?.cancel();
    this.#turnStreams?.closeAll();
    this.#turnController = undefined;
    this.#closeAll(CLOSE_SESSION_DELETED, "session deleted");
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // Empty tables again, so a late request finds "no session" rather than a missing table.
    migrate(this.ctx.storage, migrations);
    this.#log = undefined;
    this.#metaStore = undefined;
    this.#uploadStore = undefined;
    this.#turnStreams = undefined;
  }
}
