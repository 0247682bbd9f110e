// One transcript item: a user message (with edit), an answer (with feedback and regenerate), a tool card, a notice.

import { useState } from "preact/hooks";
import { Icon } from "../icons";
import { Markdown } from "../markdown";
import { ArtifactImage, MessageAttachments } from "./attachments";
import type { Item, ToolCard, ViewModel } from "./view-model";

/** What the transcript's controls do; the chat view sends the frames. */
export interface ItemActions {
  decide(toolCallId: string, approve: boolean): void;
  rate(turnId: string, rating: "up" | "down"): void;
  regenerate(turnId: string): void;
  edit(messageId: string, text: string): void;
}

/** The artifact a successful save_artifact call stored, by its arguments. */
function savedArtifact(card: ToolCard): string | null {
  if (card.name !== "save_artifact" || !card.result?.ok) return null;
  try {
    const args: unknown = JSON.parse(card.args);
    if (typeof args !== "object" || args === null) return null;
    const name = Reflect.get(args, "name");
    const path = Reflect.get(args, "path");
    return typeof name === "string" && name !== "" ? name : typeof path === "string" ? path : null;
  } catch {
    return null;
  }
}

function ToolCardView({ card, actions, sessionId }: { card: ToolCard; actions: ItemActions; sessionId: string }) {
  const artifact = savedArtifact(card);
  const status = card.result ? (card.result.ok ? "ok" : "failed") : card.approval ? "waiting for approval" : "running";
  return (
    <section class={`tool ${status.replaceAll(" ", "-")}`} aria-label={`Tool ${card.name}`}>
      <header>
        <strong>{card.name}</strong> <span class="status">{status}</span>
        {card.result?.exitCode !== undefined ? <span class="meta"> exit {card.result.exitCode}</span> : null}
        {card.result?.durationMs !== undefined ? <span class="meta"> {card.result.durationMs} ms</span> : null}
      </header>
      <pre class="args">{card.args}</pre>
      {card.output ? <pre class="output">{card.output}</pre> : null}
      {card.result && !card.output ? <pre class="output">{card.result.output}</pre> : null}
      {artifact ? <ArtifactImage sessionId={sessionId} name={artifact} /> : null}
      {card.approval ? (
        <fieldset class="approval">
          <legend>Approve this command?</legend>
          <button type="button" class="primary" onClick={() => actions.decide(card.id, true)}>
            Approve
          </button>
          <button type="button" onClick={() => actions.decide(card.id, false)}>
            Deny
          </button>
        </fieldset>
      ) : null}
    </section>
  );
}

function UserMessage({
  item,
  canEdit,
  actions,
  sessionId,
}: {
  item: Extract<Item, { kind: "user" }>;
  canEdit: boolean;
  actions: ItemActions;
  sessionId: string;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  if (draft !== null)
    return (
      <form
        class="msg user editing"
        aria-label="Edit message"
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim()) actions.edit(item.id, draft);
          setDraft(null);
        }}
      >
        <label for={`edit-${item.seq}`} class="sr-only">
          New version of the message
        </label>
        <textarea id={`edit-${item.seq}`} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        <div class="actions">
          <button type="submit" class="primary">
            Send new version
          </button>
          <button type="button" onClick={() => setDraft(null)}>
            Keep
          </button>
        </div>
      </form>
    );
  return (
    <article class={`msg user${item.earlier ? " earlier" : ""}`} aria-label={`Message from ${item.user}`}>
      <div class="who">
        {item.user}
        {item.edited ? <span class="tag">edited</span> : null}
        {item.earlier ? <span class="tag">earlier version</span> : null}
      </div>
      {item.text ? <div class="text">{item.text}</div> : null}
      {item.attachments ? <MessageAttachments sessionId={sessionId} attachments={item.attachments} /> : null}
      {canEdit && !item.earlier && !item.text.startsWith("/") ? (
        <button type="button" class="link" aria-label="Edit and resend" onClick={() => setDraft(item.text)}>
          <Icon name="edit" /> Edit
        </button>
      ) : null}
    </article>
  );
}

/** The two ratings of an answer, with their labels. */
const RATINGS = [
  ["up", "Good answer"],
  ["down", "Bad answer"],
] as const;

function Answer({
  item,
  view,
  last,
  actions,
}: {
  item: Extract<Item, { kind: "assistant" }>;
  view: ViewModel;
  /** The final answer of its turn (feedback and regenerate sit under it). */
  last: boolean;
  actions: ItemActions;
}) {
  const tokens = view.usage.get(item.turnId);
  const rating = view.feedback.get(item.turnId);
  const canRegenerate = last && !item.earlier && !view.running && item.turnId === view.lastTurnId;
  return (
    <article
      class={`msg assistant${item.streaming ? " streaming" : ""}${item.earlier ? " earlier" : ""}`}
      aria-label={item.earlier ? "Earlier answer" : "Answer"}
      aria-busy={item.streaming}
    >
      {item.earlier ? <div class="tag">earlier version</div> : null}
      <Markdown text={item.text} />
      {item.partial ? <div class="meta">(incomplete)</div> : null}
      {last && !item.streaming ? (
        <div class="answer-bar">
          {tokens ? (
            <span class="meta tokens">{`${tokens.input} in · ${tokens.output} out${tokens.cacheRead ? ` · ${tokens.cacheRead} cached` : ""}`}</span>
          ) : null}
          {item.earlier
            ? null
            : RATINGS.map(([value, label]) => (
                <button
                  key={value}
                  type="button"
                  class="icon"
                  aria-label={label}
                  aria-pressed={rating === value}
                  onClick={() => actions.rate(item.turnId, value)}
                >
                  <Icon name={value} />
                </button>
              ))}
          {canRegenerate ? (
            <button
              type="button"
              class="icon"
              aria-label="Regenerate answer"
              onClick={() => actions.regenerate(item.turnId)}
            >
              <Icon name="regenerate" /> Regenerate
            </button>
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

export function ItemView({
  item,
  view,
  sessionId,
  last,
  actions,
}: {
  item: Item;
  view: ViewModel;
  sessionId: string;
  last: boolean;
  actions: ItemActions;
}) {
  if (item.kind === "user")
    return <UserMessage item={item} canEdit={!view.running} actions={actions} sessionId={sessionId} />;
  if (item.kind === "assistant") return <Answer item={item} view={view} last={last} actions={actions} />;
  if (item.kind === "tool")
    return (
      <div class={item.earlier ? "earlier" : undefined}>
        <ToolCardView card={item.card} actions={actions} sessionId={sessionId} />
      </div>
    );
  if (item.kind === "reasoning")
    // Collapsed by default; open while it streams so the user sees the model is thinking.
    return (
      <details class={`reasoning${item.earlier ? " earlier" : ""}`} open={item.streaming} aria-label="Reasoning">
        <summary>{item.streaming ? "Thinking…" : "Reasoning"}</summary>
        <div class="text">{item.text}</div>
      </details>
    );
  return (
    <div class={`notice ${item.tone}`} role={item.tone === "error" ? "alert" : "status"}>
      {item.text}
    </div>
  );
}

/** Whether `index` holds the final answer of its turn. */
export function lastOfTurn(items: Item[], index: number): boolean {
  const item = items[index];
  if (item?.kind !== "assistant") return false;
  return !items.slice(index + 1).some((i) => i.kind === "assistant" && i.turnId === item.turnId);
}
