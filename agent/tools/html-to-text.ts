// HTML to readable text for web_fetch, read by HTMLRewriter (workerd's streaming HTML tokenizer): scripts,
// styles and other non-text elements dropped, entities decoded, links kept as Markdown links, headings,
// lists, tables and preformatted text laid out, the result bounded in size.

import { decodeHTML, decodeHTMLAttribute } from "entities/decode";
import { TextLayout } from "./text-layout";

export interface HtmlToTextOptions {
  /** The page's URL, against which relative links resolve; without it they are dropped. */
  baseUrl?: string;
  /** Characters of text at most (50,000). */
  maxChars?: number;
  /** Elements and text pieces read at most (100,000), so a page of empty markup costs bounded CPU. */
  maxNodes?: number;
}

const words = (list: string) => new Set(list.split(" "));
/** Elements whose content is not readable text. */
const DROPPED = words("script style noscript template svg math iframe object canvas select textarea");
/** Elements that cannot have an end tag. */
const VOID = words("area base br col embed hr img input link meta source track wbr");
/** Elements set apart by a blank line. */
const PARAGRAPH = words(
  "p blockquote figure table section article header footer main aside nav form details dl address fieldset title",
);
/** Elements that start on a line of their own. */
const LINE = words("div dt dd caption summary figcaption option legend");
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** Elements given a handler; text in any other element (span, b, code…) flows on without a call into JS. */
const HANDLED = [...DROPPED, ...PARAGRAPH, ...LINE, ...words("h1 h2 h3 h4 h5 h6 br hr pre ul ol li tr td th a")].join(
  ", ",
);
/** Longer than any entity reference that text may hold back for the next chunk ("&CounterClockwiseContourIntegral;"). */
const LONGEST_ENTITY = 40;
/** Characters of a string fed to the rewriter at a time, so it can stop once the text is long enough. */
const SLICE_CHARS = 16 * 1024;

/** Readable text of an HTML document (UTF-8 when streamed); reading stops at either limit of `options`. */
export async function htmlToText(
  html: string | ReadableStream<Uint8Array>,
  options: HtmlToTextOptions = {},
): Promise<string> {
  const walker = new Walker(new TextLayout(options.maxChars ?? 50_000), options.baseUrl, options.maxNodes ?? 100_000);
  const input = until(typeof html === "string" ? sliced(html) : html, () => walker.done);
  await new HTMLRewriter()
    .on(HANDLED, { element: (element) => walker.element(element) })
    .onDocument({ text: (chunk) => walker.text(chunk) })
    .transform(new Response(input, { headers: { "content-type": "text/html; charset=utf-8" } }))
    .arrayBuffer();
  return walker.out.toString();
}

/** A string as a stream of UTF-8 slices; no slice ends inside a surrogate pair. */
function sliced(text: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= text.length) return controller.close();
      let end = Math.min(text.length, at + SLICE_CHARS);
      if (end < text.length && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end++;
      controller.enqueue(encoder.encode(text.slice(at, end)));
      at = end;
    },
  });
}

/** The stream, ended early (the rest cancelled) once `stop()` is true before a chunk is read. */
function until(source: ReadableStream<Uint8Array>, stop: () => boolean): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream({
    async pull(controller) {
      const next = stop() ? null : await reader.read();
      if (next && !next.done) return controller.enqueue(next.value);
      if (!next) await reader.cancel();
      controller.close();
    },
  });
}

/** The absolute URL of a link worth showing, or null (fragments, javascript:, unresolvable). */
function linkUrl(href: string | null, baseUrl: string | undefined): string | null {
  const raw = decodeHTMLAttribute(href ?? "").trim();
  if (!raw || raw.startsWith("#")) return null;
  try {
    const url = new URL(raw, baseUrl);
    return LINK_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** Registers `handler` on the element's end tag; false when it has none (void, or self-closing foreign content). */
function onEnd(element: Element, name: string, handler: () => void): boolean {
  if (VOID.has(name)) return false;
  try {
    element.onEndTag(handler);
    return true;
  } catch {
    return false;
  }
}

/** Follows the document's elements and text in order and lays the text out. */
class Walker {
  readonly out: TextLayout;
  readonly #baseUrl: string | undefined;
  #dropping = false;
  #pre = 0;
  #preStart = false;
  #cells = 0;
  #text = "";
  readonly #lists: { ordered: boolean; next: number }[] = [];
  /** Elements and text pieces still to read. */
  #nodesLeft: number;

  constructor(out: TextLayout, baseUrl: string | undefined, maxNodes: number) {
    this.out = out;
    this.#baseUrl = baseUrl;
    this.#nodesLeft = maxNodes;
  }

  /** Whether either limit is reached; the rest of the document is ignored. */
  get done(): boolean {
    return this.#nodesLeft <= 0 || this.out.full;
  }

  text(chunk: Text): void {
    if (this.#nodesLeft-- <= 0 || this.#dropping || this.out.full) return;
    this.#text += chunk.text;
    // Written as it comes, but for an entity at the end, which may go on in the next chunk.
    let cut = this.#text.length;
    if (!chunk.lastInTextNode) {
      const amp = this.#text.lastIndexOf("&");
      if (amp >= 0 && cut - amp <= LONGEST_ENTITY) cut = amp;
    }
    if (cut === 0) return;
    const text = decodeHTML(this.#text.slice(0, cut));
    this.#text = this.#text.slice(cut);
    if (this.#pre === 0) this.out.text(text);
    else this.#preformattedText(text);
  }

  #preformattedText(raw: string): void {
    const text = this.#preStart && raw.startsWith("\n") ? raw.slice(1) : raw;
    this.#preStart = false;
    // Trailing newlines are owed, not written, so the closing fence follows the last line directly.
    const body = text.replace(/\n+$/, "");
    this.out.verbatim(body);
    const newlines = text.length - body.length;
    if (newlines > 0) this.out.lineBreak(newlines > 1 ? 2 : 1, true);
  }

  element(element: Element): void {
    if (this.#nodesLeft-- <= 0 || this.#dropping || this.out.full) return;
    const name = element.tagName.toLowerCase();
    const out = this.out;
    if (DROPPED.has(name)) {
      this.#dropping = onEnd(element, name, () => {
        this.#dropping = false;
      });
    } else if (/^h[1-6]$/.test(name)) {
      out.lineBreak(2);
      out.verbatim(`${"#".repeat(Number(name[1]))} `);
      onEnd(element, name, () => out.lineBreak(2));
    } else if (name === "br") out.lineBreak(1, true);
    else if (name === "hr") out.lineBreak(2);
    else if (name === "pre") this.#preformatted(element, name);
    else if (name === "ul" || name === "ol") this.#list(element, name);
    else if (name === "li") {
      out.lineBreak(1);
      const list = this.#lists.at(-1);
      const marker = list?.ordered ? `${list.next++}. ` : "- ";
      out.verbatim("  ".repeat(Math.max(0, this.#lists.length - 1)) + marker);
      onEnd(element, name, () => out.lineBreak(1));
    } else if (name === "tr") {
      out.lineBreak(1);
      this.#cells = 0;
    } else if (name === "td" || name === "th") {
      if (this.#cells++ > 0) out.text(" | ");
    } else if (name === "a") {
      const url = linkUrl(element.getAttribute("href"), this.#baseUrl);
      const mark = out.mark();
      if (url) onEnd(element, name, () => out.link(mark, url));
    } else {
      const breaks = PARAGRAPH.has(name) ? 2 : LINE.has(name) ? 1 : 0;
      if (breaks === 0) return;
      out.lineBreak(breaks);
      onEnd(element, name, () => out.lineBreak(breaks));
    }
  }

  #preformatted(element: Element, name: string): void {
    this.out.lineBreak(2);
    this.out.verbatim("```");
    this.out.lineBreak(1);
    this.#pre++;
    this.#preStart = true;
    onEnd(element, name, () => {
      this.#pre--;
      this.out.lineBreak(1);
      this.out.verbatim("```");
      this.out.lineBreak(2);
    });
  }

  #list(element: Element, name: string): void {
    this.out.lineBreak(this.#lists.length > 0 ? 1 : 2);
    const start = Number(element.getAttribute("start") ?? "1");
    this.#lists.push({ ordered: name === "ol", next: Number.isInteger(start) ? start : 1 });
    onEnd(element, name, () => {
      this.#lists.pop();
      this.out.lineBreak(this.#lists.length > 0 ? 1 : 2);
    });
  }
}
