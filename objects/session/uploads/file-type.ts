// Decides an upload's type from its bytes: binary formats by their signature, text formats by being valid
// UTF-8 with a matching extension. The client's claim is never trusted.

/** Text formats taken, by extension: valid UTF-8 without NUL bytes. */
const TEXT_TYPES: Record<string, string> = {
  txt: "text/plain",
  text: "text/plain",
  log: "text/plain",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  json: "application/json",
  jsonl: "application/jsonl",
  ndjson: "application/jsonl",
  md: "text/markdown",
  markdown: "text/markdown",
  yaml: "text/yaml",
  yml: "text/yaml",
  toml: "text/plain",
  ini: "text/plain",
  xml: "text/xml",
  sql: "text/plain",
};
/** Source code: taken as text/plain. */
const SOURCE_EXTENSIONS = new Set(
  (
    "ts tsx js jsx mjs cjs py rb go rs java kt kts swift c h cc cpp hpp cs php pl lua r scala sh bash zsh " +
    "fish ps1 css scss less html htm vue svelte dart ex exs erl hs ml clj el vim dockerfile makefile tf proto graphql"
  ).split(" "),
);

/** Office formats are ZIP files; their extension names the kind. */
const ZIP_KINDS: Record<string, string> = {
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
};

/** ISO-BMFF brands of HEIF/HEIC images (bytes 8..12 after `ftyp`). */
const HEIC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]);
const MP4_BRANDS = new Set(["isom", "iso2", "mp41", "mp42", "avc1", "M4V ", "M4A ", "qt  "]);

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b);

/** The lower-case extension of a file name ("" when none); a dot-less name is its own key (Makefile). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return (dot > 0 ? name.slice(dot + 1) : name).toLowerCase();
}

/** The type from a binary signature, or null. */
function bySignature(bytes: Uint8Array, ext: string): string | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") return "image/gif";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") return "image/webp";
  if (ascii(bytes, 0, 5) === "%PDF-") return "application/pdf";
  if (ascii(bytes, 4, 8) === "ftyp") {
    const brand = ascii(bytes, 8, 12);
    if (HEIC_BRANDS.has(brand)) return "image/heic";
    if (brand === "avif" || brand === "avis") return "image/avif";
    if (MP4_BRANDS.has(brand)) return "video/mp4";
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return ZIP_KINDS[ext] ?? "application/zip";
  if (startsWith(bytes, [0x1f, 0x8b])) return "application/gzip";
  if (ascii(bytes, 0, 4) === "ID3" || startsWith(bytes, [0xff, 0xfb])) return "audio/mpeg";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WAVE") return "audio/wav";
  return null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** True when the bytes are valid UTF-8 without NUL bytes. */
function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The upload's type, or null when edgeclaw does not take it (the route answers 415). */
export function detectType(bytes: Uint8Array, name: string): string | null {
  const ext = extensionOf(name);
  const binary = bySignature(bytes, ext);
  if (binary) return binary;
  const textType = TEXT_TYPES[ext] ?? (SOURCE_EXTENSIONS.has(ext) ? "text/plain" : undefined);
  if (textType && isText(bytes)) return textType;
  return null;
}

/** A file extension for a type, for names that came without one (a pasted screenshot). */
export function extensionFor(mime: string): string {
  const known: Record<string, string> = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/avif": "avif",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "application/gzip": "gz",
    "text/csv": "csv",
    "text/plain": "txt",
    "application/json": "json",
    "text/markdown": "md",
  };
  return known[mime] ?? "bin";
}
