// An image's width and height from its header (PNG, JPEG, GIF, WebP), read from the base64 an attachment carries:
// Anthropic refuses images over 8000 px a side, and over 2000 px when a request carries more than 20.

export interface ImageSize {
  width: number;
  height: number;
}

/** How much of the base64 text is decoded: a JPEG's frame header comes after its metadata (EXIF, ICC). */
const HEADER_CHARS = 4 * 65_536;

function u16be(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}

function u16le(b: Uint8Array, i: number): number {
  return (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
}

function u24le(b: Uint8Array, i: number): number {
  return u16le(b, i) | ((b[i + 2] ?? 0) << 16);
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

function jpegSize(b: Uint8Array): ImageSize | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] ?? 0;
    // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    i += 2 + u16be(b, i + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): ImageSize | null {
  const chunk = ascii(b, 12, 16);
  if (chunk === "VP8 ") return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === "VP8L") {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return null;
}

/** The size of a PNG, JPEG, GIF or WebP image given as base64, or null when its header cannot be read. */
export function imageSize(base64: string): ImageSize | null {
  let b: Uint8Array;
  try {
    const head = base64.slice(0, HEADER_CHARS);
    b = Uint8Array.from(atob(head.slice(0, head.length - (head.length % 4))), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  if (b[0] === 0x89 && ascii(b, 1, 4) === "PNG")
    return { width: u16be(b, 16) * 65536 + u16be(b, 18), height: u16be(b, 20) * 65536 + u16be(b, 22) };
  if (b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  if (ascii(b, 0, 4) === "GIF8") return { width: u16le(b, 6), height: u16le(b, 8) };
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP") return webpSize(b);
  return null;
}
