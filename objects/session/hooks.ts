// The after-hooks every session runs on its stored events: touch, auto title, push, Telegram; channels add theirs here.

import { telegramHook } from "../telegram/session-hook";
import { autoTitleHook } from "./auto-title";
import type { HookContext, HookFactory } from "./hook-context";
import { pushHook } from "./push-notices";
import type { SessionHook } from "./session-events";

/** A new user message or regenerate marks the session as used now. */
const touchHook: HookFactory = ({ meta }) => ({
  name: "touch",
  after(event) {
    if (event.type === "user_message" || event.type === "regenerate") meta.touch();
  },
});

/** Every session's hooks, in the order they run after each event. A channel adds its factory to this list. */
export const SESSION_HOOKS: readonly HookFactory[] = [touchHook, autoTitleHook, pushHook, telegramHook];

export function sessionHooks(ctx: HookContext, factories: readonly HookFactory[] = SESSION_HOOKS): SessionHook[] {
  return factories.flatMap((factory) => factory(ctx) ?? []);
}
