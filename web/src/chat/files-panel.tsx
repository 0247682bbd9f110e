// A session's artifacts and workspace snapshots.

import { useState } from "preact/hooks";
import type { Artifact, ArtifactList, SnapshotSummary as Snapshot, SnapshotList } from "../../../protocol/api";
import { ApiError, api } from "../api";
import { useActions } from "../use-action";
import { MemoryAndTasks } from "./memory-tasks";

/** Asks the chat view to cancel the running turn (it owns the socket). */
export const CANCEL_TURN_EVENT = "edgeclaw:cancel-turn";

export function FilesPanel({ sessionId }: { sessionId: string }) {
  const [artifacts, setArtifacts] = useState<Artifact[]>([]);
  const [snapshots, setSnapshots] = useState<Snapshot[]>([]);
  /** A restore refused because a command runs: offered again after cancelling it. */
  const [blocked, setBlocked] = useState<string | null>(null);
  const { message, busy, act } = useActions(async () => {
    setArtifacts((await api<ArtifactList>(`/api/sessions/${sessionId}/artifacts`)).artifacts);
    setSnapshots((await api<SnapshotList>(`/api/sessions/${sessionId}/snapshots`)).snapshots);
  }, sessionId);
  return (
    <aside class="files" aria-label="Files">
      <h3>Artifacts</h3>
      {artifacts.length === 0 ? <p class="meta">None yet.</p> : null}
      <ul>
        {artifacts.map((a) => (
          <li key={a.name}>
            <a href={`/api/sessions/${sessionId}/artifacts/${a.name.split("/").map(encodeURIComponent).join("/")}`}>
              {a.name}
            </a>{" "}
            <span class="meta">{a.size} B</span>
          </li>
        ))}
      </ul>
      <button
        type="button"
        disabled={busy !== null}
        onClick={() =>
          act(() => api(`/api/sessions/${sessionId}/exports`, { method: "POST" }), "Transcript exported", "Exporting…")
        }
      >
        Export transcript
      </button>
      <h3>Snapshots</h3>
      <button
        type="button"
        disabled={busy !== null}
        onClick={() =>
          act(
            () => api(`/api/sessions/${sessionId}/snapshots`, { method: "POST" }),
            "Snapshot saved",
            "Saving snapshot…",
          )
        }
      >
        Snapshot now
      </button>
      <ul>
        {snapshots.map((s) => (
          <li key={s.id}>
            {new Date(s.createdAt).toLocaleString()} <span class="meta">{s.fileCount} files</span>{" "}
            <button
              type="button"
              disabled={busy !== null}
              onClick={() =>
                act(
                  async () => {
                    try {
                      await api(`/api/sessions/${sessionId}/snapshots/${s.id}/restore`, { method: "POST" });
                      setBlocked(null);
                    } catch (error) {
                      if (error instanceof ApiError && error.code === "sandbox_busy") setBlocked(s.id);
                      throw error;
                    }
                  },
                  "Restored",
                  "Restoring…",
                )
              }
            >
              Restore
            </button>
          </li>
        ))}
      </ul>
      {busy ? (
        <p class="working" role="status">
          <span class="spinner" aria-hidden="true" /> {busy}
        </p>
      ) : message ? (
        <p role="status">{message}</p>
      ) : null}
      {blocked ? (
        <p>
          <button
            type="button"
            onClick={() => {
              window.dispatchEvent(new Event(CANCEL_TURN_EVENT));
              setBlocked(null);
            }}
          >
            Cancel the running command
          </button>{" "}
          <span class="meta">then restore again.</span>
        </p>
      ) : null}
      <MemoryAndTasks sessionId={sessionId} />
    </aside>
  );
}
