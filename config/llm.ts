// Provider options: which LLM, where it is, its keys and gateway, and the agent loop's limits.

import type { AppError } from "../protocol/errors";
import { baseUrl, configError, flag, integer, list, oneOf, type VarsOf } from "./read";

export const LLM_VARIABLES = [
  "LLM_PROVIDER",
  "LLM_MODEL",
  "LLM_DEMO",
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
] as const;
export type LlmVars = VarsOf<typeof LLM_VARIABLES>;

export type LlmProvider = "openai" | "anthropic" | "workers-ai" | "openai-responses";
export const LLM_PROVIDERS: readonly LlmProvider[] = ["openai", "anthropic", "workers-ai", "openai-responses"];

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

export interface LlmConfig {
  llmProvider: LlmProvider;
  llmModel: string;
  /** LLM_DEMO=1 (set by `npm run dev` only): the model is the built-in demo model, whose replies are scripted. */
  llmDemo: boolean;
  agent: AgentConfig;
}

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";

export const DEFAULT_SYSTEM_PROMPT =
  "You are edgeclaw, a personal AI agent. Be direct and accurate. Use tools when they help, and say what you did.";

function parseAgent(vars: LlmVars): AgentConfig {
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

/** The model a provider uses when LLM_MODEL is not set: one the price catalogue knows, so it is never refused. */
export const DEFAULT_MODELS: Readonly<Record<LlmProvider, string>> = {
  openai: "gpt-4o-mini",
  "openai-responses": "gpt-4o-mini",
  anthropic: "claude-haiku-4-5",
  "workers-ai": "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
};

export function parseLlm(vars: LlmVars, devAuth: boolean): LlmConfig {
  const llmDemo = flag("LLM_DEMO", vars.LLM_DEMO);
  if (llmDemo && !devAuth) throw configError("LLM_DEMO", "is set by `npm run dev` only (it needs DEV_AUTH=1)");
  const llmProvider = oneOf("LLM_PROVIDER", vars.LLM_PROVIDER, LLM_PROVIDERS, "openai");
  return {
    llmProvider,
    llmModel: vars.LLM_MODEL?.trim() || DEFAULT_MODELS[llmProvider],
    llmDemo,
    agent: parseAgent(vars),
  };
}

/** The variable a provider lacks: no key, no endpoint of its own, no gateway; null when it is reachable. */
export function missingProviderKey(provider: LlmProvider, agent: AgentConfig): string | null {
  if (agent.gateway) return null;
  if (
    (provider === "openai" || provider === "openai-responses") &&
    !agent.openaiApiKey &&
    agent.openaiBaseUrl === DEFAULT_OPENAI_BASE_URL
  )
    return "OPENAI_API_KEY";
  if (provider === "anthropic" && !agent.anthropicApiKey && agent.anthropicBaseUrl === DEFAULT_ANTHROPIC_BASE_URL)
    return "ANTHROPIC_API_KEY";
  return null;
}

/**
 * The main provider must be reachable with what is configured: a key, or a base URL of its own (a keyless
 * server such as Ollama), or AI Gateway. A deployed worker never falls back to anything: it names the variable.
 */
export function providerProblem(config: LlmConfig): AppError | null {
  const missing = missingProviderKey(config.llmProvider, config.agent);
  if (missing === "OPENAI_API_KEY")
    return configError(missing, "is not set (or set OPENAI_BASE_URL to a keyless server such as Ollama)");
  return missing === null ? null : configError(missing, "is not set");
}
