// The chat page: sign-in (Access, or the local dev issuer), the sessions list, the open session, its files.

import { useEffect, useState } from "preact/hooks";
import { api, devLogin, type Me, type SessionEntry, signOutUrl, whoAmI } from "../api";
import { type Budget, Dashboard } from "../dashboard";
import { ChatView } from "./chat-view";
import { FilesPanel } from "./files-panel";
import { NotificationSettings } from "./notification-settings";

function SignIn({ onDone }: { onDone(): void }) {
  const [email, setEmail] = useState("");
  const [groups, setGroups] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <main class="signin">
      <h1>edgeclaw</h1>
      <p>Local sign-in (DEV_AUTH). In production Cloudflare Access signs you in.</p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await devLogin(
              email,
              groups
                .split(",")
                .map((g) => g.trim())
                .filter(Boolean),
            );
            onDone();
          } catch (err) {
            setError(String(err instanceof Error ? err.message : err));
          }
        }}
      >
        <label for="email">Email</label>
        <input id="email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="groups">Groups (comma separated)</label>
        <input id="groups" value={groups} onInput={(e) => setGroups(e.currentTarget.value)} />
        <button type="submit" class="primary">
          Sign in
        </button>
        {error ? <p role="alert">{error}</p> : null}
      </form>
    </main>
  );
}

function Sessions({ me }: { me: Me }) {
  const [sessions, setSessions] = useState<SessionEntry[]>([]);
  const [open, setOpen] = useState<string | null>(() => new URLSearchParams(location.search).get("s"));
  const load = async () => setSessions((await api<{ sessions: SessionEntry[] }>("/api/sessions")).sessions);
  useEffect(() => void load(), []);
  useEffect(() => {
    const url = new URL(location.href);
    if (open) url.searchParams.set("s", open);
    else url.searchParams.delete("s");
    history.replaceState(null, "", url);
  }, [open]);
  const create = async () => {
    const created = await api<SessionEntry>("/api/sessions", { method: "POST", body: "{}" });
    await load();
    setOpen(created.id);
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        void create();
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  });
  const current = sessions.find((s) => s.id === open);
  const [showUsage, setShowUsage] = useState(false);
  const [showNotifications, setShowNotifications] = useState(false);
  useEffect(() => setShowNotifications(false), [open]);
  const [budget, setBudget] = useState<Budget[]>([]);
  useEffect(() => {
    if (showUsage) void api<Budget>("/api/budget").then((b) => setBudget([b]));
  }, [showUsage]);
  return (
    <div class="shell">
      <nav class="sidebar" aria-label="Sessions">
        <div class="me">
          <span>{me.user}</span>
          {me.admin ? <a href="/admin">Admin</a> : null}
          <a href={signOutUrl}>Sign out</a>
        </div>
        <button type="button" class="primary" onClick={() => void create()}>
          New session
        </button>
        <button type="button" onClick={() => setShowUsage(!showUsage)} aria-pressed={showUsage}>
          My usage
        </button>
        <button type="button" onClick={() => setShowNotifications(!showNotifications)} aria-pressed={showNotifications}>
          Notifications
        </button>
        <ul>
          {sessions.map((s) => (
            <li key={s.id} class={s.id === open ? "active" : ""}>
              <button type="button" onClick={() => setOpen(s.id)} aria-current={s.id === open}>
                {s.title}
              </button>
              <button
                type="button"
                aria-label={`Rename ${s.title}`}
                onClick={async () => {
                  const title = prompt("New title", s.title);
                  if (title) await api(`/api/sessions/${s.id}`, { method: "PATCH", body: JSON.stringify({ title }) });
                  await load();
                }}
              >
                ✎
              </button>
              <button
                type="button"
                aria-label={`Delete ${s.title}`}
                onClick={async () => {
                  if (!confirm(`Delete "${s.title}"?`)) return;
                  await api(`/api/sessions/${s.id}`, { method: "DELETE" });
                  if (open === s.id) setOpen(null);
                  await load();
                }}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {showNotifications ? (
        <NotificationSettings />
      ) : showUsage ? (
        <main class="main">
          <Dashboard base="/api/usage" budgets={budget} />
        </main>
      ) : current ? (
        <div class="main">
          <ChatView sessionId={current.id} title={current.title} />
          <FilesPanel sessionId={current.id} />
        </div>
      ) : (
        <main class="empty">
          <p>Open a session or start a new one (Ctrl+K).</p>
        </main>
      )}
    </div>
  );
}

export function App() {
  const [state, setState] = useState<{ me: Me | null; devLogin: boolean } | null>(null);
  const refresh = () => void whoAmI().then(setState);
  useEffect(refresh, []);
  if (!state) return <p class="loading">Loading…</p>;
  if (!state.me)
    return state.devLogin ? <SignIn onDone={refresh} /> : <p>Sign in through Cloudflare Access to continue.</p>;
  return <Sessions me={state.me} />;
}
