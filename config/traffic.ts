// Traffic options: how fast a socket may send frames, and whether outbound fetches may reach loopback.

import { configError, flag, integer, type VarsOf } from "./read";

export const TRAFFIC_VARIABLES = ["RATE_LIMIT_FRAMES_PER_SEC", "OUTBOUND_ALLOW_LOOPBACK"] as const;
export type TrafficVars = VarsOf<typeof TRAFFIC_VARIABLES>;

export interface TrafficSlice {
  /** Client frames a socket may send per second (a user's sockets together twice that). */
  framesPerSecond: number;
  /** Fetches made for users and models (web_fetch): loopback targets only in local development. */
  outbound: { allowLoopback: boolean };
}

/** OUTBOUND_ALLOW_LOOPBACK alone: a development allowance, refused without DEV_AUTH=1. */
export function parseOutbound(vars: TrafficVars, devAuth: boolean): TrafficSlice["outbound"] {
  const allowLoopback = flag("OUTBOUND_ALLOW_LOOPBACK", vars.OUTBOUND_ALLOW_LOOPBACK);
  if (allowLoopback && !devAuth)
    throw configError("OUTBOUND_ALLOW_LOOPBACK", "is for local development only (DEV_AUTH=1)");
  return { allowLoopback };
}

export function parseTraffic(vars: TrafficVars, devAuth: boolean): TrafficSlice {
  return {
    outbound: parseOutbound(vars, devAuth),
    framesPerSecond: integer("RATE_LIMIT_FRAMES_PER_SEC", vars.RATE_LIMIT_FRAMES_PER_SEC, 10, 1, 100_000),
  };
}
