// Plain-text output for the HTML converter: collapses whitespace, owes line breaks until text follows,
// wraps finished links as Markdown, and stops growing at a character limit.

/** Whitespace as HTML defines it, plus the no-break space once entities are decoded. */
const SPACE = /[ \t\n\f\r\u00a0]+/g;

export class TextLayout {
  readonly #parts: string[] = [];
  readonly #max: number;
  #length = 0;
  /** Newlines owed before the next text (0, 1 or 2). */
  #breaks = 0;
  /** A space is owed before the next text on the same line. */
  #space = false;
  /** Whether the last text written ends in whitespace (a list marker, say), so an owed space is not needed. */
  #spaced = true;

  constructor(maxChars: number) {
    this.#max = maxChars;
  }

  /** Whether the limit is reached; later text is dropped. */
  get full(): boolean {
    return this.#length >= this.#max;
  }

  /** Flowing text: runs of whitespace become one space, none at the start of a line. */
  text(raw: string): void {
    const collapsed = raw.replace(SPACE, " ");
    if (collapsed === " ") {
      this.#space = true;
      return;
    }
    if (collapsed === "") return;
    if (collapsed.startsWith(" ")) this.#space = true;
    this.#emit(collapsed.trim());
    this.#space = collapsed.endsWith(" ");
  }

  /** Text kept as it is (preformatted text, list markers, fences). */
  verbatim(text: string): void {
    if (text) this.#emit(text);
  }

  /** At least `count` newlines before the next text; line breaks (`<br>`) add up instead. */
  lineBreak(count: 1 | 2, add = false): void {
    if (this.#length === 0) return;
    this.#breaks = Math.min(2, add ? this.#breaks + count : Math.max(this.#breaks, count));
    this.#space = false;
  }

  /** A position to wrap from later (see `link`). */
  mark(): number {
    return this.#parts.length;
  }

  /** Wraps what was written since `mark` as a Markdown link; nothing when no text came (or it is the URL). */
  link(mark: number, url: string): void {
    if (this.full) return;
    let first = mark;
    while (first < this.#parts.length && this.#parts[first]?.trim() === "") first++;
    if (first === this.#parts.length) return;
    if (this.#parts.slice(first).join("").trim() === url) return;
    this.#parts.splice(first, 0, "[");
    this.#parts.push(`](${url})`);
    this.#length += url.length + 4;
  }

  toString(): string {
    return this.#parts.join("").slice(0, this.#max);
  }

  #emit(text: string): void {
    if (this.full) return;
    const before = this.#breaks > 0 ? "\n".repeat(this.#breaks) : this.#space && !this.#spaced ? " " : "";
    this.#breaks = 0;
    this.#space = false;
    if (before) this.#parts.push(before);
    this.#parts.push(text);
    this.#length += before.length + text.length;
    this.#spaced = /\s$/.test(text);
  }
}
