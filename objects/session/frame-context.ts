// The frame handler's view of one live session (FrameContext): one object per live session whose methods live on
// the prototype, so a session with a device connected holds no set of closures for it (idle memory; issue 22).

import { modelInfo } from "../../agent/providers/factory";
import type { Config } from "../../config/config";
import type { ErrorCode } from "../../protocol/errors";
import type { ModelInfo } from "../../protocol/frames";
import type { Attachment } from "../../protocol/uploads";
import type { EventLog } from "./event-log";
import type { FrameContext } from "./frame-handler";
import type { MetaStore } from "./meta-store";
import type { FrameRateLimiter } from "./rate-limit";
import type { EventSink } from "./session-events";
import type { SessionParts } from "./session-parts";
import { attachmentsFor } from "./uploads/session-uploads";
import type { UploadStore } from "./uploads/upload-store";

export interface FrameContextDeps {
  config: Config;
  log: EventLog;
  meta: MetaStore;
  parts: SessionParts;
  uploads: UploadStore;
  rateLimiter: FrameRateLimiter;
  /** Tells every device who is connected. */
  broadcastPresence: () => void;
}

export class SessionFrameContext implements FrameContext {
  readonly log: EventLog;
  readonly events: EventSink;
  readonly #deps: FrameContextDeps;

  constructor(deps: FrameContextDeps) {
    this.#deps = deps;
    this.log = deps.log;
    this.events = deps.parts.events;
  }

  /** The session parts it was built for (a new set of parts needs a new context). */
  get parts(): SessionParts {
    return this.#deps.parts;
  }

  broadcastPresence(): void {
    this.#deps.broadcastPresence();
  }

  startTurn(text: string, attachmentIds: string[] = []): void {
    this.#deps.uploads.markReferenced(attachmentIds);
    this.#deps.parts.turns.onUserMessage(text);
  }

  attachments(
    ids: string[],
  ): { ok: true; attachments: Attachment[] } | { ok: false; code: ErrorCode; message: string } {
    return attachmentsFor(this.#deps.uploads, ids, this.#deps.config.uploads.maxFiles);
  }

  cancelTurn(): boolean {
    return this.#deps.parts.turns.cancel();
  }

  decideTool(toolCallId: string, approve: boolean): boolean {
    return this.#deps.parts.turns.decide(toolCallId, approve);
  }

  feedback(turnId: string, rating: "up" | "down", user: string): boolean {
    return this.#deps.parts.turns.feedback(turnId, rating, user);
  }

  modelInfo(): ModelInfo {
    return modelInfo(this.#deps.config, this.#deps.meta.get()?.model ?? null);
  }

  chargeReplay(connectionId: string, frames: number): void {
    this.#deps.rateLimiter.charge(connectionId, frames);
  }

  turnRunning(): boolean {
    return this.#deps.parts.turnRunning();
  }
}
