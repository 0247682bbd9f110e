// AES-GCM encryption of MCP secrets at rest, bound to the user and server they belong to.

const VERSION = "v1";

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const keys = new Map<string, Promise<CryptoKey>>();

function importKey(raw: string): Promise<CryptoKey> {
  let key = keys.get(raw);
  if (!key) {
    key = crypto.subtle.importKey("raw", fromBase64(raw.trim()), "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(raw, key);
  }
  return key;
}

/** Encrypts a JSON value; `context` (user and server) is bound as additional data. */
export async function sealJson(keyRaw: string, context: string, value: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new TextEncoder().encode(JSON.stringify(value));
  const additionalData = new TextEncoder().encode(context);
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, await importKey(keyRaw), data);
  return `${VERSION}.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
}

/** Decrypts what {@link sealJson} made with the same key and context; throws when either differs. */
export async function openJson(keyRaw: string, context: string, sealed: string): Promise<unknown> {
  const [version, iv, body] = sealed.split(".");
  if (version !== VERSION || !iv || !body) throw new Error("unknown ciphertext format");
  const additionalData = new TextEncoder().encode(context);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(iv), additionalData },
    await importKey(keyRaw),
    fromBase64(body),
  );
  return JSON.parse(new TextDecoder().decode(plain));
}

/** SHA-256 of a text, hex (OAuth `state` is stored only as this). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
