// /api/memory: the signed-in user reads and edits their long-term memory (the agent uses the same notes).

import { Hono } from "hono";
import { MAX_NOTE_CHARS, type MemoryKind, type NoteBody, type NoteList } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import type { AppEnv } from "../app-env";
import { readJson } from "../http/respond";
import { userDirectory } from "../sessions";

const KINDS: readonly MemoryKind[] = ["directive", "fact", "daily"];

function parseNote(body: unknown): NoteBody {
  const kind = isRecord(body) ? KINDS.find((k) => k === body.kind) : undefined;
  if (
    !isRecord(body) ||
    !kind ||
    typeof body.text !== "string" ||
    body.text.trim() === "" ||
    body.text.trim().length > MAX_NOTE_CHARS
  ) {
    throw new AppError(
      "bad_request",
      `the body must be {"kind": "directive" | "fact" | "daily", "text": "..."} (at most ${MAX_NOTE_CHARS} characters)`,
    );
  }
  return { kind, text: body.text.trim() };
}

function noteId(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError("not_found", "no such note");
  return id;
}

export function memoryRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/memory", async (c) =>
    c.json({ notes: await userDirectory(c.env, c.var.auth.identity.user).memoryList() } satisfies NoteList),
  );
  routes.post("/memory", async (c) => {
    const { kind, text } = parseNote(await readJson(c.req.raw));
    const note = await userDirectory(c.env, c.var.auth.identity.user).memoryWrite(kind, text);
    if (!note) throw new AppError("conflict", "memory is full");
    return c.json(note, 201);
  });
  routes.put("/memory/:id", async (c) => {
    const { kind, text } = parseNote(await readJson(c.req.raw));
    const note = await userDirectory(c.env, c.var.auth.identity.user).memoryWrite(
      kind,
      text,
      noteId(c.req.param("id")),
    );
    if (!note) throw new AppError("not_found", "no such note");
    return c.json(note);
  });
  routes.delete("/memory/:id", async (c) => {
    if (!(await userDirectory(c.env, c.var.auth.identity.user).memoryDelete(noteId(c.req.param("id"))))) {
      throw new AppError("not_found", "no such note");
    }
    return c.body(null, 204);
  });
  return routes;
}
