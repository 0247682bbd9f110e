// Chooses and builds the provider for a model from configuration: the one place providers are picked.

import {
  type AgentConfig,
  LLM_PROVIDERS,
  type LlmConfig,
  type LlmProvider,
  missingProviderKey,
} from "../../config/llm";
import type { ModelInfo } from "../../protocol/frames";
import type { AiBinding } from "./ai-binding";
import { anthropicProvider } from "./anthropic";
import { unconfiguredProvider } from "./errors";
import { gatewayBaseUrl, gatewayBindingOptions, gatewayHeaders } from "./gateway";
import type { FetchLike } from "./http";
import { openAiProvider } from "./openai";
import { openAiResponsesProvider } from "./openai-responses";
import type { ChatRequest, Provider } from "./types";
import { workersAiProvider } from "./workers-ai";

export interface ProviderChoice extends AgentConfig {
  provider: LlmProvider;
  model: string;
}

export interface ProviderDeps {
  fetch: FetchLike;
  ai: AiBinding | undefined;
}

export function createProvider(choice: ProviderChoice, deps: ProviderDeps): Provider {
  const gateway = choice.gateway;
  const missing = missingProviderKey(choice.provider, choice);
  if (missing !== null && choice.provider !== "workers-ai")
    return unconfiguredProvider(choice.provider === "openai-responses" ? "openai" : choice.provider, missing);
  // Chat Completions and Responses share OpenAI's URL, key and gateway route.
  const openAiOptions = () => ({
    baseUrl: gateway ? gatewayBaseUrl(gateway, "openai") : choice.openaiBaseUrl,
    ...(choice.openaiApiKey ? { apiKey: choice.openaiApiKey } : {}),
    ...(gateway ? { headers: (request: ChatRequest) => gatewayHeaders(gateway, request) } : {}),
    fetch: deps.fetch,
    idleTimeoutMs: choice.streamIdleMs,
  });
  switch (choice.provider) {
    case "openai":
      return openAiProvider(openAiOptions());
    case "anthropic":
      return anthropicProvider({
        baseUrl: gateway ? gatewayBaseUrl(gateway, "anthropic") : choice.anthropicBaseUrl,
        ...(choice.anthropicApiKey ? { apiKey: choice.anthropicApiKey } : {}),
        ...(gateway ? { headers: (request) => gatewayHeaders(gateway, request) } : {}),
        fetch: deps.fetch,
        idleTimeoutMs: choice.streamIdleMs,
      });
    case "openai-responses":
      return openAiResponsesProvider(openAiOptions());
    case "workers-ai":
      return workersAiProvider({
        ai: deps.ai,
        ...(gateway ? { gateway: (request) => gatewayBindingOptions(gateway, request) } : {}),
      });
  }
}

/** "anthropic:claude-x" picks the provider too; anything else is a model of the default provider. */
export function parseModelRef(ref: string, fallback: LlmProvider): { provider: LlmProvider; model: string } {
  const colon = ref.indexOf(":");
  const prefix = colon > 0 ? ref.slice(0, colon) : "";
  const provider = LLM_PROVIDERS.find((name) => name === prefix);
  return provider ? { provider, model: ref.slice(colon + 1) } : { provider: fallback, model: ref };
}

/** What the client shows of a session's model: its `/model` choice, else the configured one; demo only when unchanged. */
export function modelInfo(config: LlmConfig, sessionModel: string | null): ModelInfo {
  const { provider, model } = parseModelRef(sessionModel ?? config.llmModel, config.llmProvider);
  const demo = config.llmDemo && provider === config.llmProvider && model === config.llmModel;
  return { provider, model, demo };
}
