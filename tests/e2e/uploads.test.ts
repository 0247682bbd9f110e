// Uploads end to end over `wrangler dev` from Node: image parts in both API shapes, a text-only model's
// description, a CSV that `exec` reads in the workspace, the 413 that stores nothing, and ownership.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Attachment } from "../../protocol/uploads.ts";
import { call, Device, login, newSession } from "./helpers/client.ts";
import { useE2eStand } from "./helpers/stand.ts";

const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const PNG = Buffer.from(PNG_BASE64, "base64");

/** Every file under a directory (wrangler's local R2 keeps object bytes as files). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

describe("uploads over wrangler dev", () => {
  const stand = useE2eStand((llmUrl) => ({
    OPENAI_BASE_URL: `${llmUrl}/v1`,
    ANTHROPIC_BASE_URL: llmUrl,
    LLM_MODEL: "fake-vision",
    LLM_FREE_MODELS: "fake-vision,fake-text,anthropic:claude-fake",
    LLM_ALLOWED_MODELS: "*",
    EXEC_POLICY: "auto",
  }));

  function upload(token: string, session: string, bytes: Uint8Array, name: string): Promise<Response> {
    const form = new FormData();
    form.append("file", new File([bytes], name));
    return call(stand.server.url, `/api/sessions/${session}/uploads`, token, { method: "POST", body: form });
  }

  async function uploaded(token: string, session: string, bytes: Uint8Array, name: string): Promise<Attachment> {
    const response = await upload(token, session, bytes, name);
    expect(response.status).toBe(201);
    return (await response.json()) as Attachment;
  }

  async function turn(device: Device, text: string, attachments: string[] = []): Promise<void> {
    const ends = device.events().filter((e) => e.type === "turn_end").length;
    device.send({
      type: "user_message",
      id: crypto.randomUUID(),
      text,
      ...(attachments.length ? { attachments } : {}),
    });
    await device.until(() => device.events().filter((e) => e.type === "turn_end").length > ends, 30_000);
  }

  async function command(device: Device, text: string): Promise<void> {
    const notices = device.events().filter((e) => e.type === "notice").length;
    device.send({ type: "user_message", id: crypto.randomUUID(), text });
    await device.until(() => device.events().filter((e) => e.type === "notice").length > notices);
  }

  const bodyWith = (marker: string) => stand.llm.requests.find((r) => JSON.stringify(r.body).includes(marker));

  it("sends an image as an OpenAI image part, an Anthropic image block, and a description to a text-only model", async () => {
    const token = await login(stand.server.url, "e2e-vision@example.com");
    const session = await newSession(stand.server.url, token);
    const image = await uploaded(token, session, PNG, "shot.png");
    const device = await Device.open(stand.server.url, session, token);
    await device.hello();
    await turn(device, "e2e-openai what is this", [image.id]);
    expect(JSON.stringify(bodyWith("e2e-openai")?.body)).toContain(
      `{"type":"image_url","image_url":{"url":"data:image/png;base64,${PNG_BASE64}"}}`,
    );
    await command(device, "/model anthropic:claude-fake");
    await turn(device, "e2e-anthropic and this", [image.id]);
    const anthropic = bodyWith("e2e-anthropic");
    expect(anthropic?.path).toBe("/v1/messages");
    expect(JSON.stringify(anthropic?.body)).toContain(
      `{"type":"image","source":{"type":"base64","media_type":"image/png","data":"${PNG_BASE64}"}}`,
    );
    await command(device, "/model fake-text");
    await turn(device, "e2e-text and now?", [image.id]);
    const text = JSON.stringify(bodyWith("e2e-text")?.body);
    expect(text).not.toContain(PNG_BASE64);
    expect(text).toContain("shot.png (image/png, 70 B), in the workspace at uploads/shot.png");
    await device.close();
  });

  it("copies a CSV into the workspace where exec reads it, and keeps ../../etc/passwd under uploads/", async () => {
    const token = await login(stand.server.url, "e2e-csv@example.com");
    const session = await newSession(stand.server.url, token);
    const csv = await uploaded(token, session, new TextEncoder().encode("n\n4\n5\n"), "numbers.csv");
    const passwd = await uploaded(token, session, PNG, "../../etc/passwd");
    expect(passwd.name).toBe("passwd.png");
    stand.llm.script({
      match: "e2e-sum",
      steps: [
        {
          kind: "tools",
          calls: [
            {
              id: "e1",
              name: "exec",
              args: JSON.stringify({ command: "paste -sd+ <(tail -n +2 uploads/numbers.csv) | bc; ls uploads" }),
            },
          ],
        },
        { kind: "text", chunks: ["sum done"] },
      ],
    });
    const device = await Device.open(stand.server.url, session, token);
    await device.hello();
    await turn(device, "e2e-sum please", [csv.id, passwd.id]);
    const result = device.events().find((e) => e.type === "tool_result");
    expect(result?.type === "tool_result" && result.output).toContain("9");
    expect(result?.type === "tool_result" && result.output).toContain("passwd.png");
    await device.close();
  });

  it("refuses 21 MB with 413 storing nothing, and another user's upload everywhere", async () => {
    const token = await login(stand.server.url, "e2e-big@example.com");
    const session = await newSession(stand.server.url, token);
    const before = filesUnder(stand.server.persistDir).filter((f) => statSync(f).size > 20_000_000);
    const big = new Uint8Array(21 * 1000 * 1000);
    big.set(PNG);
    const refused = await upload(token, session, big, "big.png");
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({ error: { code: "upload_too_large" } });
    expect(filesUnder(stand.server.persistDir).filter((f) => statSync(f).size > 20_000_000)).toEqual(before);

    const mine = await uploaded(token, session, PNG, "mine.png");
    const other = await login(stand.server.url, "e2e-other@example.com");
    expect((await call(stand.server.url, `/api/sessions/${session}/uploads/${mine.id}`, other)).status).toBe(404);
    const theirs = await newSession(stand.server.url, other);
    const device = await Device.open(stand.server.url, theirs, other);
    await device.hello();
    device.send({ type: "user_message", id: "steal", text: "use it", attachments: [mine.id] });
    await device.until(() => device.frames.some((f) => f.type === "error"));
    expect(device.frames.find((f) => f.type === "error")).toMatchObject({ code: "upload_not_found" });
    expect(device.users()).toEqual([]);
    await device.close();
  });
});
