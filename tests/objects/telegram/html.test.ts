// Markdown → Telegram HTML: every prefix of a streamed answer parses under Telegram's rules (checked by an
// independent validator), and long answers split into parts within the 4,096 limit that keep their cuts.

import { describe, expect, it } from "vitest";
import { markdownToTelegramHtml, splitMarkdown, TELEGRAM_TEXT_LIMIT } from "../../../channels/telegram/html";
import { checkTelegramHtml } from "../../helpers/telegram-html";

const ANSWER = [
  "# Plan",
  "Here is **bold**, *italic*, _under_, ~~gone~~ and `a < b && c > d` inline.",
  '- a [link](https://example.com/a_b_c?x=1&y="2") in a list',
  "* snake_case_names stay plain, 2 * 3 * 4 too, and <script>alert('x')</script> & co",
  "```ts",
  "const html = '<b>' + x + '</b>' && a < b;",
  "```",
  "Crossing **bold *and** italic* stays valid; a lone ** or ` or [ or & or &amp; too.",
].join("\n");

describe("markdownToTelegramHtml", () => {
  it("converts the usual Markdown to Telegram's tags and escapes the rest", () => {
    const html = markdownToTelegramHtml(ANSWER);
    expect(html).toContain("<b>Plan</b>");
    expect(html).toContain("<b>bold</b>, <i>italic</i>, <i>under</i>, <s>gone</s>");
    expect(html).toContain("<code>a &lt; b &amp;&amp; c &gt; d</code>");
    expect(html).toContain('<a href="https://example.com/a_b_c?x=1&amp;y=&quot;2&quot;">link</a>');
    expect(html).toContain("snake_case_names");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain(
      `<pre><code class="language-ts">const html = '&lt;b&gt;' + x + '&lt;/b&gt;' &amp;&amp; a &lt; b;</code></pre>`,
    );
    const checked = checkTelegramHtml(html);
    expect(checked.ok).toBe(true);
  });

  it("gives HTML that Telegram accepts for every prefix of a streaming answer", () => {
    for (let end = 1; end <= ANSWER.length; end++) {
      const html = markdownToTelegramHtml(ANSWER.slice(0, end));
      const checked = checkTelegramHtml(html);
      if (!checked.ok)
        throw new Error(`prefix ${end} ${JSON.stringify(ANSWER.slice(0, end))}: ${checked.error}\n${html}`);
    }
  });

  it("is refused by the validator when it is malformed, as Telegram refuses it", () => {
    for (const bad of ["a & b", "<b>x", "<b><i>x</b></i>", "<br>", "&nbsp;", "1 > 0", "<code><b>x</b></code>"])
      expect(checkTelegramHtml(bad).ok).toBe(false);
  });
});

describe("splitMarkdown", () => {
  it("splits a long answer into parts within 4,096 visible characters, code fences closed and reopened", () => {
    const code = Array.from({ length: 300 }, (_, i) => `line ${i} <tag> & more`).join("\n");
    const prose = Array.from({ length: 200 }, (_, i) => `Sentence ${i} with **bold** words.`).join(" ");
    const markdown = `${prose}\n\`\`\`js\n${code}\n\`\`\`\nThe end.`;
    const parts = splitMarkdown(markdown);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      const checked = checkTelegramHtml(markdownToTelegramHtml(part));
      if (!checked.ok) throw new Error(checked.error);
      expect(checked.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    }
    expect(parts.filter((p) => p.includes("```js")).length).toBeGreaterThan(1);
    // A growing answer keeps its earlier parts: the cuts depend only on the text before them.
    const longer = splitMarkdown(`${markdown}\nMore text after the end.`);
    expect(longer.slice(0, parts.length - 1)).toEqual(parts.slice(0, -1));
    // Nothing is lost or repeated outside the reopened fences.
    const joined = parts.join("").replace(/```\n?```js\n/g, "");
    expect(joined.replace(/\s/g, "")).toBe(markdown.replace(/\s/g, ""));
  });
});
