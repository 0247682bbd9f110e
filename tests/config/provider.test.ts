// The model part of the configuration: the demo flag is for `npm run dev` only, and the client learns the model.

import { describe, expect, it } from "vitest";
import { modelInfo } from "../../agent/providers/factory";
import { parseConfig } from "../../config/config";

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
});
