// HTML to text through HTMLRewriter: dropped elements, entities, links, layout and the size bound.

import { describe, expect, it } from "vitest";
import { htmlToText } from "../../agent/tools/html-to-text";
import { webFetchTool } from "../../agent/tools/web-fetch";

describe("htmlToText", () => {
  it("drops scripts, styles, comments, SVG, frames and form controls, even with a space before the end tag's >", async () => {
    const html =
      "<p>Before</p><script>if (a<b) x('</p>')</script >" +
      "<!-- a comment with > inside --><style>p > a { color: red }</style  >" +
      "<noscript>enable JS</noscript><template><p>hidden</p></template><svg><title>icon</title><text>svg text</text></svg>" +
      '<iframe src="x">frame text</iframe><select><option>choice</option></select><textarea>typed</textarea>' +
      "<p>After</p>";
    expect(await htmlToText(html)).toBe("Before\n\nAfter");
  });

  it("decodes named, numeric and hex entities, legacy ones without a semicolon, and leaves unknown ones", async () => {
    expect(
      await htmlToText(
        "<p>It&#8217;s &eacute;t&eacute; &mdash; caf&#xE9; &lt;b&gt; &amp;&amp &copy; &hellip; &#x1F600;</p>",
      ),
    ).toBe("It’s été — café <b> && © … 😀");
    expect(await htmlToText("<p>&nosuch; &#0; 5&nbsp;km</p>")).toBe("&nosuch; \uFFFD 5 km");
    // An entity split between two chunks of a streamed document is decoded as one.
    const pieces = ["<p>caf&ea", "cute; &#82", "17;s</p>"].map((piece) => new TextEncoder().encode(piece));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const piece = pieces.shift();
        if (piece) controller.enqueue(piece);
        else controller.close();
      },
    });
    expect(await htmlToText(stream)).toBe("café ’s");
  });

  it("keeps link URLs as Markdown links, resolved against the page", async () => {
    const html =
      '<p>Read <a href="/docs?a=1&amp;b=2">the docs</a>, <a href="https://example.org/x">example</a>, ' +
      '<a href="#top">top</a>, <a href="javascript:alert(1)">js</a>, <a href="mailto:a@example.com">mail</a>, ' +
      '<a href="https://example.org/y">https://example.org/y</a> and <a href="/img"><img src="i.png" alt=""></a>.</p>';
    expect(await htmlToText(html, { baseUrl: "https://example.com/guide/" })).toBe(
      "Read [the docs](https://example.com/docs?a=1&b=2), [example](https://example.org/x), top, js, " +
        "[mail](mailto:a@example.com), https://example.org/y and .",
    );
    // Without a base, relative links keep their text only.
    expect(await htmlToText('<a href="/docs">docs</a>')).toBe("docs");
  });

  it("lays out headings, paragraphs, lists, tables, line breaks and preformatted text", async () => {
    const html = `<!doctype html><html><head><title>Page &amp; title</title><meta charset="utf-8"></head><body>
      <h1>Main   heading</h1>
      <p>First
         paragraph with <b>bold</b> and <i>italic</i>.</p><p>Second<br>line</p>
      <ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>
      <ol start="3"><li>three</li><li>four</li></ol>
      <h2>Table</h2>
      <table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>
      <pre>
  indented
    code &lt;x&gt;
</pre>
      <div>end</div></body></html>`;
    expect(await htmlToText(html)).toBe(
      [
        "Page & title",
        "",
        "# Main heading",
        "",
        "First paragraph with bold and italic.",
        "",
        "Second",
        "line",
        "",
        "- one",
        "- two",
        "  - nested",
        "",
        "3. three",
        "4. four",
        "",
        "## Table",
        "",
        "a | b",
        "1 | 2",
        "",
        "```",
        "  indented",
        "    code <x>",
        "```",
        "",
        "end",
      ].join("\n"),
    );
  });

  it("survives broken markup", async () => {
    expect(await htmlToText("<p>unclosed <b>bold <i>both<p>next <a href='https://e.com'>link")).toBe(
      "unclosed bold both\n\nnext link",
    );
    expect(await htmlToText("plain text, no tags")).toBe("plain text, no tags");
    expect(await htmlToText("")).toBe("");
    expect(await htmlToText("<svg/><p>after a self-closing svg</p>")).toBe("after a self-closing svg");
  });

  it("bounds the size of the result and the work", async () => {
    const html = `<p>${"word ".repeat(100_000)}</p>`;
    const text = await htmlToText(html, { maxChars: 1000 });
    expect(text.length).toBe(1000);
    expect(text.startsWith("word word")).toBe(true);
    expect((await htmlToText(html)).length).toBe(50_000);
    // Reading stops once the text is long enough: a page that never ends still gives a result.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode(`<p>paragraph ${pulled} &amp; <a href="/p${pulled}">link</a></p>`));
      },
    });
    const head = await htmlToText(endless, { baseUrl: "https://example.com/", maxChars: 2000 });
    expect(head.length).toBe(2000);
    expect(head.startsWith("paragraph 1 & [link](https://example.com/p1)\n\nparagraph 2 &")).toBe(true);
    // So it does once enough elements and text pieces are read, even when they hold no text.
    const empty = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new TextEncoder().encode("<div><span></span></div>\n".repeat(100))),
    });
    expect(await htmlToText(empty, { maxNodes: 10_000 })).toBe("");
    const numbered = Array.from({ length: 100 }, (_, n) => `<p>p${n}</p>`).join("");
    // An element and each piece of its text count: at most 20 of them read, so a handful of paragraphs.
    const few = (await htmlToText(numbered, { maxNodes: 20 })).split("\n\n");
    expect(few.slice(0, 3)).toEqual(["p0", "p1", "p2"]);
    expect(few.length).toBeLessThan(20);
  });

  it("is what web_fetch returns for HTML, with links resolved against the page after redirects", async () => {
    const tool = webFetchTool(async (url) =>
      url === "https://example.com/old"
        ? new Response(null, { status: 301, headers: { location: "https://docs.example.com/v2/intro" } })
        : new Response('<script>track("&amp;")</script >It&#8217;s <a href="setup">here</a>', {
            headers: { "content-type": "text/html; charset=utf-8" },
          }),
    );
    const ctx = { sessionId: "s", user: "u", signal: new AbortController().signal, onOutput: () => {} };
    expect((await tool.run({ url: "https://example.com/old" }, ctx)).output).toBe(
      "Fetched from https://docs.example.com (HTTP 200):\nIt’s [here](https://docs.example.com/v2/setup)",
    );
  });
});
