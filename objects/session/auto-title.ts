// After the first exchange, a session still called "New session" is named after its first message,
// in its own metadata and in both directories that list it.

import { log as logger } from "../../log/logger";
import { adminIndex, userDirectory } from "../names";
import type { EventLog } from "./event-log";
import type { HookFactory } from "./hook-context";
import { DEFAULT_TITLE, type MetaStore, titleFrom } from "./meta-store";

export function autoTitle(env: Env, meta: MetaStore, log: EventLog): void {
  const current = meta.get();
  if (!current || current.title !== DEFAULT_TITLE) return;
  const first = log.firstUserText();
  if (first === undefined) return;
  const renamed = meta.rename(titleFrom(first));
  if (!renamed) return;
  for (const directory of [userDirectory(env, current.owner), adminIndex(env)]) {
    directory
      .rename(current.id, renamed.title, renamed.updatedAt)
      .catch((error: unknown) => logger.warn("auto title not listed", { session: current.id, error: String(error) }));
  }
}

/** Names the session at the end of a turn. */
export const autoTitleHook: HookFactory = ({ env, meta, log }) => ({
  name: "auto-title",
  after(event) {
    if (event.type === "turn_end") autoTitle(env, meta, log);
  },
});
