// The user's long-term memory (account-wide) and this session's scheduled tasks: read, add, pause, delete.

import { useState } from "preact/hooks";
import type { MemoryNote as Note, NoteList, Task, TaskList } from "../../../protocol/api";
import { api } from "../api";
import { useActions } from "../use-action";

export function MemoryAndTasks({ sessionId }: { sessionId: string }) {
  const [notes, setNotes] = useState<Note[]>([]);
  const [tasks, setTasks] = useState<Task[]>([]);
  const [kind, setKind] = useState<Note["kind"]>("fact");
  const [text, setText] = useState("");
  const [prompt, setPrompt] = useState("");
  const [cron, setCron] = useState("0 9 * * *");
  const [zone, setZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const { message, act } = useActions(async () => {
    setNotes((await api<NoteList>("/api/memory")).notes);
    setTasks((await api<TaskList>(`/api/sessions/${sessionId}/tasks`)).tasks);
  }, sessionId);
  return (
    <section aria-label="Memory and scheduled tasks">
      <h3>Memory</h3>
      <ul>
        {notes.map((n) => (
          <li key={n.id}>
            <span class="meta">{n.kind === "daily" ? n.day : n.kind}</span> {n.text}{" "}
            <button
              type="button"
              aria-label={`Forget: ${n.text}`}
              onClick={() => act(() => api(`/api/memory/${n.id}`, { method: "DELETE" }))}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act(() => api("/api/memory", { method: "POST", body: JSON.stringify({ kind, text }) })).then(() =>
            setText(""),
          );
        }}
      >
        <label for="note-kind">Kind</label>
        <select id="note-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Note["kind"])}>
          <option value="directive">directive</option>
          <option value="fact">fact</option>
          <option value="daily">daily note</option>
        </select>
        <label for="note-text">Note</label>
        <input id="note-text" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">Remember</button>
      </form>
      <h3>Scheduled tasks</h3>
      <ul>
        {tasks.map((t) => (
          <li key={t.id}>
            {t.prompt}{" "}
            <span class="meta">
              {t.cron ? `${t.cron} (${t.timeZone})` : "once"} · next{" "}
              {t.nextRunAt ? new Date(t.nextRunAt).toLocaleString() : "—"}
              {t.paused ? " · paused" : ""}
            </span>{" "}
            <button
              type="button"
              onClick={() =>
                act(() =>
                  api(`/api/sessions/${sessionId}/tasks/${t.id}`, {
                    method: "PATCH",
                    body: JSON.stringify({ paused: !t.paused }),
                  }),
                )
              }
            >
              {t.paused ? "Resume" : "Pause"}
            </button>{" "}
            <button
              type="button"
              aria-label={`Delete task ${t.prompt}`}
              onClick={() => act(() => api(`/api/sessions/${sessionId}/tasks/${t.id}`, { method: "DELETE" }))}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act(() =>
            api(`/api/sessions/${sessionId}/tasks`, {
              method: "POST",
              body: JSON.stringify({ prompt, cron, timeZone: zone }),
            }),
          ).then(() => setPrompt(""));
        }}
      >
        <label for="task-prompt">Prompt</label>
        <input id="task-prompt" value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
        <label for="task-cron">Cron (minute hour day month weekday)</label>
        <input id="task-cron" value={cron} onInput={(e) => setCron(e.currentTarget.value)} />
        <label for="task-zone">Time zone</label>
        <input id="task-zone" value={zone} onInput={(e) => setZone(e.currentTarget.value)} />
        <button type="submit">Schedule</button>
      </form>
      {message ? <p role="alert">{message}</p> : null}
    </section>
  );
}
