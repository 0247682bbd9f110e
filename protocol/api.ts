// Every HTTP request and response body of the API, written out: imported by the routes, the objects, the tools and the web client.

import type { Device, SessionEvent } from "./frames";

/** The error body of every refused request (one registry of codes). */
export type { ErrorBody } from "./errors";

// ---- identity -----------------------------------------------------------------

/** `GET /api/me`: who is signed in. */
export interface Me {
  /** The user id: the email lower-cased, or `service:<common_name>`. */
  user: string;
  /** The token's email claim; null for a service token. */
  email: string | null;
  /** Whether the user may use /admin. */
  admin: boolean;
  /** The user's Access groups (from the token or Access's get-identity). */
  groups: string[];
}

// ---- sessions -------------------------------------------------------------------

/** The exec tool's approval policy: ask before each command, run them, or offer no exec tool. */
export type ExecPolicy = "ask" | "auto" | "deny";

/** How hard a reasoning model thinks, set per session with `/think`. */
export type ThinkLevel = "off" | "low" | "high";

/** What a message sent during a turn does: waits for the next turn, or cancels and restarts. */
export type QueueMode = "queue" | "interrupt";

/** A session as a directory lists it (`GET /api/sessions`, `GET /api/sessions/:id`, the admin index). */
export interface SessionEntry {
  id: string;
  /** The user who owns it. */
  owner: string;
  title: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms of the last rename or flag change. */
  updatedAt: number;
  /** Hidden from the main list; shown under "Archived". */
  archived: boolean;
  /** Listed first. */
  pinned: boolean;
}

/** `GET /api/sessions`, `GET /admin/api/sessions`: one page of sessions, newest first (pinned first). */
export interface SessionListPage {
  sessions: SessionEntry[];
  /** Opaque; pass back as `cursor` for the next page. Null at the end. */
  nextCursor: string | null;
}

/** `POST /api/sessions` request: an optional title. */
export interface CreateSessionBody {
  title?: string;
}

/** `POST /api/sessions` → 201. */
export interface CreatedSession {
  id: string;
  title: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
}

/** `PATCH /api/sessions/:id` request: at least one field. */
export interface SessionPatchBody {
  /** A new title (1–200 characters). */
  title?: string;
  archived?: boolean;
  pinned?: boolean;
  /** Tightens the operator's EXEC_POLICY for this session; null returns to it. */
  execPolicy?: ExecPolicy | null;
  queueMode?: QueueMode;
  /** Gateway cache TTL in seconds (0 skips the cache); null returns to the default. */
  cacheTtl?: number | null;
}

/** `GET /api/sessions/:id/messages`: a page of the transcript. */
export interface MessagesPage {
  messages: SessionEvent[];
  /** Pass as `after` to get the next page; null at the end. */
  nextCursor: number | null;
}

/** `POST /api/sessions/:id/feedback` request and answer: a rating of one turn. */
export interface FeedbackBody {
  turnId: string;
  rating: "up" | "down";
}

/** `POST /api/sessions/:id/approvals/:toolCallId` request: the HTTP twin of `tool_decision`. */
export interface ApprovalBody {
  approve: boolean;
}

/** `POST /api/sessions/:id/approvals/:toolCallId` answer. */
export interface ApprovalResult {
  toolCallId: string;
  approve: boolean;
}

// ---- files ----------------------------------------------------------------------

/** One file kept in R2 for a session (`GET /api/sessions/:id/artifacts`). */
export interface Artifact {
  /** Its path under the session's artifacts, e.g. `exports/transcript-….md`. */
  name: string;
  /** Bytes. */
  size: number;
  /** When it was stored (ISO 8601). */
  uploaded: string;
  /** Its content type, when stored with one. */
  contentType: string | null;
}

/** `GET /api/sessions/:id/artifacts`. */
export interface ArtifactList {
  artifacts: Artifact[];
}

/** A workspace snapshot as the API lists it (without its file list). */
export interface SnapshotSummary {
  id: string;
  sessionId: string;
  /** Epoch ms. */
  createdAt: number;
  /** Why it was taken. */
  reason: "manual" | "idle" | "before_stop";
  /** The archive in R2: its key, size and checksum. */
  archive: { key: string; bytes: number; sha256: string };
  /** The transcript exports stored with it. */
  transcript: { jsonl: string; markdown: string };
  /** How many files it holds. */
  fileCount: number;
}

/** `GET /api/sessions/:id/snapshots`. */
export interface SnapshotList {
  snapshots: SnapshotSummary[];
}

/** `POST /api/sessions/:id/exports` → 201: the names of the artifacts written. */
export interface ExportResult {
  artifacts: string[];
}

// ---- scheduled tasks -------------------------------------------------------------

/** A scheduled task of a session. */
export interface Task {
  id: string;
  prompt: string;
  /** A cron expression; null for a one-off task. */
  cron: string | null;
  /** The IANA time zone its cron reads in. */
  timeZone: string;
  paused: boolean;
  /** When it runs next (epoch ms); null once a one-off task has run. */
  nextRunAt: number | null;
  /** Epoch ms of its last run. */
  lastRunAt: number | null;
  /** Epoch ms. */
  createdAt: number;
  /** The user who created it. */
  createdBy: string;
}

/** `POST /api/sessions/:id/tasks` request: a prompt and either a time or a cron expression. */
export interface NewTaskBody {
  prompt: string;
  /** A one-off run time: ISO 8601 or epoch ms. */
  at?: string | number;
  cron?: string;
  /** IANA time zone of the cron (default UTC). */
  timeZone?: string;
}

/** `PATCH /api/sessions/:id/tasks/:task` request. */
export interface TaskPatchBody {
  paused: boolean;
}

/** `GET /api/sessions/:id/tasks`. */
export interface TaskList {
  tasks: Task[];
}

// ---- memory and skills -------------------------------------------------------------

export type MemoryKind = "directive" | "fact" | "daily";

/** The longest memory note, in characters (the mark of a note the assistant wrote included). */
export const MAX_NOTE_CHARS = 4_000;

/** One note of the user's long-term memory (`/api/memory`). */
export interface MemoryNote {
  id: number;
  kind: MemoryKind;
  text: string;
  /** The day of a daily note (YYYY-MM-DD); null for the others. */
  day: string | null;
  /** Epoch ms. */
  updatedAt: number;
}

/** `POST /api/memory`, `PUT /api/memory/:id` request. */
export interface NoteBody {
  kind: MemoryKind;
  /** At most 4,000 characters. */
  text: string;
}

/** `GET /api/memory`. */
export interface NoteList {
  notes: MemoryNote[];
}

/** A user's skill (`/api/skills`). */
export interface Skill {
  /** Lower-case letters, digits and dashes, at most 64. */
  name: string;
  /** What the model is offered (at most 300 characters). */
  description: string;
  /** Markdown, sent to the model only when it loads the skill. */
  body: string;
  /** Epoch ms. */
  updatedAt: number;
}

/** `PUT /api/skills/:name` request. */
export interface SkillBody {
  description: string;
  body: string;
}

/** `GET /api/skills`: the skills without their bodies. */
export interface SkillList {
  skills: Omit<Skill, "body">[];
}

// ---- budgets ------------------------------------------------------------------------

/** Spending limits in micro-dollars; null is no limit. */
export interface BudgetLimits {
  dailyMicros: number | null;
  monthlyMicros: number | null;
}

/** `GET /api/budget`: a user's limits, what they spent and the alerts sent. */
export interface BudgetStatus {
  limits: BudgetLimits;
  /** Whether the limits come from an admin's override. */
  overridden: boolean;
  spentTodayMicros: number;
  spentThisMonthMicros: number;
  /** Held by turns running now. */
  reservedMicros: number;
  alerts: { at: number; period: string; percent: number; spentMicros: number; limitMicros: number }[];
}

/** `GET /admin/api/budgets`: the global budget and every user's. */
export interface AdminBudgets {
  global: BudgetStatus;
  users: (BudgetStatus & { user: string })[];
}

/** `PUT /admin/api/budgets/:email` request, in US dollars (null: no limit). */
export interface BudgetBody {
  dailyUsd?: number | null;
  monthlyUsd?: number | null;
}

// ---- admin ---------------------------------------------------------------------------

/** A session's metadata as the admin inspection shows it. */
export interface SessionMetaView {
  id: string;
  owner: string;
  title: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
  /** The model set by `/model`; null uses the configured default. */
  model: string | null;
  queueMode: QueueMode;
  /** The A/B variant assigned at creation, if any. */
  variant: string | null;
  /** Gateway cache TTL in seconds (0 skips); null uses the configured default. */
  cacheTtl: number | null;
  /** Approval policy of exec; null uses EXEC_POLICY. */
  execPolicy: ExecPolicy | null;
  /** Reasoning effort set by `/think`; null leaves the model's default. */
  thinkLevel: ThinkLevel | null;
}

/** `GET /admin/api/sessions/:id`: what an admin sees of a session. */
export interface SessionInspection {
  meta: SessionMetaView;
  /** Devices connected now, with their identity and since when. */
  devices: Device[];
  /** The newest seq. */
  lastSeq: number;
  /** Stored events by type. */
  eventCounts: Record<string, number>;
  /** Transcript messages (user and assistant). */
  messageCount: number;
  /** Bytes used by the session's SQLite database. */
  storageBytes: number;
  /** Whether a turn is running now. */
  turnRunning: boolean;
  /** What the session's model calls came to, from its own ledger. */
  usage: LedgerSummary;
}

/** What a session's model calls came to (the admin's inspection shows it without asking the usage objects). */
export interface LedgerSummary {
  /** Provider attempts, retries and failures included. */
  calls: number;
  /** Attempts that failed. */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** micro-USD of the priced attempts. */
  costMicros: number;
  /** Attempts of a model without a price (never counted as zero cost). */
  unpricedCalls: number;
}

/** `POST /admin/api/sessions/:id/terminate`. */
export interface TerminateResult {
  id: string;
  /** Sockets closed. */
  closedSockets: number;
}

/** One admin action of the audit log (`GET /admin/api/audit`). */
export interface AuditEntry {
  /** Epoch ms. */
  at: number;
  /** The admin who acted. */
  actor: string;
  /** e.g. `session.inspect`, `budget.set`. */
  action: string;
  /** What it acted on (a session id, a user). */
  target: string;
  /** JSON with the action's details. */
  detail: string;
}

/** `GET /admin/api/audit`, newest first. */
export interface AuditLog {
  entries: (AuditEntry & { id: number })[];
}
