// Runs a panel's action, reloads the panel, and keeps a message (what was done, or what went wrong).

import { useEffect, useState } from "preact/hooks";

export function useActions(load: () => Promise<void>, key: unknown) {
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => void load().catch(() => undefined), [key]);
  const act = async (what: () => Promise<unknown>, done: string | null = null) => {
    try {
      await what();
      setMessage(done);
      await load();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };
  return { message, act };
}
