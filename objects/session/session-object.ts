// The session Durable Object: a hibernating partyserver Server, a thin shell over the session's parts and its RPC.

import { drizzle } from "drizzle-orm/durable-sqlite";
import { type Connection, type ConnectionContext, Server, type WSMessage } from "partyserver";
import type { Config } from "../../config/config";
import type { ExecPolicy } from "../../config/sandbox";
import { type Logger, log } from "../../log/logger";
import migrations from "../../migrations/session/migrations.js";
import { AppError } from "../../protocol/errors";
import {
  CLOSE_SESSION_DELETED,
  CLOSE_TERMINATED,
  PING_FRAME,
  PONG_FRAME,
  type SessionEvent,
} from "../../protocol/frames";
import type { Attachment } from "../../protocol/uploads";
import { migrate } from "../shared/migrate";
import { TurnStore } from "./agent/turn-store";
import { type ApiTurnInput, type ApiTurnResult, apiTurn } from "./api-turn";
import { fanOut, presence } from "./devices";
import { EventLog, TRANSCRIPT_TYPES } from "./event-log";
import { SessionFrameContext } from "./frame-context";
import type { FrameContext } from "./frame-handler";
import { SessionLedger } from "./ledger-store";
import { MetaStore, type NewSession, type QueueMode, type SessionMeta } from "./meta-store";
import { FrameRateLimiter } from "./rate-limit";
import type { ChannelMessage, MessagesPage, SessionInspection, SessionRpc } from "./rpc";
import { buildSessionParts, type SessionParts } from "./session-parts";
import { admitSocket, receiveFrame } from "./socket-gate";
import type { SnapshotSummary } from "./storage/session-files";
import type { SnapshotOutcome } from "./storage/snapshots";
import { SESSION_ALARMS } from "./tasks/scheduler";
import type { NewTask, Task } from "./tasks/task-store";
import { TurnStreams } from "./turn-stream";
import { attachmentsFor, sweepUploads } from "./uploads/session-uploads";
import { UploadStore } from "./uploads/upload-store";

/** Largest transcript page over RPC. */
const MAX_MESSAGES_PAGE = 200;

export class SessionObject extends Server<Env> implements SessionRpc {
  static override options = { hibernate: true };

  readonly #db = drizzle(this.ctx.storage);
  readonly #config: Config;
  #log: EventLog | undefined;
  #metaStore: MetaStore | undefined;
  #parts: SessionParts | undefined;
  #contextFor: SessionFrameContext | undefined;
  #turnStreams: TurnStreams | undefined;
  #uploadStore: UploadStore | undefined;
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

  get #uploads(): UploadStore {
    this.#uploadStore ??= new UploadStore(this.#db);
    return this.#uploadStore;
  }

  /** Books the sweep of uploads no message listed, at their next expiry (or cancels it). */
  #rearmUploads(parts: SessionParts): void {
    const at = this.#uploads.nextExpiry(this.#config.uploads.unreferencedMs);
    if (at === null) parts.alarms.cancel(SESSION_ALARMS.uploadSweep);
    else parts.alarms.book(SESSION_ALARMS.uploadSweep, at);
  }

  get #meta(): MetaStore {
    this.#metaStore ??= new MetaStore(this.#db);
    return this.#metaStore;
  }

  /** The session's parts, built once its metadata exists (its identity never changes); null before. */
  #live(): SessionParts | null {
    if (this.#parts) return this.#parts;
    const meta = this.#meta.get();
    if (!meta) return null;
    this.#parts = buildSessionParts({
      env: this.env,
      config: this.#config,
      ctx: this.ctx,
      db: this.#db,
      log: this.#events,
      meta: this.#meta,
      identity: { id: meta.id, owner: meta.owner },
      uploads: this.#uploads,
      connections: () => this.#sockets(),
    });
    // /v1 callers watch their turn's events as they are stored.
    const parts = this.#parts;
    parts.events.register({ name: "turn-streams", after: (event) => this.#turnStreams?.observe(event) });
    parts.alarms.handle(SESSION_ALARMS.uploadSweep, async () => {
      await sweepUploads(this.#uploads, this.env.FILES, parts.identity.id, this.#config.uploads);
      this.#rearmUploads(parts);
    });
    return parts;
  }

  /** The parts of a session that RPC reaches only after the worker checked it exists. */
  #session(): SessionParts {
    const parts = this.#live();
    if (!parts) throw new Error("the session is not initialized");
    return parts;
  }

  override onStart(): void {
    // Keep-alive pings are answered by the runtime without waking the object.
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
    const parts = this.#live();
    if (!parts) return;
    // A turn marked running from before this wake was cut by a reset: end it as interrupted. The turn
    // machinery is built only when a turn is unfinished, so a wake for a socket or a replay does not pay
    // for it (cold start, idle memory; issue 22).
    if (new TurnStore(this.#db).unfinished()) parts.turns.recover();
    parts.scheduler.rearm();
    parts.alarms.arm();
  }

  override async onAlarm(): Promise<void> {
    const parts = this.#live();
    if (!parts) return;
    // The task store is the truth about task times: book from it, so a due task runs whatever was booked.
    parts.scheduler.rearm();
    this.#rearmUploads(parts);
    await parts.alarms.run();
  }

  override onConnect(connection: Connection, ctx: ConnectionContext): void {
    const parts = this.#live();
    this.#socketList = undefined;
    const state = admitSocket(connection, ctx.request, parts !== null);
    if (!state || !parts) return;
    parts.alarms.bookEarliest(SESSION_ALARMS.tokenExpiry, state.exp * 1000);
    this.#broadcastPresence();
  }

  override onMessage(connection: Connection, message: WSMessage): void {
    const parts = this.#live();
    if (!parts) {
      connection.close(CLOSE_SESSION_DELETED, "session not found");
      return;
    }
    receiveFrame(connection, message, this.#rateLimiter, () => this.#frameContext(parts));
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

  /** What the frame handler may do, built once per live session (every frame uses it). */
  #frameContext(parts: SessionParts): FrameContext {
    if (this.#contextFor?.parts === parts) return this.#contextFor;
    this.#contextFor = new SessionFrameContext({
      config: this.#config,
      log: this.#events,
      meta: this.#meta,
      parts,
      uploads: this.#uploads,
      rateLimiter: this.#rateLimiter,
      broadcastPresence: () => this.#broadcastPresence(),
    });
    return this.#contextFor;
  }

  /** The open sockets (see #socketList). */
  #sockets(): Connection[] {
    this.#socketList ??= [...this.getConnections()];
    return this.#socketList.filter((connection) => connection.readyState === WebSocket.READY_STATE_OPEN);
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
    const parts = this.#live();
    if (!parts) return { ok: false, code: "session_not_found", message: "no such session" };
    return apiTurn(
      {
        log: this.#events,
        meta: this.#meta,
        streams: this.#streams,
        emit: (type, payload, clientId) => parts.events.emit(type, payload, clientId),
        onUserMessage: (text) => parts.turns.onUserMessage(text),
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
    return this.#session().files.snapshot("manual");
  }

  async listSnapshots(): Promise<SnapshotSummary[]> {
    return this.#session().files.list();
  }

  async restoreSnapshot(snapshotId: string): Promise<SnapshotOutcome<SnapshotSummary>> {
    return this.#session().files.restore(snapshotId);
  }

  async listTasks(): Promise<Task[]> {
    return this.#session().tasks.list();
  }

  /** Creates a task; an invalid one answers `{error}` with a message for the user. */
  async createTask(input: NewTask): Promise<{ task: Task } | { error: string }> {
    return this.#session().createTask(input);
  }

  async pauseTask(id: string, paused: boolean): Promise<Task | null> {
    const { tasks, scheduler } = this.#session();
    const task = tasks.setPaused(id, paused);
    scheduler.rearm();
    return task;
  }

  async deleteTask(id: string): Promise<boolean> {
    const { tasks, scheduler } = this.#session();
    const deleted = tasks.delete(id);
    scheduler.rearm();
    return deleted;
  }

  /** Records an upload whose bytes are in R2 (renamed on a name collision); books its expiry on the alarm. */
  async addUpload(record: Attachment): Promise<Attachment> {
    const parts = this.#live();
    if (!parts) throw new AppError("session_not_found", "no such session");
    const stored = this.#uploads.add(record);
    this.#rearmUploads(parts);
    return stored;
  }

  async getUpload(id: string): Promise<Attachment | null> {
    return this.#uploads.get(id);
  }

  async containsText(text: string): Promise<boolean> {
    return this.#events.contains(text);
  }

  async exportTranscript(): Promise<string[]> {
    return this.#session().files.exportTranscript();
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
    const parts = this.#live();
    if (!parts) throw new AppError("session_not_found", "no such session");
    const existing = this.#events.seqOfClientId(message.id);
    if (existing !== undefined) return { seq: existing, duplicate: true };
    const { id, text, user, deviceId } = message;
    // A channel's attachments are uploads of this session, resolved as a device's are.
    const ids = message.attachments ?? [];
    const resolved = attachmentsFor(this.#uploads, ids, this.#config.uploads.maxFiles);
    if (!resolved.ok) throw new AppError(resolved.code, resolved.message);
    const attachments = resolved.attachments.length > 0 ? { attachments: resolved.attachments } : {};
    const event = parts.events.emit("user_message", { id, text, user, deviceId, ...attachments }, id);
    this.#uploads.markReferenced(ids);
    parts.turns.onUserMessage(text);
    return { seq: event.seq, duplicate: false };
  }

  async eventsAfter(after: number, limit: number): Promise<SessionEvent[]> {
    return this.#events.after(after, Math.min(Math.max(1, limit), MAX_MESSAGES_PAGE));
  }

  async cancelTurn(): Promise<boolean> {
    return this.#parts?.turns.cancel() ?? false;
  }

  async decide(toolCallId: string, approve: boolean): Promise<boolean> {
    return this.#parts?.turns.decide(toolCallId, approve) ?? false;
  }

  async feedback(turnId: string, rating: "up" | "down", user: string): Promise<boolean> {
    return this.#session().turns.feedback(turnId, rating, user);
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
      turnRunning: this.#parts?.turnRunning() ?? false,
      usage: new SessionLedger(this.#db).summary(),
    };
  }

  async terminate(): Promise<number> {
    this.#parts?.turns.cancel();
    return this.#closeAll(CLOSE_TERMINATED, "terminated by an admin");
  }

  async destroy(): Promise<void> {
    this.#parts?.turns.cancel();
    this.#turnStreams?.closeAll();
    this.#parts = undefined;
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
