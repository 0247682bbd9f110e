// The whole configuration: every part's schema composed, the variables they declare, and one parse.

import { AUTH_VARIABLES, type AuthConfig, type AuthVars, parseAuth } from "./auth";
import { LLM_VARIABLES, type LlmConfig, type LlmVars, parseLlm } from "./llm";
import { MCP_VARIABLES, type McpSlice, type McpVars, parseMcp } from "./mcp";
import { METERING_VARIABLES, type MeteringSlice, type MeteringVars, parseMetering } from "./metering";
import { PUSH_VARIABLES, type PushSlice, type PushVars, parsePush } from "./push";
import { parseSandbox, SANDBOX_VARIABLES, type SandboxSlice, type SandboxVars } from "./sandbox";
import { parseTelegram, TELEGRAM_VARIABLES, type TelegramSlice, type TelegramVars } from "./telegram";
import { parseTraffic, TRAFFIC_VARIABLES, type TrafficSlice, type TrafficVars } from "./traffic";
import { parseUploads, UPLOAD_VARIABLES, type UploadSlice, type UploadVars } from "./uploads";

/** The validated configuration: each part's slice side by side. */
export type Config = AuthConfig &
  LlmConfig &
  SandboxSlice &
  TrafficSlice &
  MeteringSlice &
  McpSlice &
  PushSlice &
  UploadSlice &
  TelegramSlice;

/** The variables edgeclaw reads (all optional strings in Env). */
export type ConfigVars = AuthVars &
  LlmVars &
  SandboxVars &
  TrafficVars &
  MeteringVars &
  McpVars &
  PushVars &
  UploadVars &
  TelegramVars;

/** Every variable edgeclaw reads, as the schemas declare them. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set<string>([
  ...AUTH_VARIABLES,
  ...LLM_VARIABLES,
  ...SANDBOX_VARIABLES,
  ...TRAFFIC_VARIABLES,
  ...METERING_VARIABLES,
  ...MCP_VARIABLES,
  ...PUSH_VARIABLES,
  ...UPLOAD_VARIABLES,
  ...TELEGRAM_VARIABLES,
]);

/** Validates the variables; throws an AppError("config_error") naming the first bad one. */
export function parseConfig(vars: ConfigVars): Config {
  const auth = parseAuth(vars);
  const traffic = parseTraffic(vars, auth.devAuth);
  const sandbox = parseSandbox(vars);
  return {
    ...auth,
    ...parseLlm(vars, auth.devAuth),
    ...sandbox,
    ...traffic,
    ...parseMetering(vars),
    ...parseMcp(vars),
    ...parsePush(vars, auth.devAuth),
    ...parseUploads(vars),
    ...parseTelegram(vars),
  };
}
