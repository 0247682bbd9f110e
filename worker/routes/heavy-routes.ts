// Rate limits of HTTP routes that cost storage or fan out: checked in the user's usage object before the work.

import { userUsage } from "../../objects/names";
import type { HeavyRoute } from "../../objects/usage/http-limits";
import { AppError } from "../../protocol/errors";

const WHAT: Record<HeavyRoute, string> = {
  export: "transcript exports",
  snapshot: "snapshots and restores",
  search: "searches",
};

/** Throws rate_limited (429 with Retry-After) when the user used up this route's budget. */
export async function limitHeavyRoute(env: Env, user: string, route: HeavyRoute): Promise<void> {
  const wait = await userUsage(env, user).takeHeavyRoute(route);
  if (wait > 0) throw new AppError("rate_limited", `too many ${WHAT[route]}; retry in ${wait} s`, wait);
}
