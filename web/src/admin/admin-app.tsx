// The admin console: every session with live status, inspection through the session's RPC, terminate; usage.

import { useEffect, useState } from "preact/hooks";
import type {
  AdminBudgets,
  SessionEntry as Entry,
  SessionInspection as Inspection,
  SessionListPage,
  TerminateResult,
} from "../../../protocol/api";
import { ApiError, api, type Me, whoAmI } from "../api";
import { Dashboard } from "../dashboard";

function Inspect({ id, onTerminated }: { id: string; onTerminated(): void }) {
  const [data, setData] = useState<Inspection | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    const load = () => void api<Inspection>(`/admin/api/sessions/${id}`).then(setData);
    load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [id]);
  if (!data) return <p>Loading…</p>;
  return (
    <section class="inspect" aria-label={`Session ${data.meta.title}`}>
      <h3>{data.meta.title}</h3>
      <dl>
        <dt>Owner</dt>
        <dd>{data.meta.owner}</dd>
        <dt>Turn running</dt>
        <dd>{data.turnRunning ? "yes" : "no"}</dd>
        <dt>Events (last seq)</dt>
        <dd>{data.lastSeq}</dd>
        <dt>Messages</dt>
        <dd>{data.messageCount}</dd>
        <dt>Storage</dt>
        <dd>{data.storageBytes} bytes</dd>
      </dl>
      <h4>Connected devices ({data.devices.length})</h4>
      <ul>
        {data.devices.map((d) => (
          <li key={d.connectionId}>
            {d.user} — {d.deviceId ?? d.connectionId} since {new Date(d.since).toLocaleTimeString()}
          </li>
        ))}
      </ul>
      <button
        type="button"
        class="danger"
        onClick={async () => {
          const r = await api<TerminateResult>(`/admin/api/sessions/${id}/terminate`, { method: "POST" });
          setNote(`Terminated: ${r.closedSockets} sockets closed`);
          onTerminated();
        }}
      >
        Terminate
      </button>
      {note ? <p role="status">{note}</p> : null}
    </section>
  );
}

function Console() {
  const [sessions, setSessions] = useState<Entry[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [budgets, setBudgets] = useState<AdminBudgets | null>(null);
  const load = () => void api<SessionListPage>("/admin/api/sessions?limit=100").then((r) => setSessions(r.sessions));
  useEffect(() => {
    load();
    void api<AdminBudgets>("/admin/api/budgets").then(setBudgets);
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div class="admin">
      <header>
        <h1>edgeclaw admin</h1>
        <a href="/">Chat</a>
      </header>
      <div class="admin-grid">
        <section aria-label="All sessions">
          <h2>Sessions ({sessions.length})</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Owner</th>
                <th scope="col">Created</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id} class={s.id === open ? "active" : ""}>
                  <td>{s.title}</td>
                  <td>{s.owner}</td>
                  <td>{new Date(s.createdAt).toLocaleString()}</td>
                  <td>
                    <button type="button" onClick={() => setOpen(s.id)} aria-label={`Inspect ${s.title} of ${s.owner}`}>
                      Inspect
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        {open ? <Inspect id={open} onTerminated={load} /> : null}
      </div>
      <div id="usage">
        <Dashboard base="/admin/api/usage" budgets={[]} />
        {budgets ? (
          <p>{budgets.users.length} users with sessions; budgets per user through PUT /admin/api/budgets/:email.</p>
        ) : null}
      </div>
    </div>
  );
}

export function AdminApp() {
  const [me, setMe] = useState<Me | null | "forbidden" | "loading">("loading");
  useEffect(() => {
    void whoAmI()
      .then(async ({ me }) => {
        if (!me) return setMe(null);
        try {
          await api("/admin/api/sessions?limit=1");
          setMe(me);
        } catch (error) {
          setMe(error instanceof ApiError && error.status === 403 ? "forbidden" : null);
        }
      })
      .catch(() => setMe(null));
  }, []);
  if (me === "loading") return <p class="loading">Loading…</p>;
  if (me === "forbidden") {
    return (
      <main class="signin">
        <h1>Not an admin</h1>
        <p role="alert">Your account is not an administrator of this edgeclaw.</p>
        <a href="/">Back to chat</a>
      </main>
    );
  }
  if (me === null) {
    return (
      <main class="signin">
        <h1>Sign in first</h1>
        <a href="/">Sign in</a>
      </main>
    );
  }
  return <Console />;
}
