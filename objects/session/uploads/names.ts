// Safe upload names: one path segment of printable characters, no leading dot, unique within the session.

import { extensionFor, extensionOf } from "./file-type";

/** Longest upload name, in characters. */
export const MAX_NAME_LENGTH = 120;

/** Characters kept as they are; anything else becomes `_`. */
const SAFE_CHAR = /[\p{L}\p{N}._+-]/u;

/**
 * The last path segment of `raw`, with unsafe characters replaced, leading dots and spaces dropped and the
 * length capped (the extension kept): `../../etc/passwd` → `passwd`. A name without an extension gets one
 * from its type; an empty one becomes `file.<ext>`.
 */
export function safeName(raw: string, mime: string): string {
  const last = raw.normalize("NFC").split(/[/\\]/).pop() ?? "";
  let name = [...last].map((ch) => (SAFE_CHAR.test(ch) ? ch : "_")).join("");
  name = name.replace(/^[._]+/, "").replace(/_+/g, "_");
  if (name === "" || /^_*$/.test(name)) name = "file";
  if (!name.includes(".") || name.endsWith(".")) name = `${name.replace(/\.+$/, "")}.${extensionFor(mime)}`;
  if (name.length > MAX_NAME_LENGTH) {
    const ext = extensionOf(name).slice(0, 16);
    name = `${name.slice(0, MAX_NAME_LENGTH - ext.length - 1)}.${ext}`;
  }
  return name;
}

/** `name`, or `stem-1.ext`, `stem-2.ext` … : the first that `taken` does not hold. */
export function uniqueName(name: string, taken: (candidate: string) => boolean): string {
  if (!taken(name)) return name;
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : "";
  for (let n = 1; ; n++) {
    const candidate = `${stem}-${n}${ext}`;
    if (!taken(candidate)) return candidate;
  }
}
