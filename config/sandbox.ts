// Sandbox options: the backend, the local host and its secret, the exec policy, timeouts, snapshots and network.

import { baseUrl, configError, integer, oneOf, type VarsOf } from "./read";

export const SANDBOX_VARIABLES = [
  "SANDBOX_MODE",
  "SANDBOX_URL",
  "SANDBOX_SECRET",
  "SANDBOX_ALLOWED_HOSTS",
  "EXEC_POLICY",
  "APPROVAL_TIMEOUT_SECONDS",
  "EXEC_TIMEOUT_SECONDS",
  "SNAPSHOT_IDLE_MINUTES",
  "SNAPSHOT_RETENTION",
] as const;
export type SandboxVars = VarsOf<typeof SANDBOX_VARIABLES>;

export type SandboxMode = "cloudflare" | "local";
export type { ExecPolicy } from "../protocol/api";

import type { ExecPolicy } from "../protocol/api";

export interface SandboxConfig {
  /** The local sandbox host (SANDBOX_MODE=local). */
  url: string;
  /** Its shared secret; required in local mode. */
  secret: string | null;
  /** Default approval policy of the exec tool for new sessions. */
  execPolicy: ExecPolicy;
  /** An unanswered approval request is denied after this long. */
  approvalTimeoutMs: number;
  /** Default and maximum time a command may run. */
  execTimeoutMs: number;
  /** A session idle this long gets a workspace snapshot; 0 turns idle snapshots off. */
  snapshotIdleMs: number;
  /** Snapshots kept per session. */
  snapshotRetention: number;
  /** Hosts the production sandbox's commands may reach (SANDBOX_ALLOWED_HOSTS); none means no network. */
  allowedHosts: readonly string[];
}

export interface SandboxSlice {
  sandboxMode: SandboxMode;
  sandbox: SandboxConfig;
}

const HOST = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * The hosts SANDBOX_ALLOWED_HOSTS (`value`) lists (comma-separated names, `*.example.com` allowed), or none.
 * A malformed entry is a configuration error naming the variable.
 */
export function sandboxAllowedHosts(value: unknown): readonly string[] {
  const raw = typeof value === "string" ? value.trim() : "";
  if (raw === "") return [];
  return raw.split(",").map((entry) => {
    const host = entry.trim().toLowerCase();
    if (!HOST.test(host)) throw configError("SANDBOX_ALLOWED_HOSTS", `has an invalid host name: ${entry.trim()}`);
    return host;
  });
}

export function parseSandboxMode(vars: SandboxVars): SandboxMode {
  return oneOf("SANDBOX_MODE", vars.SANDBOX_MODE, ["cloudflare", "local"] as const, "cloudflare");
}

export function parseSandbox(vars: SandboxVars): SandboxSlice {
  const mode = parseSandboxMode(vars);
  const secret = vars.SANDBOX_SECRET?.trim() || null;
  if (mode === "local" && secret !== null && secret.length < 16)
    throw configError("SANDBOX_SECRET", "must be at least 16 characters");
  return {
    sandboxMode: mode,
    sandbox: {
      url: baseUrl("SANDBOX_URL", vars.SANDBOX_URL, "http://127.0.0.1:8788"),
      secret,
      execPolicy: oneOf("EXEC_POLICY", vars.EXEC_POLICY, ["ask", "auto", "deny"] as const, "ask"),
      approvalTimeoutMs: integer("APPROVAL_TIMEOUT_SECONDS", vars.APPROVAL_TIMEOUT_SECONDS, 300, 1, 86_400) * 1000,
      execTimeoutMs: integer("EXEC_TIMEOUT_SECONDS", vars.EXEC_TIMEOUT_SECONDS, 60, 1, 600) * 1000,
      snapshotIdleMs: integer("SNAPSHOT_IDLE_MINUTES", vars.SNAPSHOT_IDLE_MINUTES, 10, 0, 10_080) * 60_000,
      snapshotRetention: integer("SNAPSHOT_RETENTION", vars.SNAPSHOT_RETENTION, 5, 1, 1000),
      allowedHosts: sandboxAllowedHosts(vars.SANDBOX_ALLOWED_HOSTS),
    },
  };
}
