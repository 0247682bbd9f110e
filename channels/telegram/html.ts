// Markdown (as models write it) to Telegram's HTML parse mode: escaped and balanced, so any prefix of a
// streaming answer converts to HTML that Telegram accepts.

/** Escapes the three characters Telegram's HTML mode requires escaped outside tags. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

const FENCE = /^\s*```\s*([\w+-]*)\s*$/;

/** Inline rules, applied to already escaped text; each produces a balanced pair of tags or nothing. */
const INLINE: readonly [RegExp, (match: string, ...groups: string[]) => string][] = [
  [/\*\*([^*\n]+?)\*\*/g, (_m, inner = "") => `<b>${inner}</b>`],
  [/__([^_\n]+?)__/g, (_m, inner = "") => `<b>${inner}</b>`],
  [/~~([^~\n]+?)~~/g, (_m, inner = "") => `<s>${inner}</s>`],
  [/(^|[^\w*])\*([^*\s][^*\n]*?)\*(?![\w*])/g, (_m, lead = "", inner = "") => `${lead}<i>${inner}</i>`],
  [/(^|[^\w])_([^_\s][^_\n]*?)_(?!\w)/g, (_m, lead = "", inner = "") => `${lead}<i>${inner}</i>`],
];

/** Whether `html` is tags we emit, properly nested (a crossing of two rules is refused, then left plain). */
function balanced(html: string): boolean {
  const stack: string[] = [];
  for (const match of html.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
    const [, closing, name = ""] = match;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0;
}

/** One line outside code blocks: inline code first (its content is never formatted), then the rules. */
function inlineLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line);
  if (heading) return `<b>${escapeHtml(heading[1] ?? "")}</b>`;
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  const body = bullet ? `${bullet[1] ?? ""}• ${bullet[2] ?? ""}` : line;
  // Code spans and links are cut out first: nothing inside them is formatted.
  const parts = body.split(/(`[^`\n]+`|\[[^\]\n]+\]\(https?:\/\/[^\s)]+\))/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1 && part.startsWith("`")) return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      const link = i % 2 === 1 ? /^\[(.+)\]\((.+)\)$/.exec(part) : null;
      if (link) return `<a href="${escapeAttribute(link[2] ?? "")}">${escapeHtml(link[1] ?? "")}</a>`;
      let html = escapeHtml(part);
      for (const [pattern, replace] of INLINE) {
        const next = html.replace(pattern, replace);
        if (balanced(next)) html = next;
      }
      return html;
    })
    .join("");
}

/**
 * Converts Markdown to Telegram HTML. Unfinished constructs (an open code fence, a lone `**`) stay
 * literal or are closed, so the output always parses.
 */
export function markdownToTelegramHtml(markdown: string): string {
  const out: string[] = [];
  let code: string[] | null = null;
  let language = "";
  const closeCode = () => {
    const attr = language ? ` class="language-${escapeAttribute(language)}"` : "";
    out.push(`<pre><code${attr}>${escapeHtml((code ?? []).join("\n"))}</code></pre>`);
    code = null;
  };
  for (const line of markdown.split("\n")) {
    const fence = FENCE.exec(line);
    if (code !== null) {
      if (fence && fence[1] === "") closeCode();
      else code.push(line);
    } else if (fence) {
      code = [];
      language = fence[1] ?? "";
    } else out.push(inlineLine(line));
  }
  if (code !== null) closeCode();
  return out.join("\n");
}

/** Telegram's limit on a message's text, in UTF-16 units after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Source characters per part: the visible text of a part never exceeds its Markdown source. */
const PART_SOURCE_LIMIT = 4000;

/**
 * Splits Markdown into parts that each convert to at most 4,096 visible characters, at a line end
 * where one is near. A part that ends inside a code fence is closed, and the next reopens it. The cut
 * points depend only on the text before them, so a growing answer keeps its earlier parts unchanged.
 */
export function splitMarkdown(markdown: string, limit = PART_SOURCE_LIMIT): string[] {
  const parts: string[] = [];
  let rest = markdown;
  let reopen = "";
  while (reopen.length + rest.length > limit) {
    const room = limit - reopen.length - 4;
    const window = rest.slice(0, room);
    const newline = window.lastIndexOf("\n");
    const cut = newline > room / 2 ? newline + 1 : room;
    const head = reopen + rest.slice(0, cut);
    const openFence = fenceOpenAtEnd(head);
    parts.push(openFence === null ? head : `${head.replace(/\n?$/, "\n")}\`\`\``);
    reopen = openFence === null ? "" : `\`\`\`${openFence}\n`;
    rest = rest.slice(cut);
  }
  parts.push(reopen + rest);
  return parts;
}

/** The language of a code fence left open at the end of `markdown`, or null when none is open. */
function fenceOpenAtEnd(markdown: string): string | null {
  let open: string | null = null;
  for (const line of markdown.split("\n")) {
    const fence = FENCE.exec(line);
    if (!fence) continue;
    if (open === null) open = fence[1] ?? "";
    else if (fence[1] === "") open = null;
  }
  return open;
}
