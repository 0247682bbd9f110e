// Web Push configuration: the VAPID key pair and subject, all three or none (then push is off).

import { type VapidKeys, vapidProblem } from "../agent/push/vapid";

export const PUSH_VARIABLES = ["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"] as const;
export type PushVars = Partial<Record<(typeof PUSH_VARIABLES)[number], string>>;

/** Web Push settings; null when no VAPID keys are configured. */
export interface PushConfig {
  vapid: VapidKeys;
  /** Plain-http loopback endpoints are accepted (DEV_AUTH=1, i.e. `npm run dev` and tests); never in production. */
  allowLoopbackHttp: boolean;
}

export class PushConfigError extends Error {}

export function parsePush(vars: PushVars, devAuth: boolean): PushConfig | null {
  const publicKey = vars.VAPID_PUBLIC_KEY?.trim() ?? "";
  const privateKey = vars.VAPID_PRIVATE_KEY?.trim() ?? "";
  const subject = vars.VAPID_SUBJECT?.trim() ?? "";
  if (!publicKey && !privateKey && !subject) return null;
  const missing = PUSH_VARIABLES.find((_, i) => [publicKey, privateKey, subject][i] === "");
  if (missing) throw new PushConfigError(`configuration error: ${missing} is required with the other VAPID_ variables`);
  const vapid = { publicKey, privateKey, subject };
  const problem = vapidProblem(vapid);
  if (problem) throw new PushConfigError(`configuration error: ${problem.variable} ${problem.problem}`);
  return { vapid, allowLoopbackHttp: devAuth };
}
