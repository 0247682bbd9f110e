// The model part of the configuration: the demo flag is for `npm run dev` only, and the client learns the model.

import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES, priceFor } from "../../agent/pricing/cost";
import { pricedAs } from "../../agent/pricing/model-policy";
import { modelInfo } from "../../agent/providers/factory";
import { parseConfig } from "../../config/config";
import { DEFAULT_MODELS, LLM_PROVIDERS } from "../../config/llm";

describe("model configuration", () => {
  it("accepts LLM_DEMO only with the local issuer, and shows the demo only while the session keeps its model", () => {
    expect(() =>
      parseConfig({ ACCESS_TEAM_DOMAIN: "https://a.cloudflareaccess.com", ACCESS_AUD: "x", LLM_DEMO: "1" }),
    ).toThrow(/LLM_DEMO is set by `npm run dev` only/);
    expect(() => parseConfig({ DEV_AUTH: "1", LLM_DEMO: "yes" })).toThrow(/LLM_DEMO must be one of 0, 1/);
    const demo = parseConfig({
      DEV_AUTH: "1",
      LLM_DEMO: "1",
      LLM_MODEL: "edgeclaw-demo",
      OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
    });
    expect(modelInfo(demo, null)).toEqual({ provider: "openai", model: "edgeclaw-demo", demo: true });
    expect(modelInfo(demo, "anthropic:claude-x")).toEqual({ provider: "anthropic", model: "claude-x", demo: false });
    const real = parseConfig({ DEV_AUTH: "1", LLM_PROVIDER: "anthropic", LLM_MODEL: "claude-y" });
    expect(modelInfo(real, null)).toEqual({ provider: "anthropic", model: "claude-y", demo: false });
  });

  it("defaults each provider to a model of its own that has a price (a fresh .dev.vars naming only a provider chats)", () => {
    for (const provider of LLM_PROVIDERS) {
      const config = parseConfig({ DEV_AUTH: "1", LLM_PROVIDER: provider });
      expect(config.llmModel).toBe(DEFAULT_MODELS[provider]);
      expect(priceFor(DEFAULT_PRICES, pricedAs(provider) ?? provider, config.llmModel), provider).toBeDefined();
    }
    expect(parseConfig({ DEV_AUTH: "1", LLM_PROVIDER: "anthropic" }).llmModel).toBe("claude-haiku-4-5");
    expect(parseConfig({ DEV_AUTH: "1", LLM_PROVIDER: "anthropic", LLM_MODEL: "claude-opus-4-5" }).llmModel).toBe(
      "claude-opus-4-5",
    );
  });
});
