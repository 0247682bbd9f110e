// Web Push configuration: the VAPID key pair and subject, all three or none (then push is off).

import { base64UrlDecode } from "../protocol/base64url";
import { configError, type VarsOf } from "./read";

export const PUSH_VARIABLES = ["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"] as const;
export type PushVars = VarsOf<typeof PUSH_VARIABLES>;

/** The application server's key pair and contact, from VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY / VAPID_SUBJECT. */
export interface VapidKeys {
  /** Uncompressed P-256 public key (65 bytes), base64url: the browser's `applicationServerKey`. */
  publicKey: string;
  /** The private scalar d (32 bytes), base64url. */
  privateKey: string;
  /** `mailto:` or `https:` contact the push service may use. */
  subject: string;
}

/** Web Push settings; null when no VAPID keys are configured. */
export interface PushConfig {
  vapid: VapidKeys;
  /** Plain-http loopback endpoints are accepted (DEV_AUTH=1, i.e. `npm run dev` and tests); never in production. */
  allowLoopbackHttp: boolean;
}

export interface PushSlice {
  /** Web Push (VAPID); null when not configured. */
  push: PushConfig | null;
}

/** What is wrong with a key pair, or null when it is usable (shape only; the pair is checked on first sign). */
export function vapidProblem(keys: VapidKeys): { variable: string; problem: string } | null {
  const pub = base64UrlDecode(keys.publicKey);
  if (pub?.length !== 65 || pub[0] !== 4)
    return { variable: "VAPID_PUBLIC_KEY", problem: "must be a base64url uncompressed P-256 point (65 bytes)" };
  const priv = base64UrlDecode(keys.privateKey);
  if (priv?.length !== 32)
    return { variable: "VAPID_PRIVATE_KEY", problem: "must be a base64url P-256 private key (32 bytes)" };
  if (!/^(mailto:.+@.+|https:\/\/.+)$/.test(keys.subject))
    return { variable: "VAPID_SUBJECT", problem: "must be a mailto: or https: URL" };
  return null;
}

export function parsePush(vars: PushVars, devAuth: boolean): PushSlice {
  return { push: parsePushConfig(vars, devAuth) };
}

function parsePushConfig(vars: PushVars, devAuth: boolean): PushConfig | null {
  const publicKey = vars.VAPID_PUBLIC_KEY?.trim() ?? "";
  const privateKey = vars.VAPID_PRIVATE_KEY?.trim() ?? "";
  const subject = vars.VAPID_SUBJECT?.trim() ?? "";
  if (!publicKey && !privateKey && !subject) return null;
  const missing = PUSH_VARIABLES.find((_, i) => [publicKey, privateKey, subject][i] === "");
  if (missing) throw configError(missing, "is required with the other VAPID_ variables");
  const vapid = { publicKey, privateKey, subject };
  const problem = vapidProblem(vapid);
  if (problem) throw configError(problem.variable, problem.problem);
  return { vapid, allowLoopbackHttp: devAuth };
}
