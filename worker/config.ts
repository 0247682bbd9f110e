// Reads and validates the worker's configuration once per isolate; a bad value names its variable.

import { validKey } from "../agent/mcp/crypto";
import type { ExecPolicy } from "../protocol/api";
import { AppError } from "../protocol/errors";
import { sandboxAllowedHosts } from "../sandbox/network";
import { parseServiceTokenUsers } from "./auth/service-tokens";
import {
  METERING_VARIABLES,
  type MeteringConfig,
  MeteringConfigError,
  type MeteringVars,
  parseMetering,
} from "./config-metering";
import { PUSH_VARIABLES, type PushConfig, PushConfigError, type PushVars, parsePush } from "./config-push";
import {
  parseTelegram,
  TELEGRAM_VARIABLES,
  type TelegramConfig,
  TelegramConfigError,
  type TelegramVars,
} from "./config-telegram";
import {
  parseUploads,
  UPLOAD_VARIABLES,
  type UploadConfig,
  UploadConfigError,
  type UploadVars,
} from "./config-uploads";

export type LlmProvider = "openai" | "anthropic" | "workers-ai" | "openai-responses";
export type SandboxMode = "cloudflare" | "local";

/** The validated configuration. */
export interface Config {
  /** Access team domain, normalised (https, no trailing slash); null only when DEV_AUTH serves identity. */
  teamDomain: string | null;
  /** The Access application's AUD tag. */
  audience: string | null;
  /** DEV_AUTH=1: the worker may act as its own issuer on loopback. */
  devAuth: boolean;
  adminEmails: Set<string>;
  adminGroups: Set<string>;
  /** Origins allowed to open a WebSocket; empty means the request's own origin only. */
  allowedOrigins: Set<string>;
  llmProvider: LlmProvider;
  llmModel: string;
  /** LLM_DEMO=1 (set by `npm run dev` only): the model is the built-in demo model, whose replies are scripted. */
  llmDemo: boolean;
  sandboxMode: SandboxMode;
  sandbox: SandboxConfig;
  /** Client frames a socket may send per second (a user's sockets together twice that). */
  framesPerSecond: number;
  agent: AgentConfig;
  metering: MeteringConfig;
  /** MCP_ENCRYPTION_KEY (base64 of 32 bytes): encrypts MCP secrets at rest; null turns MCP servers off. */
  mcpEncryptionKey: string | null;
  /** Web Push (VAPID); null when not configured. */
  push: PushConfig | null;
  /** Fetches made for users and models (web_fetch): loopback targets only in local development. */
  outbound: { allowLoopback: boolean };
  /** The Telegram channel; null when no bot is configured. */
  telegram: TelegramConfig | null;
  /** Uploads: limits, images re-sent, unreferenced lifetime. */
  uploads: UploadConfig;
  /** SERVICE_TOKEN_USERS: an Access service token's common_name → the user (email) it acts for. */
  serviceTokenUsers: ReadonlyMap<string, string>;
}

export type { ExecPolicy } from "../protocol/api";

export interface SandboxConfig {
  /** The local sandbox host (SANDBOX_MODE=local). */
  url: string;
  /** Its shared secret; required in local mode. */
  secret: string | null;
  /** Default approval policy of the exec tool for new sessions. */
  execPolicy: ExecPolicy;
  /** An unanswered approval request is denied after this long. */
  approvalTimeoutMs: number;
  /** Default and maximum time a command may run. */
  execTimeoutMs: number;
  /** A session idle this long gets a workspace snapshot; 0 turns idle snapshots off. */
  snapshotIdleMs: number;
  /** Snapshots kept per session. */
  snapshotRetention: number;
  /** Hosts the production sandbox's commands may reach (SANDBOX_ALLOWED_HOSTS); none means no network. */
  allowedHosts: readonly string[];
}

/** What the agent needs to call models; keys stay in the worker and never reach a client or sandbox. */
export interface AgentConfig {
  openaiBaseUrl: string;
  openaiApiKey: string | undefined;
  anthropicBaseUrl: string;
  anthropicApiKey: string | undefined;
  /** Cloudflare AI Gateway, when both ids are set. */
  gateway: { accountId: string; gatewayId: string; token?: string } | undefined;
  /** The system prompt of every turn. */
  systemPrompt: string;
  /** Model calls per turn before it ends with `step_limit`. */
  maxSteps: number;
  /** Models tried in order when the main one keeps failing. */
  fallbackModels: string[];
  /** The model's context window in tokens; compaction starts near it. */
  contextTokens: number;
  /** A provider stream silent this long fails as stalled (and is retried when nothing was streamed yet). */
  streamIdleMs: number;
  /** A message after a pause this long starts a fresh context; 0 never. */
  resetIdleMs: number;
}

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";

export const DEFAULT_SYSTEM_PROMPT =
  "You are edgeclaw, a personal AI agent. Be direct and accurate. Use tools when they help, and say what you did.";

/** The variables this module reads (all optional strings in Env). */
export type ConfigVars = MeteringVars &
  PushVars &
  TelegramVars &
  UploadVars &
  Partial<
    Record<
      | "ACCESS_TEAM_DOMAIN"
      | "ACCESS_AUD"
      | "DEV_AUTH"
      | "ADMIN_EMAILS"
      | "ADMIN_GROUPS"
      | "ALLOWED_ORIGINS"
      | "LLM_PROVIDER"
      | "LLM_MODEL"
      | "LLM_DEMO"
      | "SANDBOX_MODE"
      | "OPENAI_BASE_URL"
      | "OPENAI_API_KEY"
      | "ANTHROPIC_BASE_URL"
      | "ANTHROPIC_API_KEY"
      | "AI_GATEWAY_ACCOUNT_ID"
      | "AI_GATEWAY_ID"
      | "AI_GATEWAY_TOKEN"
      | "SYSTEM_PROMPT"
      | "AGENT_MAX_STEPS"
      | "LLM_FALLBACK_MODELS"
      | "LLM_CONTEXT_TOKENS"
      | "LLM_STREAM_IDLE_SECONDS"
      | "SESSION_RESET_IDLE_MINUTES"
      | "SANDBOX_URL"
      | "SANDBOX_SECRET"
      | "SANDBOX_ALLOWED_HOSTS"
      | "EXEC_POLICY"
      | "APPROVAL_TIMEOUT_SECONDS"
      | "EXEC_TIMEOUT_SECONDS"
      | "SNAPSHOT_IDLE_MINUTES"
      | "SNAPSHOT_RETENTION"
      | "RATE_LIMIT_FRAMES_PER_SEC"
      | "MCP_ENCRYPTION_KEY"
      | "OUTBOUND_ALLOW_LOOPBACK"
      | "SERVICE_TOKEN_USERS",
      string
    >
  >;

function configError(variable: string, problem: string): AppError {
  return new AppError("config_error", `configuration error: ${variable} ${problem}`);
}

function list(value: string | undefined, lower: boolean): Set<string> {
  const items = (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  return new Set(lower ? items.map((item) => item.toLowerCase()) : items);
}

function oneOf<T extends string>(variable: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === "") return fallback;
  const found = allowed.find((option) => option === value);
  if (found === undefined) throw configError(variable, `must be one of ${allowed.join(", ")} (got "${value}")`);
  return found;
}

function parseTeamDomain(value: string | undefined): string | null {
  if (value === undefined || value === "") return null;
  let url: URL;
  try {
    url = new URL(value.includes("://") ? value : `https://${value}`);
  } catch {
    throw configError("ACCESS_TEAM_DOMAIN", `is not a URL (got "${value}")`);
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost";
  if (url.protocol !== "https:" && !(loopback && url.protocol === "http:")) {
    throw configError("ACCESS_TEAM_DOMAIN", "must use https (http only on loopback)");
  }
  if (url.pathname !== "/" || url.search !== "") throw configError("ACCESS_TEAM_DOMAIN", "must be an origin only");
  return url.origin;
}

function parseOrigins(value: string | undefined): Set<string> {
  const origins = new Set<string>();
  for (const item of list(value, false)) {
    try {
      origins.add(new URL(item).origin);
    } catch {
      throw configError("ALLOWED_ORIGINS", `has an entry that is not an origin: "${item}"`);
    }
  }
  return origins;
}

function baseUrl(variable: string, value: string | undefined, fallback: string): string {
  if (value === undefined || value === "") return fallback;
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
    return url.href.replace(/\/+$/, "");
  } catch {
    throw configError(variable, `is not an http(s) URL (got "${value}")`);
  }
}

function integer(variable: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw configError(variable, `must be an integer from ${min} to ${max}`);
  return n;
}

function allowedHostsOrConfigError(value: string | undefined): readonly string[] {
  try {
    return sandboxAllowedHosts(value);
  } catch (error) {
    throw new AppError("config_error", error instanceof Error ? error.message : String(error));
  }
}

function parseSandbox(vars: ConfigVars, mode: SandboxMode): SandboxConfig {
  const secret = vars.SANDBOX_SECRET?.trim() || null;
  if (mode === "local" && secret !== null && secret.length < 16)
    throw configError("SANDBOX_SECRET", "must be at least 16 characters");
  return {
    url: baseUrl("SANDBOX_URL", vars.SANDBOX_URL, "http://127.0.0.1:8788"),
    secret,
    execPolicy: oneOf("EXEC_POLICY", vars.EXEC_POLICY, ["ask", "auto", "deny"] as const, "ask"),
    approvalTimeoutMs: integer("APPROVAL_TIMEOUT_SECONDS", vars.APPROVAL_TIMEOUT_SECONDS, 300, 1, 86_400) * 1000,
    execTimeoutMs: integer("EXEC_TIMEOUT_SECONDS", vars.EXEC_TIMEOUT_SECONDS, 60, 1, 600) * 1000,
    snapshotIdleMs: integer("SNAPSHOT_IDLE_MINUTES", vars.SNAPSHOT_IDLE_MINUTES, 10, 0, 10_080) * 60_000,
    snapshotRetention: integer("SNAPSHOT_RETENTION", vars.SNAPSHOT_RETENTION, 5, 1, 1000),
    allowedHosts: allowedHostsOrConfigError(vars.SANDBOX_ALLOWED_HOSTS),
  };
}

function parseAgent(vars: ConfigVars): AgentConfig {
  const accountId = vars.AI_GATEWAY_ACCOUNT_ID?.trim();
  const gatewayId = vars.AI_GATEWAY_ID?.trim();
  if (Boolean(accountId) !== Boolean(gatewayId)) {
    throw configError(accountId ? "AI_GATEWAY_ID" : "AI_GATEWAY_ACCOUNT_ID", "must be set together with the other");
  }
  const token = vars.AI_GATEWAY_TOKEN?.trim();
  return {
    openaiBaseUrl: baseUrl("OPENAI_BASE_URL", vars.OPENAI_BASE_URL, DEFAULT_OPENAI_BASE_URL),
    openaiApiKey: vars.OPENAI_API_KEY || undefined,
    anthropicBaseUrl: baseUrl("ANTHROPIC_BASE_URL", vars.ANTHROPIC_BASE_URL, DEFAULT_ANTHROPIC_BASE_URL),
    anthropicApiKey: vars.ANTHROPIC_API_KEY || undefined,
    gateway: accountId && gatewayId ? { accountId, gatewayId, ...(token ? { token } : {}) } : undefined,
    systemPrompt: vars.SYSTEM_PROMPT?.trim() || DEFAULT_SYSTEM_PROMPT,
    maxSteps: integer("AGENT_MAX_STEPS", vars.AGENT_MAX_STEPS, 8, 1, 100),
    fallbackModels: [...list(vars.LLM_FALLBACK_MODELS, false)],
    contextTokens: integer("LLM_CONTEXT_TOKENS", vars.LLM_CONTEXT_TOKENS, 128_000, 1_000, 10_000_000),
    streamIdleMs: integer("LLM_STREAM_IDLE_SECONDS", vars.LLM_STREAM_IDLE_SECONDS, 60, 1, 3600) * 1000,
    resetIdleMs: integer("SESSION_RESET_IDLE_MINUTES", vars.SESSION_RESET_IDLE_MINUTES, 0, 0, 525_600) * 60_000,
  };
}

/** Every variable edgeclaw reads; an unknown one with our prefixes is a typo and stops start-up. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  "ACCESS_TEAM_DOMAIN",
  "ACCESS_AUD",
  "DEV_AUTH",
  "ADMIN_EMAILS",
  "ADMIN_GROUPS",
  "ALLOWED_ORIGINS",
  "LLM_PROVIDER",
  "LLM_MODEL",
  "LLM_DEMO",
  "SANDBOX_MODE",
  "OPENAI_BASE_URL",
  "OPENAI_API_KEY",
  "ANTHROPIC_BASE_URL",
  "ANTHROPIC_API_KEY",
  "AI_GATEWAY_ACCOUNT_ID",
  "AI_GATEWAY_ID",
  "AI_GATEWAY_TOKEN",
  "SYSTEM_PROMPT",
  "AGENT_MAX_STEPS",
  "LLM_FALLBACK_MODELS",
  "LLM_CONTEXT_TOKENS",
  "LLM_STREAM_IDLE_SECONDS",
  "SESSION_RESET_IDLE_MINUTES",
  "SANDBOX_URL",
  "SANDBOX_SECRET",
  "SANDBOX_ALLOWED_HOSTS",
  "EXEC_POLICY",
  "APPROVAL_TIMEOUT_SECONDS",
  "EXEC_TIMEOUT_SECONDS",
  "SNAPSHOT_IDLE_MINUTES",
  "SNAPSHOT_RETENTION",
  "RATE_LIMIT_FRAMES_PER_SEC",
  "MCP_ENCRYPTION_KEY",
  "OUTBOUND_ALLOW_LOOPBACK",
  "SERVICE_TOKEN_USERS",
  ...METERING_VARIABLES,
  ...PUSH_VARIABLES,
  ...TELEGRAM_VARIABLES,
  ...UPLOAD_VARIABLES,
]);
const OUR_PREFIXES = [
  "ACCESS_",
  "ADMIN_",
  "LLM_",
  "OPENAI_",
  "ANTHROPIC_",
  "AI_GATEWAY_",
  "SANDBOX_",
  "DEV_",
  "AGENT_",
  "BUDGET_",
  "RATE_LIMIT_",
  "AB_",
  "EXEC_",
  "APPROVAL_",
  "SNAPSHOT_",
  "SESSION_",
  "MCP_",
  "VAPID_",
  "OUTBOUND_",
  "TELEGRAM_",
  "UPLOAD_",
  "SERVICE_",
];

function checkUnknown(env: object): void {
  for (const [name, value] of Object.entries(env)) {
    // An empty value sets nothing (the test suite blanks variables a developer's .dev.vars may add).
    if (typeof value !== "string" || value === "" || KNOWN_VARIABLES.has(name)) continue;
    if (OUR_PREFIXES.some((prefix) => name.startsWith(prefix))) throw configError(name, "is not a known variable");
  }
}

function meteringOrConfigError(vars: MeteringVars): MeteringConfig {
  try {
    return parseMetering(vars);
  } catch (error) {
    if (error instanceof MeteringConfigError) throw new AppError("config_error", error.message);
    throw error;
  }
}

function uploadsOrConfigError(vars: UploadVars): UploadConfig {
  try {
    return parseUploads(vars);
  } catch (error) {
    if (error instanceof UploadConfigError) throw new AppError("config_error", error.message);
    throw error;
  }
}

function pushOrConfigError(vars: PushVars, devAuth: boolean): PushConfig | null {
  try {
    return parsePush(vars, devAuth);
  } catch (error) {
    if (error instanceof PushConfigError) throw new AppError("config_error", error.message);
    throw error;
  }
}

function telegramOrConfigError(vars: TelegramVars): TelegramConfig | null {
  try {
    return parseTelegram(vars);
  } catch (error) {
    if (error instanceof TelegramConfigError) throw new AppError("config_error", error.message);
    throw error;
  }
}

/** Validates the variables; throws an AppError("config_error") naming the first bad one. */
export function parseConfig(vars: ConfigVars): Config {
  const devAuthRaw = vars.DEV_AUTH ?? "";
  if (!["", "0", "1"].includes(devAuthRaw)) throw configError("DEV_AUTH", `must be 1 or 0 (got "${devAuthRaw}")`);
  const devAuth = devAuthRaw === "1";
  const teamDomain = parseTeamDomain(vars.ACCESS_TEAM_DOMAIN);
  const audience = vars.ACCESS_AUD?.trim() || null;
  if (!devAuth && teamDomain === null) throw configError("ACCESS_TEAM_DOMAIN", "is required (or DEV_AUTH=1 locally)");
  if (!devAuth && audience === null) throw configError("ACCESS_AUD", "is required (or DEV_AUTH=1 locally)");
  const allowLoopback =
    oneOf("OUTBOUND_ALLOW_LOOPBACK", vars.OUTBOUND_ALLOW_LOOPBACK, ["0", "1"] as const, "0") === "1";
  if (allowLoopback && !devAuth)
    throw configError("OUTBOUND_ALLOW_LOOPBACK", "is for local development only (DEV_AUTH=1)");
  const sandboxMode = oneOf("SANDBOX_MODE", vars.SANDBOX_MODE, ["cloudflare", "local"] as const, "cloudflare");
  const llmDemo = oneOf("LLM_DEMO", vars.LLM_DEMO, ["0", "1"] as const, "0") === "1";
  if (llmDemo && !devAuth) throw configError("LLM_DEMO", "is set by `npm run dev` only (it needs DEV_AUTH=1)");
  return {
    teamDomain,
    audience,
    devAuth,
    adminEmails: list(vars.ADMIN_EMAILS, true),
    adminGroups: list(vars.ADMIN_GROUPS, false),
    allowedOrigins: parseOrigins(vars.ALLOWED_ORIGINS),
    llmProvider: oneOf(
      "LLM_PROVIDER",
      vars.LLM_PROVIDER,
      ["openai", "anthropic", "workers-ai", "openai-responses"] as const,
      "openai",
    ),
    llmModel: vars.LLM_MODEL?.trim() || "gpt-4o-mini",
    llmDemo,
    sandboxMode,
    sandbox: parseSandbox(vars, sandboxMode),
    framesPerSecond: integer("RATE_LIMIT_FRAMES_PER_SEC", vars.RATE_LIMIT_FRAMES_PER_SEC, 10, 1, 100_000),
    agent: parseAgent(vars),
    metering: meteringOrConfigError(vars),
    mcpEncryptionKey: parseMcpKey(vars.MCP_ENCRYPTION_KEY),
    push: pushOrConfigError(vars, devAuth),
    outbound: { allowLoopback },
    telegram: telegramOrConfigError(vars),
    uploads: uploadsOrConfigError(vars),
    serviceTokenUsers: parseServiceTokenUsers(vars.SERVICE_TOKEN_USERS),
  };
}

function parseMcpKey(raw: string | undefined): string | null {
  const key = raw?.trim() || null;
  if (key !== null && !validKey(key)) throw configError("MCP_ENCRYPTION_KEY", "must be 32 random bytes in base64");
  return key;
}

/**
 * The main provider must be reachable with what is configured: a key, or a base URL of its own (a keyless
 * server such as Ollama), or AI Gateway. A deployed worker never falls back to anything: it names the variable.
 */
export function providerProblem(config: Config): AppError | null {
  const agent = config.agent;
  if (agent.gateway) return null;
  if (
    (config.llmProvider === "openai" || config.llmProvider === "openai-responses") &&
    !agent.openaiApiKey &&
    agent.openaiBaseUrl === DEFAULT_OPENAI_BASE_URL
  )
    return configError("OPENAI_API_KEY", "is not set (or set OPENAI_BASE_URL to a keyless server such as Ollama)");
  if (
    config.llmProvider === "anthropic" &&
    !agent.anthropicApiKey &&
    agent.anthropicBaseUrl === DEFAULT_ANTHROPIC_BASE_URL
  )
    return configError("ANTHROPIC_API_KEY", "is not set");
  return null;
}

function checkProviderConfigured(config: Config): void {
  const problem = providerProblem(config);
  if (problem) throw problem;
}

const cache = new WeakMap<object, Config>();

/** The configuration for this env object, parsed once per isolate. */
export function getConfig(env: ConfigVars): Config {
  let config = cache.get(env);
  if (config === undefined) {
    checkUnknown(env);
    config = parseConfig(env);
    checkProviderConfigured(config);
    cache.set(env, config);
  }
  return config;
}

/** The Workers AI binding's one method the provider uses. */
export interface AiBinding {
  run(model: string, input: unknown, options?: unknown): Promise<unknown>;
}

/** The optional `AI` binding (declare `[ai] binding = "AI"` in wrangler.toml to use Workers AI). */
export function aiBinding(env: object): AiBinding | undefined {
  const ai: unknown = Reflect.get(env, "AI");
  if (typeof ai !== "object" || ai === null) return undefined;
  const run: unknown = Reflect.get(ai, "run");
  if (typeof run !== "function") return undefined;
  return { run: (model, input, options) => Reflect.apply(run, ai, [model, input, options]) };
}
