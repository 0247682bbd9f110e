// Markdown to Preact nodes through marked's lexer, never to HTML: model text cannot inject markup or script.

import { Lexer, type Token, type Tokens } from "marked";
import type { ComponentChildren, VNode } from "preact";
import { useMemo, useState } from "preact/hooks";
import { highlight } from "./highlight";

/** Links and images may only point at these schemes; anything else is shown as text. */
const SAFE_URL = /^(https?:|mailto:)/i;

function inline(tokens: Token[] | undefined): ComponentChildren[] {
  return (tokens ?? []).map((token, key) => inlineToken(token, key));
}

function inlineToken(token: Token, key: number): ComponentChildren {
  const t = token as Tokens.Generic;
  switch (token.type) {
    case "strong":
      return <strong key={key}>{inline(t.tokens)}</strong>;
    case "em":
      return <em key={key}>{inline(t.tokens)}</em>;
    case "del":
      return <del key={key}>{inline(t.tokens)}</del>;
    case "codespan":
      return <code key={key}>{String(t.text)}</code>;
    case "br":
      return <br key={key} />;
    case "escape":
      return token.raw.slice(1);
    case "link": {
      const href = String(t.href);
      if (!SAFE_URL.test(href)) return token.raw;
      return (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow">
          {inline(t.tokens)}
        </a>
      );
    }
    case "image": {
      // Remote images are not loaded (privacy, CSP); the picture becomes a link to it.
      const href = String(t.href);
      if (!SAFE_URL.test(href)) return token.raw;
      return (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow">
          {`🖼 ${String(t.text) || href}`}
        </a>
      );
    }
    case "text":
      return t.tokens ? inline(t.tokens) : String(t.text);
    default:
      // html and anything unknown: shown as the text it was written as.
      return token.raw;
  }
}

/** A fenced code block with its language, a Copy button and highlighting. */
function CodeBlock({ code, lang }: { code: string; lang: string }): VNode {
  const [copied, setCopied] = useState(false);
  const parts = useMemo(() => highlight(code, lang), [code, lang]);
  return (
    <div class="code">
      <div class="code-bar">
        <span>{lang || "code"}</span>
        <button
          type="button"
          aria-label="Copy code"
          onClick={() =>
            void navigator.clipboard?.writeText(code).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <pre>
        <code>
          {parts.map(([kind, text], i) =>
            kind ? (
              <span key={i} class={`hl-${kind}`}>
                {text}
              </span>
            ) : (
              text
            ),
          )}
        </code>
      </pre>
    </div>
  );
}

function Table({ token }: { token: Tokens.Table }): VNode {
  const align = (a: string | null) => (a ? { textAlign: a } : undefined);
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {token.header.map((cell, i) => (
              <th key={i} scope="col" style={align(cell.align)}>
                {inline(cell.tokens)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {token.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) => (
                <td key={i} style={align(cell.align)}>
                  {inline(cell.tokens)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function blocks(tokens: Token[]): ComponentChildren[] {
  return tokens.map((token, key) => block(token, key));
}

function block(token: Token, key: number): ComponentChildren {
  switch (token.type) {
    case "space":
      return null;
    case "paragraph":
      return <p key={key}>{inline(token.tokens)}</p>;
    case "heading": {
      const content = inline(token.tokens);
      const depth = Math.min(6, Number(token.depth) + 2);
      if (depth <= 3) return <h3 key={key}>{content}</h3>;
      if (depth === 4) return <h4 key={key}>{content}</h4>;
      return <h5 key={key}>{content}</h5>;
    }
    case "code":
      return <CodeBlock key={key} code={String(token.text)} lang={String(token.lang ?? "").split(/\s/)[0] ?? ""} />;
    case "blockquote":
      return <blockquote key={key}>{blocks(token.tokens ?? [])}</blockquote>;
    case "list": {
      const list = token as Tokens.List;
      const items = list.items.map((item, i) => (
        <li key={i}>
          {item.task ? <input type="checkbox" checked={item.checked === true} disabled aria-label="task" /> : null}
          {item.loose
            ? blocks(item.tokens)
            : item.tokens.map((t, j) => (t.type === "text" ? inlineToken(t, j) : block(t, j)))}
        </li>
      ));
      return list.ordered ? (
        <ol key={key} start={typeof list.start === "number" ? list.start : 1}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case "table":
      return <Table key={key} token={token as Tokens.Table} />;
    case "hr":
      return <hr key={key} />;
    case "text":
      return <p key={key}>{inlineToken(token, 0)}</p>;
    default:
      // Block HTML and anything unknown: shown as text.
      return (
        <p key={key} class="raw">
          {token.raw}
        </p>
      );
  }
}

/** Renders (possibly still streaming) Markdown: GFM tables, nested lists, quotes, code; never raw HTML. */
export function Markdown({ text }: { text: string }): VNode {
  const nodes = useMemo(() => blocks(new Lexer({ gfm: true, breaks: true }).lex(text)), [text]);
  return <div class="md">{nodes}</div>;
}
