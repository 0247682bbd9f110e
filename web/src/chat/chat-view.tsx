// One session's live chat: transcript, connection state, working state, the composer and the socket's ending.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ClientFrame, Device, ModelInfo } from "../../../protocol/frames";
import type { Ended } from "../close-reasons";
import { type ConnectionState, SessionSocket } from "../session-socket";
import { Composer } from "./composer";
import { CANCEL_TURN_EVENT } from "./files-panel";
import { type ItemActions, ItemView, lastOfTurn } from "./message-views";
import { DemoBanner, ModelBadge } from "./model-badge";
import { apply, emptyView, type ViewModel } from "./view-model";

const newId = () => `${Date.now()}-${crypto.randomUUID().slice(0, 8)}`;

/** The socket stopped for good: what happened and the way on. */
function EndedBanner({ ended, reconnect, leave }: { ended: Ended; reconnect(): void; leave(): void }) {
  return (
    <section class="ended-banner" role="alert" aria-label="Connection ended">
      <strong>{ended.title}</strong>
      <p>{ended.message}</p>
      {ended.action === "reconnect" ? (
        <button type="button" class="primary" onClick={reconnect}>
          Reconnect
        </button>
      ) : ended.action === "sign_in" ? (
        <button type="button" class="primary" onClick={() => location.reload()}>
          Sign in again
        </button>
      ) : (
        <button type="button" class="primary" onClick={leave}>
          Back to sessions
        </button>
      )}
    </section>
  );
}

/** What runs now: the model thinking, a tool, or streaming. */
function Working({ view }: { view: ViewModel }) {
  if (!view.running) return null;
  const streaming = view.items.at(-1)?.kind === "assistant";
  const text = view.activeTool ? `Running ${view.activeTool}…` : streaming ? "Writing…" : "Thinking…";
  return (
    <div class="working" role="status" aria-label="Working">
      <span class="spinner" aria-hidden="true" /> {text}
    </div>
  );
}

export function ChatView({
  sessionId,
  title,
  onLeave,
  onTurnEnd,
}: {
  sessionId: string;
  title: string;
  onLeave(): void;
  /** A turn ended (the session may have been titled after its first exchange). */
  onTurnEnd(): void;
}) {
  const [view, setView] = useState<ViewModel>(emptyView);
  const [state, setState] = useState<ConnectionState>("connecting");
  const [ended, setEnded] = useState<Ended | null>(null);
  const [model, setModel] = useState<ModelInfo | null>(null);
  const [devices, setDevices] = useState<Device[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const socket = useRef<SessionSocket | null>(null);
  const end = useRef<HTMLDivElement>(null);
  const turnEnded = useRef(onTurnEnd);
  turnEnded.current = onTurnEnd;

  useEffect(() => {
    setView(emptyView());
    setEnded(null);
    // Replayed history is not news: only turns that end live refresh the sessions list.
    let live = false;
    const s = new SessionSocket(sessionId, {
      onEvent: (e) => {
        setView((v) => apply(v, e));
        if (e.type === "turn_end" && live) turnEnded.current();
      },
      onFrame: (f) => {
        if (f.type === "ready") {
          live = true;
          setModel(f.model ?? null);
        }
        if (f.type === "presence") setDevices(f.devices);
        if (f.type === "error") setProblem(f.message);
      },
      onState: setState,
      onEnded: setEnded,
    });
    socket.current = s;
    return () => s.close();
  }, [sessionId]);

  useEffect(() => end.current?.scrollIntoView({ block: "end" }), [view.items.length]);

  const send = (frame: ClientFrame) => {
    socket.current?.send(frame);
    setProblem(null);
  };
  const cancel = () => socket.current?.send({ type: "cancel" });
  const actions: ItemActions = {
    decide: (toolCallId, approve) => send({ type: "tool_decision", toolCallId, approve }),
    rate: (turnId, rating) => send({ type: "feedback", turnId, rating }),
    regenerate: (turnId) => send({ type: "regenerate", id: newId(), turnId }),
    edit: (editOf, text) => send({ type: "edit_message", id: newId(), editOf, text }),
  };
  // The files panel asks for a cancel when a restore is refused because a command runs.
  useEffect(() => {
    const onCancel = () => socket.current?.send({ type: "cancel" });
    window.addEventListener(CANCEL_TURN_EVENT, onCancel);
    return () => window.removeEventListener(CANCEL_TURN_EVENT, onCancel);
  }, []);
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
        {view.items.map((item, index) => (
          <ItemView
            key={`${item.kind}-${item.seq}`}
            item={item}
            view={view}
            sessionId={sessionId}
            last={lastOfTurn(view.items, index)}
            actions={actions}
          />
        ))}
        <div ref={end} />
      </div>
      <Working view={view} />
      {problem && !ended ? (
        <div class="notice error" role="alert">
          {problem}
        </div>
      ) : null}
      {ended ? (
        <EndedBanner
          ended={ended}
          leave={onLeave}
          reconnect={() => {
            setEnded(null);
            socket.current?.reconnect();
          }}
        />
      ) : (
        <Composer
          sessionId={sessionId}
          running={view.running}
          onSend={(text, attachments) =>
            send({ type: "user_message", id: newId(), text, ...(attachments.length > 0 ? { attachments } : {}) })
          }
          onStop={cancel}
        />
      )}
    </main>
  );
}
