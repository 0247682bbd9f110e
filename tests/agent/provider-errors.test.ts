// Provider failures in words a person can act on: no key, refused key, unknown model, unreachable host, limits.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { httpFailure, networkFailure, providerDetail, refusalMessage } from "../../agent/providers/errors";
import { createProvider } from "../../agent/providers/factory";
import { openAiProvider } from "../../agent/providers/openai";
import { type ChatRequest, ProviderError } from "../../agent/providers/types";
import { parseConfig } from "../../config/config";
import { getConfig } from "../../config/load";
import { createApp } from "../../worker/app";
import { createSession, join, login } from "../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));

const request: ChatRequest = { model: "gpt-x", messages: [{ role: "user", content: "hi" }] };
const OPENAI = "https://api.openai.com/v1/chat/completions";
const ANTHROPIC = "https://api.anthropic.com/v1/messages";

async function failureOf(stream: AsyncIterable<unknown>): Promise<ProviderError> {
  try {
    for await (const _ of stream) {
      // Drain.
    }
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error("the stream did not fail");
}

function answering(status: number, body: string, headers: Record<string, string> = {}) {
  return async () => new Response(body, { status, headers: { "content-type": "application/json", ...headers } });
}

describe("provider errors", () => {
  it("names the missing key, in the chat (a provider without one) and for every request (configuration)", async () => {
    const bare = parseConfig({ DEV_AUTH: "1" });
    const provider = createProvider({ ...bare.agent, provider: "openai", model: "m" }, { fetch, ai: undefined });
    const noKey = await failureOf(provider.stream(request));
    expect([noKey.code, noKey.message, noKey.retryable]).toEqual(["provider_auth", "OPENAI_API_KEY is not set", false]);
    const anthropic = createProvider({ ...bare.agent, provider: "anthropic", model: "m" }, { fetch, ai: undefined });
    expect((await failureOf(anthropic.stream(request))).message).toBe("ANTHROPIC_API_KEY is not set");

    const unconfigured = { ...env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" };
    expect(() => getConfig(unconfigured)).toThrow(/OPENAI_API_KEY is not set/);
    for (const path of ["/api/sessions", "/dev/login", "/cdn-cgi/access/certs"]) {
      const response = await createApp().fetch(new Request(`http://127.0.0.1${path}`), unconfigured);
      expect(response.status).toBe(500);
      const body = await response.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe("config_error");
      expect(body.error.message).toContain("OPENAI_API_KEY is not set");
    }
    const keyless = { ...env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" };
    expect(getConfig(keyless).agent.openaiBaseUrl).toBe("http://127.0.0.1:11434/v1");
    const claude = { ...env, LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "", ANTHROPIC_BASE_URL: "" };
    expect(() => getConfig(claude)).toThrow(/ANTHROPIC_API_KEY is not set/);
  });

  it("says the provider refused the key, and which variable holds it", async () => {
    const body = '{"error":{"message":"Incorrect API key provided: sk-bogus","type":"invalid_request_error"}}';
    const provider = openAiProvider({ baseUrl: "https://api.openai.com/v1", apiKey: "k", fetch: answering(401, body) });
    const refused = await failureOf(provider.stream(request));
    expect(refused.code).toBe("provider_auth");
    expect(refused.message).toMatch(/^the provider at api\.openai\.com refused the key; check OPENAI_API_KEY/);
    expect(refused.message).toContain("401: Incorrect API key provided");
    const anthropic = httpFailure(403, '{"type":"error","error":{"type":"permission_error","message":"no"}}', {
      url: ANTHROPIC,
      model: "claude-x",
    });
    expect(anthropic.message).toMatch(/refused the key; check ANTHROPIC_API_KEY \(403: no\)$/);
  });

  it("says which model does not exist (OpenAI, Ollama and Anthropic bodies), and a wrong address apart", () => {
    const bodies = [
      '{"error":{"message":"The model `gpt-x` does not exist or you do not have access to it.","code":"model_not_found"}}',
      '{"error":{"message":"model \\"gpt-x\\" not found, try pulling it first","type":"api_error"}}',
      '{"type":"error","error":{"type":"not_found_error","message":"model: gpt-x"}}',
    ];
    for (const body of bodies) {
      const error = httpFailure(404, body, { url: OPENAI, model: "gpt-x" });
      expect(error.message).toMatch(/^the model "gpt-x" does not exist at api\.openai\.com .*check LLM_MODEL/);
      expect(error.retryable).toBe(false);
    }
    const wrongPath = httpFailure(404, "404 page not found", {
      url: "http://127.0.0.1:11434/chat/completions",
      model: "m",
    });
    expect(wrongPath.message).toBe(
      "nothing answers at http://127.0.0.1:11434/chat/completions; check OPENAI_BASE_URL (404: 404 page not found)",
    );
  });

  it("names a host that cannot be reached, never an internal reference alone", async () => {
    const down = async () => {
      throw new Error("internal error; reference = 0123abcd");
    };
    const provider = openAiProvider({ baseUrl: "http://gpu-box.lan:8000/v1", fetch: down });
    const error = await failureOf(provider.stream(request));
    expect(error.code).toBe("provider_unavailable");
    expect(error.message).toMatch(/^could not reach the provider at gpu-box\.lan:8000: /);
    expect(networkFailure("http://x.example/v1/chat/completions", new TypeError("fetch failed")).message).toContain(
      "x.example",
    );
    // workerd's opaque wording of a connection that could not be made is not shown as if it were ours.
    const opaque = networkFailure(
      "https://api.anthropic.com/v1/messages",
      new Error("internal error; reference = abc123"),
    );
    expect(opaque.message).toBe(
      "could not reach the provider at api.anthropic.com: is it running and is its address right? (the connection could not be made)",
    );
  });

  it("says when a rate limit resets, and tells an empty account from a rate limit", async () => {
    const provider = openAiProvider({
      baseUrl: "https://api.openai.com/v1",
      apiKey: "k",
      fetch: answering(429, '{"error":{"message":"Rate limit reached"}}', { "retry-after": "30" }),
    });
    const limited = await failureOf(provider.stream(request));
    expect([limited.code, limited.retryAfterMs]).toEqual(["provider_rate_limited", 30_000]);
    expect(limited.message).toMatch(/rate limit at api\.openai\.com was hit; it resets in 30 s/);
    const quota = httpFailure(
      429,
      '{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}',
      {
        url: OPENAI,
        model: "m",
      },
    );
    expect([quota.code, quota.retryable]).toEqual(["provider_auth", false]);
    expect(quota.message).toMatch(/no quota or credit left; check its billing/);
    expect(refusalMessage("more than 5 model calls in a minute", 42)).toBe(
      "more than 5 model calls in a minute; it resets in 42 s",
    );
    const budget = "the daily budget of $1.00 is used up ($1.00 spent); it resets at 2026-11-30T00:00:00.000Z";
    expect(refusalMessage(budget, 3600)).toBe(budget);
    // A refusal that never resets (a model without a price) says nothing about a reset.
    expect(refusalMessage("gpt-x has no price", 0)).toBe("gpt-x has no price");
  });

  it("quotes only the provider's own message, shortened, never the raw body alone", () => {
    expect(providerDetail('{"error":{"message":"bad   thing\\nhappened"}}')).toBe("bad thing happened");
    expect(providerDetail("x".repeat(500))).toHaveLength(201);
    const failed = httpFailure(500, "<html>oops</html>", { url: OPENAI, model: "m" });
    expect(failed.message).toBe("the provider at api.openai.com failed (500: <html>oops</html>)");
    expect(failed.retryable).toBe(true);
  });

  it("shows the worded error in the chat: a refused key ends the turn with what to check", async () => {
    const t = `refused-${crypto.randomUUID()}`;
    const body = '{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}';
    const steps = [{ kind: "error", status: 401, body }];
    await fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify({ match: t, steps }) });
    const token = await login("refused-key@example.com");
    const device = await join(await createSession(token), token);
    device.send({ type: "user_message", id: "1", text: `hello ${t}` });
    const [error] = await device.waitFor("error");
    expect(error?.message).toMatch(
      /^the provider at 127\.0\.0\.1:\d+ refused the key; check OPENAI_API_KEY \(401: Incorrect API key provided\)$/,
    );
    const [end] = await device.waitFor("turn_end");
    expect(end?.reason).toBe("error");
    device.close();
  });
});
