// A user's memory notes and skills as the memory and skills pages, the agent's tools and the directory exchange them.

export type MemoryKind = "directive" | "fact" | "daily";

export interface MemoryNote {
  id: number;
  /** `directive` (always in the prompt), `fact`, or `daily` (a day's note). */
  kind: MemoryKind;
  text: string;
  /** The day (YYYY-MM-DD) of a daily note; null for the others. */
  day: string | null;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

export interface Skill {
  /** Unique per user; what `load_skill` takes. */
  name: string;
  /** One line the model sees for every skill. */
  description: string;
  /** The instructions, loaded on demand. */
  body: string;
  /** Epoch ms of the last change. */
  updatedAt: number;
}
