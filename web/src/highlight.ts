// A small code highlighter: comments, strings, numbers and keywords of common languages, as text runs (never HTML).

/** A run of code: its kind (null for plain text) and its text. */
export type Run = [kind: "comment" | "string" | "number" | "keyword" | null, text: string];

/** Blocks longer than this stay plain: highlighting them would stall a streaming answer. */
export const MAX_HIGHLIGHT_CHARS = 20_000;

const KEYWORDS = new Set(
  (
    "as async await break case catch class const continue def default del do elif else enum export extends false " +
    "final finally fn for from func function go if impl import in interface is lambda let loop match mod module mut " +
    "new nil none None not null of or package pass pub raise return self static struct super switch this throw true " +
    "True False try type typeof use var void where while with yield echo fi then done esac local select insert " +
    "update delete create table into values join on group by order limit"
  ).split(" "),
);

/** Languages whose line comments start with `#` rather than `//`. */
const HASH_COMMENTS =
  /^(py|python|sh|bash|shell|zsh|console|rb|ruby|yaml|yml|toml|r|perl|pl|ps1|powershell|make|makefile|dockerfile|conf|ini)$/i;
const SQL = /^(sql|psql|sqlite|mysql)$/i;

function pattern(lang: string): RegExp {
  const line = HASH_COMMENTS.test(lang) ? "#[^\\n]*" : SQL.test(lang) ? "--[^\\n]*" : "\\/\\/[^\\n]*";
  return new RegExp(
    [
      `(${line}|\\/\\*[\\s\\S]*?\\*\\/)`,
      "(\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*'|`(?:[^`\\\\]|\\\\.)*`)",
      "(\\b\\d[\\d_]*(?:\\.\\d+)?(?:e[+-]?\\d+)?\\b|\\b0x[\\da-f]+\\b)",
      "([A-Za-z_][\\w]*)",
    ].join("|"),
    "gi",
  );
}

/** Splits code into runs; plain text for an unknown-looking or very large block. */
export function highlight(code: string, lang: string): Run[] {
  if (code.length > MAX_HIGHLIGHT_CHARS) return [[null, code]];
  const runs: Run[] = [];
  let last = 0;
  let plain = "";
  const push = (kind: Run[0], text: string) => {
    if (kind === null) {
      plain += text;
      return;
    }
    if (plain) runs.push([null, plain]);
    plain = "";
    runs.push([kind, text]);
  };
  for (const match of code.matchAll(pattern(lang))) {
    const at = match.index ?? 0;
    if (at > last) push(null, code.slice(last, at));
    const [text, comment, string, number, word] = match;
    if (comment) push("comment", text);
    else if (string) push("string", text);
    else if (number) push("number", text);
    else if (word && KEYWORDS.has(word)) push("keyword", text);
    else push(null, text);
    last = at + text.length;
  }
  push(null, code.slice(last));
  if (plain) runs.push([null, plain]);
  return runs;
}
