// The sessions list: open, rename, pin, archive, delete; the archived ones on request.

import { useState } from "preact/hooks";
import { api, type SessionEntry } from "../api";
import { Icon } from "../icons";

export function SessionList({
  sessions,
  open,
  showArchived,
  onOpen,
  onChanged,
  onToggleArchived,
}: {
  sessions: SessionEntry[];
  open: string | null;
  showArchived: boolean;
  onOpen(id: string | null): void;
  onChanged(): Promise<void>;
  onToggleArchived(): void;
}) {
  const [busy, setBusy] = useState(false);
  const change = async (id: string, body: Partial<SessionEntry>) => {
    setBusy(true);
    try {
      await api(`/api/sessions/${id}`, { method: "PATCH", body: JSON.stringify(body) });
      await onChanged();
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <ul aria-busy={busy}>
        {sessions.map((s) => (
          <li key={s.id} class={s.id === open ? "active" : ""}>
            <button type="button" onClick={() => onOpen(s.id)} aria-current={s.id === open} title={s.title}>
              {s.pinned ? <Icon name="pin" /> : null} {s.title}
            </button>
            <button
              type="button"
              class="icon"
              aria-label={`${s.pinned ? "Unpin" : "Pin"} ${s.title}`}
              aria-pressed={s.pinned === true}
              onClick={() => void change(s.id, { pinned: !s.pinned })}
            >
              <Icon name={s.pinned ? "unpin" : "pin"} />
            </button>
            <button
              type="button"
              class="icon"
              aria-label={`Rename ${s.title}`}
              onClick={async () => {
                const title = prompt("New title", s.title);
                if (title) await change(s.id, { title });
              }}
            >
              <Icon name="edit" />
            </button>
            <button
              type="button"
              class="icon"
              aria-label={`${s.archived ? "Unarchive" : "Archive"} ${s.title}`}
              onClick={async () => {
                await change(s.id, { archived: !s.archived });
                if (open === s.id && !s.archived) onOpen(null);
              }}
            >
              <Icon name={s.archived ? "unarchive" : "archive"} />
            </button>
            <button
              type="button"
              class="icon"
              aria-label={`Delete ${s.title}`}
              onClick={async () => {
                if (!confirm(`Delete "${s.title}"?`)) return;
                await api(`/api/sessions/${s.id}`, { method: "DELETE" });
                if (open === s.id) onOpen(null);
                await onChanged();
              }}
            >
              <Icon name="remove" />
            </button>
          </li>
        ))}
      </ul>
      {sessions.length === 0 ? <p class="meta">{showArchived ? "No archived sessions." : "No sessions yet."}</p> : null}
      <button type="button" class="link" aria-pressed={showArchived} onClick={onToggleArchived}>
        {showArchived ? "Back to active sessions" : "Show archived"}
      </button>
    </>
  );
}
