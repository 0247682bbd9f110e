// Web Push on the wire: the notification kinds, the payload a service worker receives, and the /api/push bodies.

/** The kinds a user can switch on or off. */
export const PUSH_KINDS = ["approval", "task_result", "turn_finished", "budget", "failure"] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

/** What the service worker receives (JSON, after the browser decrypted it). */
export interface PushPayload {
  /** Payload version. */
  v: 1;
  kind: PushKind;
  /** The session the notification is about. */
  sessionId: string;
  /** Notification title. */
  title: string;
  /** Notification body: short text, never a tool's output. */
  body: string;
  /** Notification tag: one per session and kind, so a newer one of the same kind replaces the older. */
  tag: string;
  /** Path the click opens. */
  url: string;
  /** For `approval`: the call the Approve/Deny actions answer. */
  toolCallId?: string;
}

/** `GET /api/push/subscriptions` entries: a subscription as its owner sees it (keys are never returned). */
export interface PushSubscriptionInfo {
  id: string;
  /** The push service URL. */
  endpoint: string;
  deviceName: string;
  createdAt: number;
  /** When a push was last accepted by the push service for it (epoch ms). */
  lastPushAt: number | null;
}

/** `GET/PUT /api/push/preferences`: which kinds are pushed, and whether only when away from the session. */
export interface PushPreferences {
  kinds: Record<PushKind, boolean>;
  /** "away": only when no device of mine is connected to that session; "always": every time. */
  when: "away" | "always";
}
