// Ctrl/Cmd+K: search the user's sessions by title and message text (GET /api/sessions?q=), open one.

import { useEffect, useRef, useState } from "preact/hooks";
import type { SessionListPage } from "../../../protocol/api";
import { api, type SessionEntry } from "../api";

/** Wait after the last keystroke before asking the server. */
const SEARCH_DEBOUNCE_MS = 200;

export function SearchDialog({ onOpen, onClose }: { onOpen(id: string): void; onClose(): void }) {
  const [q, setQ] = useState("");
  const [results, setResults] = useState<SessionEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  useEffect(() => {
    const query = q.trim();
    if (!query) {
      setResults(null);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      api<SessionListPage>(`/api/sessions?q=${encodeURIComponent(query)}`).then(
        (r) => {
          if (!stale) {
            setResults(r.sessions);
            setError(null);
          }
        },
        (e: unknown) => !stale && setError(e instanceof Error ? e.message : String(e)),
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [q]);
  return (
    <dialog ref={dialog} class="search" aria-label="Search sessions" onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          const first = results?.[0];
          if (first) {
            e.preventDefault();
            onOpen(first.id);
          }
        }}
      >
        <label for="search">Search sessions (titles and messages)</label>
        <input id="search" type="search" autoFocus value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {results ? (
        <ul aria-label="Search results">
          {results.length === 0 ? <li class="meta">Nothing found.</li> : null}
          {results.map((s) => (
            <li key={s.id}>
              <button type="button" onClick={() => onOpen(s.id)}>
                {s.title}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="meta">Type a word from a title or a message. Esc closes.</p>
      )}
    </dialog>
  );
}
