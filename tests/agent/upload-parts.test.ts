// Attachments on the wire: the type from the bytes, safe names, each adapter's image/document shape, the
// checkers as strict as the real APIs, the images of older turns, and the token bound of the estimate.

import { describe, expect, it } from "vitest";
import { attachmentTokenBound, IMAGE_TOKENS, MINI_IMAGE_TOKENS } from "../../agent/pricing/attachment-tokens";
import { inputTokenBound } from "../../agent/pricing/input-bound";
import { anthropicBody } from "../../agent/providers/anthropic-wire";
import { imageSize } from "../../agent/providers/image-size";
import { acceptsImages } from "../../agent/providers/model-family";
import { openAiResponsesBody } from "../../agent/providers/openai-responses";
import { openAiChatBody } from "../../agent/providers/openai-wire";
import type { AttachmentPart, ChatMessage, ChatRequest } from "../../agent/providers/types";
import { checkWire } from "../../agent/providers/wire-check/index";
import { MAX_INLINE_IMAGE_BYTES, withAttachmentData } from "../../objects/session/agent/attachment-data";
import { detectType } from "../../objects/session/uploads/file-type";
import { safeName, uniqueName } from "../../objects/session/uploads/names";

const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const PNG = Uint8Array.from(atob(PNG_BASE64), (c) => c.charCodeAt(0));
const PDF_BASE64 = btoa(
  "%PDF-1.4\n1 0 obj << /Type /Pages >> endobj 2 0 obj << /Type /Page >> endobj 3 0 obj << /Type /Page >> endobj\n%%EOF",
);
const text = (s: string) => new TextEncoder().encode(s);
const rules = (api: Parameters<typeof checkWire>[0], body: unknown) => checkWire(api, body).map((v) => v.rule);

const image: AttachmentPart = {
  id: "up_1",
  name: "cat.png",
  mime: "image/png",
  size: PNG.length,
  path: "uploads/cat.png",
  data: PNG_BASE64,
};
const pdf: AttachmentPart = {
  id: "up_2",
  name: "a.pdf",
  mime: "application/pdf",
  size: 120,
  path: "uploads/a.pdf",
  data: PDF_BASE64,
};
const csv: AttachmentPart = { id: "up_3", name: "t.csv", mime: "text/csv", size: 9, path: "uploads/t.csv" };
const ask = (attachments: AttachmentPart[], model: string, content = "what is it?"): ChatRequest => ({
  model,
  messages: [{ role: "user", content, attachments }],
  maxTokens: 1000,
});

describe("types from the bytes", () => {
  it("knows images, PDF, HEIC and ZIP by signature and text by UTF-8 plus extension", () => {
    expect(detectType(PNG, "x.txt")).toBe("image/png");
    expect(detectType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), "a")).toBe("image/jpeg");
    expect(detectType(text("GIF89a...."), "a.gif")).toBe("image/gif");
    expect(detectType(text("RIFF\0\0\0\0WEBPVP8 "), "a.webp")).toBe("image/webp");
    expect(detectType(text("%PDF-1.7\n"), "doc")).toBe("application/pdf");
    expect(detectType(text("\0\0\0\x18ftypheic\0\0\0\0"), "IMG_1.HEIC")).toBe("image/heic");
    expect(detectType(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), "a.zip")).toBe("application/zip");
    expect(detectType(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), "sheet.xlsx")).toMatch(/spreadsheetml/);
    expect(detectType(text("a,b\n1,2\n"), "t.csv")).toBe("text/csv");
    expect(detectType(text('{"a":1}'), "d.json")).toBe("application/json");
    expect(detectType(text("# hi"), "README.md")).toBe("text/markdown");
    expect(detectType(text("print(1)"), "main.py")).toBe("text/plain");
    // Text needs a text extension; bytes that are not UTF-8 (or carry NUL) are not text.
    expect(detectType(text("hello"), "hello")).toBeNull();
    expect(detectType(text("hello"), "fake.png")).toBeNull();
    expect(detectType(Uint8Array.from([0xc3, 0x28]), "bad.csv")).toBeNull();
    expect(detectType(Uint8Array.from([0x61, 0, 0x62]), "nul.txt")).toBeNull();
  });

  it("makes names safe, one segment, with an extension, and renames collisions", () => {
    expect(safeName("../../etc/passwd", "image/png")).toBe("passwd.png");
    expect(safeName("C:\\Users\\me\\report final.pdf", "application/pdf")).toBe("report_final.pdf");
    expect(safeName("..", "text/plain")).toBe("file.txt");
    expect(safeName(".env.txt", "text/plain")).toBe("env.txt");
    expect(safeName("a\u0000b\nc;rm -rf.csv", "text/csv")).toBe("a_b_c_rm_-rf.csv");
    expect(safeName("Ünïcödé 写真.png", "image/png")).toBe("Ünïcödé_写真.png");
    expect(safeName(`${"x".repeat(300)}.csv`, "text/csv")).toHaveLength(120);
    const taken = new Set(["a.png", "a-1.png"]);
    expect(uniqueName("a.png", (n) => taken.has(n))).toBe("a-2.png");
    expect(uniqueName("b.png", (n) => taken.has(n))).toBe("b.png");
  });
});

describe("attachments in each provider's shape", () => {
  it("sends an OpenAI vision model a data URL image part, which the checker accepts", () => {
    const body = openAiChatBody(ask([image, csv], "gpt-4o"));
    expect(rules("openai-chat", body)).toEqual([]);
    const [user] = body.messages as { content: unknown }[];
    expect(user?.content).toEqual([
      { type: "text", text: expect.stringContaining("uploads/t.csv") },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
    ]);
  });

  it("describes images to a text-only model, and the checker refuses an image part for one", () => {
    expect(acceptsImages("openai", "gpt-3.5-turbo")).toBe(false);
    expect(acceptsImages("openai", "llama3.2-vision:11b")).toBe(true);
    expect(acceptsImages("openai", "o3-mini")).toBe(false);
    expect(acceptsImages("anthropic", "claude-sonnet-4-5")).toBe(true);
    expect(acceptsImages("anthropic", "claude-2.1")).toBe(false);
    const body = openAiChatBody(ask([image], "gpt-3.5-turbo"));
    const [user] = body.messages as { content: unknown }[];
    expect(user?.content).toBe(
      "what is it?\n[attached: cat.png (image/png, 70 B), in the workspace at uploads/cat.png]",
    );
    const forced = openAiChatBody({ ...ask([image], "gpt-4o"), model: "gpt-3.5-turbo", vision: true });
    expect(rules("openai-chat", forced)).toEqual(["image_unsupported"]);
  });

  it("refuses what OpenAI refuses: other image types, broken base64, parts in the wrong role", () => {
    const part = (url: string) => ({ type: "image_url", image_url: { url } });
    const body = (content: unknown, role = "user") => ({ model: "gpt-4o", messages: [{ role, content }] });
    expect(rules("openai-chat", body([part("data:image/heic;base64,AAAA")]))).toEqual(["image_media_type"]);
    expect(rules("openai-chat", body([part("data:image/png;base64,@@@")]))).toEqual(["image_data"]);
    expect(rules("openai-chat", body([part("http://example.com/a.png")]))).toEqual(["image_url"]);
    expect(rules("openai-chat", body([part(`data:image/png;base64,${PNG_BASE64}`)], "system"))).toEqual([
      "content_part",
    ]);
    expect(rules("openai-chat", body([]))).toEqual(["content_empty"]);
  });

  it("sends Anthropic image and document blocks before the text, within its media types and 5 MB of base64", () => {
    const body = anthropicBody(ask([image, pdf, csv], "claude-sonnet-4-5"));
    expect(rules("anthropic", body)).toEqual([]);
    const [user] = body.messages as { content: Record<string, unknown>[] }[];
    expect(user?.content.map((b) => b.type)).toEqual(["image", "document", "text"]);
    expect(user?.content[0]).toEqual({
      type: "image",
      source: { type: "base64", media_type: "image/png", data: PNG_BASE64 },
    });
    expect(user?.content[1]).toMatchObject({
      type: "document",
      source: { media_type: "application/pdf", data: PDF_BASE64 },
    });
    const block = (source: Record<string, unknown>, type = "image", role = "user") => ({
      model: "claude-x",
      max_tokens: 10,
      messages: [
        {
          role,
          content: [
            { type, source },
            { type: "text", text: "?" },
          ],
        },
      ],
    });
    expect(rules("anthropic", block({ type: "base64", media_type: "image/heic", data: "AAAA" }))).toEqual([
      "media_type",
    ]);
    // Anthropic's 5 MB is the base64 text's length ("image exceeds 5 MB maximum: 6405384 bytes" for a 4.8 MB
    // file), not the image's.
    const atLimit = "A".repeat(5 * 1024 * 1024);
    expect(rules("anthropic", block({ type: "base64", media_type: "image/png", data: atLimit }))).toEqual([]);
    expect(rules("anthropic", block({ type: "base64", media_type: "image/png", data: `${atLimit}AAAA` }))).toEqual([
      "image_too_large",
    ]);
    expect(rules("anthropic", block({ type: "base64", media_type: "image/png", data: "" }))).toEqual(["media_data"]);
    expect(
      rules("anthropic", block({ type: "base64", media_type: "image/png", data: PNG_BASE64 }, "document")),
    ).toEqual(["media_type"]);
    expect(
      rules("anthropic", {
        model: "claude-x",
        max_tokens: 10,
        messages: [
          { role: "user", content: "hi" },
          {
            role: "assistant",
            content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG_BASE64 } }],
          },
        ],
      }),
    ).toEqual(["media_role"]);
  });

  it("sends the Responses API input_image parts, and gives PDFs to OpenAI as descriptions", () => {
    const body = openAiResponsesBody(ask([image, pdf], "gpt-4.1"));
    expect(rules("openai-responses", body)).toEqual([]);
    const [user] = body.input as { content: unknown }[];
    expect(user?.content).toEqual([
      { type: "input_text", text: expect.stringContaining("[attached: a.pdf (application/pdf") },
      { type: "input_image", image_url: `data:image/png;base64,${PNG_BASE64}` },
    ]);
  });
});

describe("image sides, as Anthropic bounds them", () => {
  const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));
  const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
  const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];
  /** Just the header of each format, with the given size: all the checker and the adapter read. */
  const png = (w: number, h: number) =>
    b64([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, ...be32(w), ...be32(h), 8, 6]);
  const jpeg = (w: number, h: number) =>
    b64([
      0xff,
      0xd8,
      0xff,
      0xe0,
      0,
      16,
      ...Array(14).fill(0),
      0xff,
      0xc0,
      0,
      17,
      8,
      h >> 8,
      h & 255,
      w >> 8,
      w & 255,
      3,
    ]);
  const gif = (w: number, h: number) => b64([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, ...le16(w), ...le16(h), 0, 0, 0]);
  const webp = (w: number, h: number) =>
    b64([
      ...[0x52, 0x49, 0x46, 0x46, 30, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x58, 10, 0, 0, 0],
      ...[0, 0, 0, 0, ...le24(w - 1), ...le24(h - 1)],
    ]);

  it("reads the width and height of PNG, JPEG, GIF and WebP headers", () => {
    expect([png, jpeg, gif, webp].map((f) => imageSize(f(1170, 12_000)))).toEqual(
      Array(4).fill({ width: 1170, height: 12_000 }),
    );
    expect(imageSize(btoa("not an image"))).toBeNull();
  });

  it("sends Anthropic images up to 8000 px a side, 2000 px past 20 images; larger ones are described", () => {
    const part = (data: string, i = 0): AttachmentPart => ({ ...image, id: `up_${i}`, data });
    const tall = anthropicBody(ask([part(png(1170, 12_000))], "claude-sonnet-4-5"));
    expect(rules("anthropic", tall)).toEqual([]);
    const [user] = tall.messages as { content: Record<string, unknown>[] }[];
    expect(user?.content.map((b) => b.type)).toEqual(["text"]);
    expect(String(user?.content[0]?.text)).toContain("[attached: cat.png");
    const fits = anthropicBody(ask([part(jpeg(8000, 6000))], "claude-sonnet-4-5"));
    expect((fits.messages as { content: { type: string }[] }[])[0]?.content[0]?.type).toBe("image");
    // 21 images: each must be within 2000 px; the 3000 px one is described, the others go.
    const many = [...Array.from({ length: 20 }, (_, i) => part(gif(800, 600), i)), part(webp(3000, 1000), 20)];
    const body = anthropicBody(ask(many, "claude-sonnet-4-5"));
    expect(rules("anthropic", body)).toEqual([]);
    const blocks = (body.messages as { content: { type: string }[] }[])[0]?.content ?? [];
    expect(blocks.filter((b) => b.type === "image")).toHaveLength(20);
    // OpenAI scales large images itself: they go.
    expect(JSON.stringify(openAiChatBody(ask([part(png(1170, 12_000))], "gpt-4o")))).toContain("image_url");
  });

  it("the checker refuses what Anthropic refuses", () => {
    const blocks = (datas: string[]) => ({
      model: "claude-x",
      max_tokens: 10,
      messages: [
        {
          role: "user",
          content: [
            ...datas.map((data) => ({ type: "image", source: { type: "base64", media_type: "image/png", data } })),
            { type: "text", text: "?" },
          ],
        },
      ],
    });
    expect(rules("anthropic", blocks([png(8001, 10)]))).toEqual(["image_dimensions"]);
    expect(rules("anthropic", blocks([png(8000, 10)]))).toEqual([]);
    expect(rules("anthropic", blocks([...Array(20).fill(png(10, 10)), png(2001, 10)]))).toEqual(["image_dimensions"]);
    expect(rules("anthropic", blocks([...Array(19).fill(png(10, 10)), png(2001, 10)]))).toEqual([]);
  });
});

describe("which images go along, and what they may cost", () => {
  it("loads images of the newest UPLOAD_IMAGE_TURNS user messages only; older ones stay descriptions", async () => {
    const bare = (id: string): AttachmentPart => ({
      id,
      name: `${id}.png`,
      mime: "image/png",
      size: PNG.length,
      path: `uploads/${id}.png`,
    });
    const messages: ChatMessage[] = [
      { role: "user", content: "one", attachments: [bare("a")] },
      { role: "assistant", content: "ok" },
      { role: "user", content: "two", attachments: [bare("b")] },
      { role: "assistant", content: "ok" },
      { role: "user", content: "three", attachments: [{ ...csv, id: "c" }] },
    ];
    const loads: string[] = [];
    const out = await withAttachmentData(messages, {
      imageTurns: 2,
      load: async (id) => {
        loads.push(id);
        return PNG;
      },
    });
    expect(loads).toEqual(["b"]);
    const sent = out.flatMap((m) => (m.role === "user" ? (m.attachments ?? []) : []));
    expect(sent.map((a) => [a.id, a.data !== undefined])).toEqual([
      ["a", false],
      ["b", true],
      ["c", false],
    ]);
    expect(messages[2]).toMatchObject({ attachments: [{ id: "b" }] });
    expect((messages[2] as { attachments: AttachmentPart[] }).attachments[0]?.data).toBeUndefined();
  });

  it("sends an image whose base64 text fits Anthropic's 5 MB, and describes one a byte larger", async () => {
    const sized = (id: string, size: number): AttachmentPart => ({
      id,
      name: `${id}.png`,
      mime: "image/png",
      size,
      path: `uploads/${id}.png`,
    });
    for (const [size, sent] of [
      [MAX_INLINE_IMAGE_BYTES, true],
      [MAX_INLINE_IMAGE_BYTES + 1, false],
    ] as const) {
      const messages: ChatMessage[] = [{ role: "user", content: "look", attachments: [sized("i", size)] }];
      const out = await withAttachmentData(messages, { imageTurns: 1, load: async () => new Uint8Array(size) });
      const [part] = (out[0] as { attachments: AttachmentPart[] }).attachments;
      expect(part?.data !== undefined).toBe(sent);
      const body = anthropicBody({ model: "claude-sonnet-4-5", messages: out, maxTokens: 100 });
      expect(rules("anthropic", body)).toEqual([]);
    }
  });

  it("counts images and PDF pages in the estimate before a call", () => {
    expect(attachmentTokenBound([image], "claude-sonnet-4-5")).toBeGreaterThanOrEqual(IMAGE_TOKENS);
    expect(attachmentTokenBound([image], "gpt-4o-mini")).toBeGreaterThanOrEqual(MINI_IMAGE_TOKENS);
    expect(attachmentTokenBound([pdf], "claude-x")).toBeGreaterThanOrEqual(2 * 3_000);
    const withImage = inputTokenBound(ask([image], "gpt-4o"));
    const without = inputTokenBound(ask([], "gpt-4o"));
    expect(withImage - without).toBeGreaterThanOrEqual(IMAGE_TOKENS);
  });
});
