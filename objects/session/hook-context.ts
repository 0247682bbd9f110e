// What a session's after-hooks are built from: the session's identity, stores, alarm and devices.

import type { Config } from "../../config/config";
import type { AlarmMultiplexer } from "../shared/alarms";
import type { EventLog } from "./event-log";
import type { MetaStore } from "./meta-store";
import type { SessionHook, SessionIdentity } from "./session-events";

/** What a hook may use: the session's identity and stores, its alarm, the devices, the isolate's lifetime. */
export interface HookContext {
  env: Env;
  config: Config;
  identity: SessionIdentity;
  log: EventLog;
  meta: MetaStore;
  /** Book retries of outbound deliveries here (declare the handler with `alarms.handle` when the hook is built). */
  alarms: AlarmMultiplexer;
  /** Whether one of the owner's devices is connected now. */
  ownerHere(): boolean;
  /** Keeps the isolate alive for work nobody waits for. */
  waitUntil(promise: Promise<unknown>): void;
}

/** Builds a hook for one session, or null when it does not apply (e.g. its channel is not configured). */
export type HookFactory = (ctx: HookContext) => SessionHook | null;
