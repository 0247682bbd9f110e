// Runs a panel's action, reloads the panel, and keeps a message (what runs, what was done, or what went wrong).

import { useEffect, useState } from "preact/hooks";

export function useActions(load: () => Promise<void>, key: unknown) {
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  useEffect(() => void load().catch(() => undefined), [key]);
  /** Runs `what`, showing `working` meanwhile (buttons should be disabled while `busy`). */
  const act = async (what: () => Promise<unknown>, done: string | null = null, working = "Working…") => {
    setBusy(working);
    setMessage(null);
    try {
      await what();
      setMessage(done);
      await load();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(null);
    }
  };
  return { message, busy, act };
}
