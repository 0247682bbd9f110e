// Configuration: every malformed or unknown variable stops start-up with a message naming it.

import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/config";
import { getConfig } from "../../config/load";
import { base, errorOf } from "./helpers";

describe("config", () => {
  it("accepts a production configuration and normalises it", () => {
    const config = parseConfig({
      ...base,
      ADMIN_EMAILS: " A@x.com, b@x.com ",
      ALLOWED_ORIGINS: "https://app.example.com/",
    });
    expect(config.teamDomain).toBe("https://acme.cloudflareaccess.com");
    expect([...config.adminEmails]).toEqual(["a@x.com", "b@x.com"]);
    expect([...config.allowedOrigins]).toEqual(["https://app.example.com"]);
    expect(config.agent.gateway).toBeUndefined();
  });

  it.each([
    [{ ACCESS_AUD: "aud" }, "ACCESS_TEAM_DOMAIN"],
    [{ ...base, ACCESS_AUD: "" }, "ACCESS_AUD"],
    [{ ...base, ACCESS_TEAM_DOMAIN: "http://acme.example.com" }, "ACCESS_TEAM_DOMAIN"],
    [{ ...base, DEV_AUTH: "yes" }, "DEV_AUTH"],
    [{ ...base, LLM_PROVIDER: "gpt" }, "LLM_PROVIDER"],
    [{ ...base, SANDBOX_MODE: "docker" }, "SANDBOX_MODE"],
    [{ ...base, ALLOWED_ORIGINS: "not a url" }, "ALLOWED_ORIGINS"],
    [{ ...base, OPENAI_BASE_URL: "ftp://x" }, "OPENAI_BASE_URL"],
    [{ ...base, AGENT_MAX_STEPS: "0" }, "AGENT_MAX_STEPS"],
    [{ ...base, AI_GATEWAY_ID: "gw" }, "AI_GATEWAY_ACCOUNT_ID"],
  ])("refuses %o naming %s", (vars, variable) => {
    expect(errorOf(() => parseConfig(vars))).toContain(variable);
  });

  it("refuses an unknown variable with one of our prefixes", () => {
    // Every documented variable has one, including the three outside a family.
    for (const typo of ["LLM_MODLE", "MAX_CONCURENT_TURNS", "SYSTEM_PROMT", "ALLOWED_ORIGIN"])
      expect(errorOf(() => getConfig({ ...base, [typo]: "x" } as never))).toContain(typo);
    expect(errorOf(() => getConfig({ ...base, OPENAI_API_KEY: "sk-x", SOMETHING_ELSE: "x" } as never))).toBe(
      "no error",
    );
  });
});
