// Token buckets for client frames: per socket and per user within a session, kept in memory.

/** Frames a socket may send in a burst, and per second after it. */
export const SOCKET_BURST = 40;
export const SOCKET_PER_SECOND = 10;
/** Frames all sockets of one user may send together in a burst, and per second after it. */
export const USER_BURST = 80;
export const USER_PER_SECOND = 20;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Buckets reset when the object hibernates; that only ever lets a quiet client start full, which is
 * the intent. Returns the seconds to wait when over the limit, else 0.
 */
export class FrameRateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  #take(key: string, burst: number, perSecond: number, now: number): number {
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return (1 - bucket.tokens) / perSecond;
    bucket.tokens -= 1;
    return 0;
  }

  check(connectionId: string, user: string, now = Date.now()): number {
    const socketWait = this.#take(`c:${connectionId}`, SOCKET_BURST, SOCKET_PER_SECOND, now);
    if (socketWait > 0) return socketWait;
    return this.#take(`u:${user}`, USER_BURST, USER_PER_SECOND, now);
  }

  forget(connectionId: string): void {
    this.#buckets.delete(`c:${connectionId}`);
  }
}
