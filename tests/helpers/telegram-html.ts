// Telegram's HTML parse mode as the Bot API checks it, written from its documentation independently of
// the service's converter: supported tags only, properly nested, no tags inside code/pre (except
// <code> directly in <pre>), entities only &lt; &gt; &amp; &quot; and numeric, every other < > & escaped.
// Returns the visible text (what Telegram counts toward the 4,096 limit) or Telegram's error text.

const TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-emoji",
]);
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

export type HtmlCheck = { ok: true; text: string } | { ok: false; error: string };

function byteOffset(html: string, index: number): number {
  return new TextEncoder().encode(html.slice(0, index)).length;
}

export function checkTelegramHtml(html: string): HtmlCheck {
  const stack: string[] = [];
  let text = "";
  let i = 0;
  const fail = (error: string): HtmlCheck => ({ ok: false, error: `Bad Request: can't parse entities: ${error}` });
  while (i < html.length) {
    const ch = html[i] ?? "";
    if (ch === "&") {
      const m = /^&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/.exec(html.slice(i));
      if (!m) return fail(`Can't find end of the entity starting at byte offset ${byteOffset(html, i)}`);
      const name = m[1] ?? "";
      if (name.startsWith("#x")) text += String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      else if (name.startsWith("#")) text += String.fromCodePoint(Number(name.slice(1)));
      else if (name in NAMED) text += NAMED[name];
      else return fail(`Unsupported HTML entity "&${name};" at byte offset ${byteOffset(html, i)}`);
      i += m[0].length;
      continue;
    }
    if (ch === ">") return fail(`Unexpected end of tag at byte offset ${byteOffset(html, i)}`);
    if (ch !== "<") {
      text += ch;
      i++;
      continue;
    }
    const m = /^<(\/?)([a-z-]+)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/.exec(html.slice(i));
    if (!m) return fail(`Unsupported start tag at byte offset ${byteOffset(html, i)}`);
    const [whole, closing, name = "", attrs = ""] = m;
    if (!TAGS.has(name)) return fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(html, i)}`);
    const top = stack.at(-1);
    if (closing) {
      if (top !== name)
        return fail(
          `Unmatched end tag at byte offset ${byteOffset(html, i)}, expected "</${top ?? ""}>", found "</${name}>"`,
        );
      stack.pop();
    } else {
      if (top === "code" || (top === "pre" && name !== "code"))
        return fail(`Entities can't be nested in ${top} at byte offset ${byteOffset(html, i)}`);
      if (name === "a" && !/\bhref="[^"]+"/.test(attrs))
        return fail(`Can't find href of the link at byte offset ${byteOffset(html, i)}`);
      stack.push(name);
    }
    i += whole.length;
  }
  if (stack.length > 0) return fail(`Can't find end tag corresponding to start tag "${stack.at(-1)}"`);
  return { ok: true, text };
}
