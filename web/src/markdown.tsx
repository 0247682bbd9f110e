// Markdown to Preact nodes, never to HTML: model text cannot inject markup or script into the page.

import type { ComponentChildren, VNode } from "preact";

const SAFE_URL = /^(https?:|mailto:)/i;

function inline(text: string, key = 0): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  let n = key;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const token = match[0];
    if (token.startsWith("`")) out.push(<code key={n++}>{token.slice(1, -1)}</code>);
    else if (token.startsWith("**")) out.push(<strong key={n++}>{inline(token.slice(2, -2), n * 100)}</strong>);
    else if (token.startsWith("*")) out.push(<em key={n++}>{inline(token.slice(1, -1), n * 100)}</em>);
    else {
      const [, label = "", href = ""] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token) ?? [];
      out.push(
        SAFE_URL.test(href) ? (
          <a key={n++} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {label}
          </a>
        ) : (
          token
        ),
      );
    }
    last = at + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function CodeBlock({ code, lang }: { code: string; lang: string }): VNode {
  return (
    <div class="code">
      <div class="code-bar">
        <span>{lang || "code"}</span>
        <button type="button" aria-label="Copy code" onClick={() => void navigator.clipboard?.writeText(code)}>
          Copy
        </button>
      </div>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}

/** Renders (possibly still streaming) Markdown: paragraphs, headings, lists, fenced code, inline marks. */
export function Markdown({ text }: { text: string }): VNode {
  const blocks: ComponentChildren[] = [];
  const lines = text.split("\n");
  let i = 0;
  let key = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? "").startsWith("```")) body.push(lines[i++] ?? "");
      i++;
      blocks.push(<CodeBlock key={key++} code={body.join("\n")} lang={fence[1] ?? ""} />);
    } else if (/^#{1,3} /.test(line)) {
      const level = line.indexOf(" ");
      const content = inline(line.slice(level + 1));
      blocks.push(level === 1 ? <h3 key={key++}>{content}</h3> : <h4 key={key++}>{content}</h4>);
      i++;
    } else if (/^\s*([-*]|\d+\.) /.test(line)) {
      const items: ComponentChildren[] = [];
      const ordered = /^\s*\d+\./.test(line);
      while (i < lines.length && /^\s*([-*]|\d+\.) /.test(lines[i] ?? "")) {
        items.push(<li key={items.length}>{inline((lines[i] ?? "").replace(/^\s*([-*]|\d+\.) /, ""))}</li>);
        i++;
      }
      blocks.push(ordered ? <ol key={key++}>{items}</ol> : <ul key={key++}>{items}</ul>);
    } else if (line.trim() === "") {
      i++;
    } else {
      const para: string[] = [];
      while (
        i < lines.length &&
        (lines[i] ?? "").trim() !== "" &&
        !/^(```|#{1,3} |\s*([-*]|\d+\.) )/.test(lines[i] ?? "")
      )
        para.push(lines[i++] ?? "");
      blocks.push(<p key={key++}>{inline(para.join("\n"))}</p>);
    }
  }
  return <div class="md">{blocks}</div>;
}
