// Two test projects: "workers" runs inside workerd (miniflare) against wrangler.toml; "node" drives real servers from Node.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                OPENAI_BASE_URL: `${inject("fakeLlmUrl")}/v1`,
                ANTHROPIC_BASE_URL: inject("fakeLlmUrl"),
                FAKE_LLM_URL: inject("fakeLlmUrl"),
                LLM_MODEL: "fake-model",
                DEV_AUTH: "1",
                // Requests to a non-loopback host ignore DEV_AUTH and use this team domain: nothing listens there.
                ACCESS_TEAM_DOMAIN: "http://127.0.0.1:9",
                ACCESS_AUD: "edgeclaw-test",
                ADMIN_EMAILS: "admin@example.com",
                ADMIN_GROUPS: "ops",
                LLM_PROVIDER: "openai",
                SANDBOX_MODE: "local",
                // Ten concurrent turns of one user must reach the budget, not this limit (tested on its own).
                MAX_CONCURRENT_TURNS: "20",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          globalSetup: ["tests/global-setup.ts"],
          include: ["tests/{worker,objects,protocol,agent}/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["tests/{e2e,sandbox}/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
