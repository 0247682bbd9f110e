// Which models a deployment calls: the price book with explicit zero prices, and the operator's allow-list.

import type { Config } from "../../config/config";
import { parseModelRef } from "../providers/factory";
import { freeModel, type ModelPrice } from "./catalog";
import { type PriceBook, priceBookWith, priceFor } from "./cost";

const books = new WeakMap<Config, PriceBook>();

/** The catalog's provider for a wire protocol: OpenAI's Responses API bills at OpenAI's prices. */
export function pricedAs(provider: string): ModelPrice["provider"] | null {
  if (provider === "openai-responses" || provider === "openai") return "openai";
  return provider === "anthropic" || provider === "workers-ai" ? provider : null;
}

/** The catalog with LLM_PRICES and the models of LLM_FREE_MODELS (priced at 0) on top; built once per config. */
export function priceBook(config: Config): PriceBook {
  let book = books.get(config);
  if (!book) {
    const free = config.metering.freeModels.map((ref) => {
      const { provider, model } = parseModelRef(ref, config.llmProvider);
      return freeModel(pricedAs(provider) ?? "openai", model, "LLM_FREE_MODELS");
    });
    book = priceBookWith([...config.metering.prices, ...free]);
    books.set(config, book);
  }
  return book;
}

const key = (ref: string, config: Config) => {
  const { provider, model } = parseModelRef(ref, config.llmProvider);
  return `${provider}:${model}`;
};

/** Models the operator chose: the configured one, its fallbacks, the A/B variants, free and priced overrides. */
function configured(config: Config): Set<string> {
  const refs = [
    config.llmModel,
    ...config.agent.fallbackModels,
    ...(config.metering.experiment?.variants.map((v) => v.model) ?? []),
    ...config.metering.freeModels,
    ...(Array.isArray(config.metering.allowedModels) ? config.metering.allowedModels : []),
  ];
  return new Set([
    ...refs.map((ref) => key(ref, config)),
    ...config.metering.prices.map((p: ModelPrice) => `${p.provider}:${p.model}`),
  ]);
}

/**
 * Whether a user may pick this model: one the operator configured or listed in LLM_ALLOWED_MODELS, any
 * with "*", and by default also every priced catalog model of the configured provider.
 */
export function isAllowedModel(config: Config, ref: string): boolean {
  const allowed = config.metering.allowedModels;
  if (allowed === "*" || configured(config).has(key(ref, config))) return true;
  if (allowed !== null) return false;
  const { provider, model } = parseModelRef(ref, config.llmProvider);
  const priced = pricedAs(provider);
  return provider === config.llmProvider && priced !== null && priceFor(priceBook(config), priced, model) !== undefined;
}

/** Why a call to this model may not be made (not allowed, or no price), or null when it may. */
export function modelRefusal(config: Config, provider: string, model: string): string | null {
  const ref = `${provider}:${model}`;
  if (!isAllowedModel(config, ref)) return `${model} is not among the models this deployment allows`;
  if (priceFor(priceBook(config), pricedAs(provider) ?? provider, model) === undefined) {
    return `${model} has no price, so no budget could hold it; an operator prices it in LLM_PRICES or lists it in LLM_FREE_MODELS`;
  }
  return null;
}
