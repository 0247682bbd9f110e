// Token buckets for client frames: per socket and per user within a session, kept in memory.

/** Frames a socket may send per second by default (RATE_LIMIT_FRAMES_PER_SEC); a burst is four seconds' worth. */
export const SOCKET_PER_SECOND = 10;
const BURST_SECONDS = 4;
/** All sockets of one user together may send twice a socket's rate. */
const USER_FACTOR = 2;

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
  readonly #perSecond: number;

  constructor(perSecond = SOCKET_PER_SECOND) {
    this.#perSecond = perSecond;
  }

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
    const rate = this.#perSecond;
    const socketWait = this.#take(`c:${connectionId}`, rate * BURST_SECONDS, rate, now);
    if (socketWait > 0) return socketWait;
    return this.#take(`u:${user}`, rate * BURST_SECONDS * USER_FACTOR, rate * USER_FACTOR, now);
  }

  /**
   * Takes `frames` more from a socket's bucket after work it asked for (a repeated replay); the bucket may
   * go below zero, and the socket then waits until it refills.
   */
  charge(connectionId: string, frames: number, now = Date.now()): void {
    const rate = this.#perSecond;
    this.#take(`c:${connectionId}`, rate * BURST_SECONDS, rate, now);
    const bucket = this.#buckets.get(`c:${connectionId}`);
    if (bucket) bucket.tokens -= Math.max(0, frames - 1);
  }

  forget(connectionId: string): void {
    this.#buckets.delete(`c:${connectionId}`);
  }
}
