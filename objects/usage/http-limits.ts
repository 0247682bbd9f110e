// Token buckets for HTTP routes that cost storage or fan out (exports, snapshots, search), per user.

/** Routes with their own budget. */
export type HeavyRoute = "export" | "snapshot" | "search";

/** A burst, then this many more per hour. */
export const HEAVY_ROUTE_LIMITS: Record<HeavyRoute, { burst: number; perHour: number }> = {
  export: { burst: 20, perHour: 20 },
  snapshot: { burst: 20, perHour: 60 },
  search: { burst: 30, perHour: 360 },
};

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Kept in the user's usage object's memory: an eviction only lets a quiet user start full again.
 * `take` answers 0 when the request may go, else the seconds to wait.
 */
export class HeavyRouteLimiter {
  readonly #buckets = new Map<HeavyRoute, Bucket>();

  take(route: HeavyRoute, now = Date.now()): number {
    const { burst, perHour } = HEAVY_ROUTE_LIMITS[route];
    const perMs = perHour / 3_600_000;
    const bucket = this.#buckets.get(route) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.#buckets.set(route, bucket);
    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) / perMs / 1000);
    bucket.tokens -= 1;
    return 0;
  }
}
