// Two test projects: "workers" runs inside workerd (miniflare) against wrangler.toml; "node" drives real servers from Node.
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * The plugin reads a developer's `.dev.vars` (or `.env`) into the worker like `wrangler dev` does. Every variable
 * they add that the tests do not set is blanked (an empty value sets nothing), so the suite sees only its own.
 */
function blankLocalVars(own: Record<string, string>): Record<string, string> {
  const names = new Set<string>();
  for (const file of [".dev.vars", ".env"]) {
    if (existsSync(file)) for (const name of Object.keys(parseEnv(readFileSync(file, "utf8")))) names.add(name);
  }
  return Object.fromEntries([...names].filter((name) => !(name in own)).map((name) => [name, ""]));
}

function withoutLocalVars(own: Record<string, string>): Record<string, string> {
  return { ...blankLocalVars(own), ...own };
}

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            // The AI binding has no local mode: offline tests replace it with a fake (tests/agent/workers-ai.test.ts).
            remoteBindings: false,
            miniflare: {
              bindings: withoutLocalVars({
                OPENAI_BASE_URL: `${inject("fakeLlmUrl")}/v1`,
                ANTHROPIC_BASE_URL: inject("fakeLlmUrl"),
                FAKE_LLM_URL: inject("fakeLlmUrl"),
                LLM_MODEL: "fake-model",
                // The stand-in LLM's models cost nothing, explicitly (an unpriced model is never called).
                LLM_FREE_MODELS: "fake-model,fake-vision,anthropic:claude-fake",
                // Tests pick catalog models of both providers and unpriced names (refused by the meter).
                LLM_ALLOWED_MODELS: "*",
                DEV_AUTH: "1",
                // Requests to a non-loopback host ignore DEV_AUTH and use this team domain: nothing listens there.
                ACCESS_TEAM_DOMAIN: "http://127.0.0.1:9",
                ACCESS_AUD: "edgeclaw-test",
                ADMIN_EMAILS: "admin@example.com",
                ADMIN_GROUPS: "ops",
                // Access service tokens acting for a user (tests/worker/api-keys.test.ts); one names an admin's email.
                SERVICE_TOKEN_USERS: "ci-bot.access=svc-owner@example.com,admin-bot.access=admin@example.com",
                LLM_PROVIDER: "openai",
                SANDBOX_MODE: "local",
                SANDBOX_URL: inject("sandboxUrl"),
                SANDBOX_SECRET: inject("sandboxSecret"),
                // The operator's policy is a ceiling sessions may only tighten: tests tighten it to ask or deny.
                EXEC_POLICY: "auto",
                // web_fetch may reach the stand-ins on loopback (a local-development allowance, DEV_AUTH only).
                OUTBOUND_ALLOW_LOOPBACK: "1",
                APPROVAL_TIMEOUT_SECONDS: "2",
                EXEC_TIMEOUT_SECONDS: "5",
                // A provider key the sandbox must never see.
                OPENAI_API_KEY: "sk-test-worker-secret-do-not-leak",
                // Ten concurrent turns of one user must reach the budget, not this limit (tested on its own).
                MAX_CONCURRENT_TURNS: "20",
                // A stalled provider stream fails after this long (tests stall it for longer).
                LLM_STREAM_IDLE_SECONDS: "1",
              }),
            },
          })),
        ],
        test: {
          name: "workers",
          globalSetup: ["tests/global-setup.ts"],
          include: ["tests/{worker,objects,protocol,agent,hardening}/**/*.test.ts"],
          // Generous bounds: a busy two-core CI machine must pass; no test relies on finishing fast.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["tests/{e2e,sandbox,browser,scripts}/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // expect.poll ends as soon as its condition holds; this only bounds a failure on a busy machine.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
