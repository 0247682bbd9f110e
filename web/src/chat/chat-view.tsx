// One session's live chat: transcript, tool cards, approvals, presence, connection state, composer.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Device, ModelInfo } from "../../../protocol/frames";
import { Markdown } from "../markdown";
import { type ConnectionState, SessionSocket } from "../session-socket";
import { DemoBanner, ModelBadge } from "./model-badge";
import { apply, emptyView, type Item, type ToolCard, type ViewModel } from "./view-model";

const COMMANDS = ["/help", "/model NAME", "/new", "/usage", "/cancel", "/compact"];

function ToolCardView({ card, decide }: { card: ToolCard; decide(id: string, approve: boolean): void }) {
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
      {card.approval ? (
        <fieldset class="approval">
          <legend>Approve this command?</legend>
          <button type="button" class="primary" onClick={() => decide(card.id, true)}>
            Approve
          </button>
          <button type="button" onClick={() => decide(card.id, false)}>
            Deny
          </button>
        </fieldset>
      ) : null}
    </section>
  );
}

function ItemView({ item, view, decide }: { item: Item; view: ViewModel; decide(id: string, approve: boolean): void }) {
  if (item.kind === "user") {
    return (
      <article class="msg user" aria-label={`Message from ${item.user}`}>
        <div class="who">{item.user}</div>
        <div class="text">{item.text}</div>
      </article>
    );
  }
  if (item.kind === "assistant") {
    const tokens = view.usage.get(item.turnId);
    return (
      <article
        class={`msg assistant${item.streaming ? " streaming" : ""}`}
        aria-label="Answer"
        aria-busy={item.streaming}
      >
        <Markdown text={item.text} />
        {item.partial ? <div class="meta">(incomplete)</div> : null}
        {tokens && !item.streaming ? (
          <div class="meta tokens">{`${tokens.input} in · ${tokens.output} out${tokens.cacheRead ? ` · ${tokens.cacheRead} cached` : ""}`}</div>
        ) : null}
      </article>
    );
  }
  if (item.kind === "tool") return <ToolCardView card={item.card} decide={decide} />;
  return (
    <div class={`notice ${item.tone}`} role={item.tone === "error" ? "alert" : "status"}>
      {item.text}
    </div>
  );
}

export function ChatView({ sessionId, title }: { sessionId: string; title: string }) {
  const [view, setView] = useState<ViewModel>(emptyView);
  const [state, setState] = useState<ConnectionState>("connecting");
  const [devices, setDevices] = useState<Device[]>([]);
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [model, setModel] = useState<ModelInfo | null>(null);
  const socket = useRef<SessionSocket | null>(null);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setView(emptyView());
    const s = new SessionSocket(sessionId, {
      onEvent: (e) => setView((v) => apply(v, e)),
      onFrame: (f) => {
        if (f.type === "presence") setDevices(f.devices);
        if (f.type === "ready") setModel(f.model ?? null);
        if (f.type === "error") setProblem(`${f.code}: ${f.message}`);
      },
      onState: setState,
    });
    socket.current = s;
    return () => s.close();
  }, [sessionId]);

  useEffect(() => end.current?.scrollIntoView({ block: "end" }), [view.items.length]);

  const send = () => {
    const value = text.trim();
    if (!value) return;
    socket.current?.send({ type: "user_message", id: `${Date.now()}-${crypto.randomUUID().slice(0, 8)}`, text: value });
    setText("");
    setProblem(null);
  };
  const cancel = () => socket.current?.send({ type: "cancel" });
  const decide = (toolCallId: string, approve: boolean) =>
    socket.current?.send({ type: "tool_decision", toolCallId, approve });
  const others = useMemo(() => devices.length, [devices]);

  return (
    <main class="chat" aria-label={`Chat: ${title}`}>
      <header class="chat-head">
        <h2>{title}</h2>
        <span class={`conn ${state}`} role="status" aria-label={`Connection ${state}`}>
          {state === "open" ? "live" : state}
        </span>
        <span class="devices" title={devices.map((d) => d.deviceId ?? d.connectionId).join(", ")}>
          {others} {others === 1 ? "device" : "devices"}
        </span>
        <ModelBadge model={model} />
      </header>
      <DemoBanner model={model} />
      <div class="transcript" aria-live="polite">
        {view.items.map((item) => (
          <ItemView key={`${item.kind}-${item.seq}`} item={item} view={view} decide={decide} />
        ))}
        <div ref={end} />
      </div>
      {problem ? (
        <div class="notice error" role="alert">
          {problem}
        </div>
      ) : null}
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label for="message" class="sr-only">
          Message
        </label>
        <textarea
          id="message"
          value={text}
          placeholder="Message edgeclaw (Enter to send, Shift+Enter for a new line)"
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              send();
            } else if (e.key === "Escape") cancel();
          }}
        />
        <div class="actions">
          <button type="submit" class="primary">
            Send
          </button>
          <button type="button" onClick={cancel} disabled={!view.running}>
            Cancel
          </button>
        </div>
        <p class="hint">Commands: {COMMANDS.join(" · ")}</p>
      </form>
    </main>
  );
}
