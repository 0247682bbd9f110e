// The chat page: sign-in (Access, or the local dev issuer), a start-up error, the sessions list, search, the open session.

import { useEffect, useState } from "preact/hooks";
import type { CreatedSession, SessionListPage } from "../../../protocol/api";
import { ApiError, api, devLogin, type Me, type SessionEntry, signOutUrl, whoAmI } from "../api";
import { type Budget, Dashboard } from "../dashboard";
import { applyTheme, nextTheme, savedTheme, type Theme } from "../theme";
import { ChatView } from "./chat-view";
import { FilesPanel } from "./files-panel";
import { NotificationSettings } from "./notification-settings";
import { SearchDialog } from "./search-dialog";
import { SessionList } from "./sidebar";
import { TelegramSettings } from "./telegram-settings";

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
  const [showArchived, setShowArchived] = useState(false);
  const [searching, setSearching] = useState(false);
  const [theme, setTheme] = useState<Theme>(savedTheme);
  const [open, setOpen] = useState<string | null>(() => new URLSearchParams(location.search).get("s"));
  const [known, setKnown] = useState<SessionEntry | null>(null);
  const load = async () =>
    setSessions((await api<SessionListPage>(`/api/sessions${showArchived ? "?archived=1" : ""}`)).sessions);
  useEffect(() => void load(), [showArchived]);
  useEffect(() => {
    const url = new URL(location.href);
    if (open) url.searchParams.set("s", open);
    else url.searchParams.delete("s");
    history.replaceState(null, "", url);
  }, [open]);
  // A session opened from search may be archived, so it is looked up when it is not in the list.
  useEffect(() => {
    if (open && !sessions.some((s) => s.id === open)) {
      void api<SessionEntry>(`/api/sessions/${open}`).then(setKnown, () => setKnown(null));
    }
  }, [open, sessions]);
  const create = async () => {
    const created = await api<CreatedSession>("/api/sessions", { method: "POST", body: "{}" });
    setShowArchived(false);
    await load();
    setOpen(created.id);
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setSearching(true);
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  const current = sessions.find((s) => s.id === open) ?? (known?.id === open ? known : undefined);
  const [showUsage, setShowUsage] = useState(false);
  /** The settings page shown instead of the session, if any; opening a session closes it. */
  const [settings, setSettings] = useState<"notifications" | "telegram" | null>(null);
  useEffect(() => setSettings(null), [open]);
  const toggleSettings = (page: "notifications" | "telegram") => setSettings(settings === page ? null : page);
  const [budget, setBudget] = useState<Budget[]>([]);
  useEffect(() => {
    if (showUsage) void api<Budget>("/api/budget").then((b) => setBudget([b]));
  }, [showUsage]);
  return (
    <div class="shell">
      <nav class="sidebar" aria-label="Sessions">
        <div class="me">
          <span class="user">{me.user}</span>
          <a href="/mcp">MCP servers</a>
          {me.admin ? <a href="/admin">Admin</a> : null}
          <a href={signOutUrl}>Sign out</a>
          <button
            type="button"
            class="icon"
            aria-label={`Theme: ${theme}`}
            title="Theme: system, light or dark"
            onClick={() => {
              const next = nextTheme(theme);
              applyTheme(next);
              setTheme(next);
            }}
          >
            {theme === "dark" ? "☾" : theme === "light" ? "☀" : "◐"}
          </button>
        </div>
        <button type="button" class="primary" onClick={() => void create()}>
          New session
        </button>
        <div class="row">
          <button type="button" onClick={() => setSearching(true)} aria-keyshortcuts="Control+K Meta+K">
            Search <kbd>Ctrl K</kbd>
          </button>
          <button type="button" onClick={() => setShowUsage(!showUsage)} aria-pressed={showUsage}>
            My usage
          </button>
          <button
            type="button"
            onClick={() => toggleSettings("notifications")}
            aria-pressed={settings === "notifications"}
          >
            Notifications
          </button>
          <button type="button" onClick={() => toggleSettings("telegram")} aria-pressed={settings === "telegram"}>
            Telegram
          </button>
        </div>
        <SessionList
          sessions={sessions}
          open={open}
          showArchived={showArchived}
          onOpen={(id) => {
            setShowUsage(false);
            setOpen(id);
          }}
          onChanged={load}
          onToggleArchived={() => setShowArchived(!showArchived)}
        />
      </nav>
      {searching ? (
        <SearchDialog
          onClose={() => setSearching(false)}
          onOpen={(id) => {
            setSearching(false);
            setShowUsage(false);
            setOpen(id);
          }}
        />
      ) : null}
      {settings === "telegram" ? (
        <TelegramSettings />
      ) : settings === "notifications" ? (
        <NotificationSettings />
      ) : showUsage ? (
        <main class="main">
          <Dashboard base="/api/usage" budgets={budget} />
        </main>
      ) : current ? (
        <div class="main">
          <ChatView
            sessionId={current.id}
            title={current.title}
            onLeave={() => {
              setOpen(null);
              void load();
            }}
            onTurnEnd={() => void load().catch(() => undefined)}
          />
          <FilesPanel sessionId={current.id} />
        </div>
      ) : (
        <main class="empty">
          <p>Open a session or start a new one. Ctrl+K (⌘K) searches your sessions.</p>
        </main>
      )}
    </div>
  );
}

export function App() {
  const [state, setState] = useState<{ me: Me | null; devLogin: boolean } | null>(null);
  const [failure, setFailure] = useState<ApiError | Error | null>(null);
  const refresh = () =>
    void whoAmI().then(
      (s) => {
        setFailure(null);
        setState(s);
      },
      (error: unknown) => setFailure(error instanceof Error ? error : new Error(String(error))),
    );
  useEffect(refresh, []);
  if (failure)
    return (
      <main class="signin" aria-label="Cannot start">
        <h1>
          {failure instanceof ApiError && failure.code === "config_error"
            ? "edgeclaw is not configured"
            : "edgeclaw cannot start"}
        </h1>
        <p role="alert">{failure.message}</p>
        <button type="button" class="primary" onClick={refresh}>
          Try again
        </button>
      </main>
    );
  if (!state) return <p class="loading">Loading…</p>;
  if (!state.me)
    return state.devLogin ? <SignIn onDone={refresh} /> : <p>Sign in through Cloudflare Access to continue.</p>;
  return <Sessions me={state.me} />;
}
