// Uploads inside workerd: the route's limits and types, names, ownership, the model's image parts in both
// API shapes, the description for text-only models, the workspace copy, the sweep, and the export.

import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Script } from "../../devtools/demo-model/scripts";
import type { SessionObject } from "../../objects/session/session-object";
import { uploadsPrefix } from "../../objects/session/storage/keys";
import type { Attachment } from "../../protocol/uploads";
import { api, createSession, join, login, type TestSocket } from "../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));
/** A 1×1 PNG. */
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const PNG = Uint8Array.from(atob(PNG_BASE64), (c) => c.charCodeAt(0));

const tag = () => `up-${crypto.randomUUID().slice(0, 8)}`;

async function script(value: Script): Promise<void> {
  await fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify(value) });
}

/** The stand-in's recorded request bodies whose text mentions `marker`. */
async function requestsWith(marker: string): Promise<{ path: string; body: Record<string, unknown> }[]> {
  const all: { path: string; body: Record<string, unknown> }[] = await (await fetch(`${FAKE}/__requests`)).json();
  return all.filter((r) => JSON.stringify(r.body).includes(marker));
}

function upload(sessionId: string, token: string, bytes: Uint8Array, name: string, type = "application/octet-stream") {
  const form = new FormData();
  form.append("file", new File([bytes], name, { type }));
  return api(`/api/sessions/${sessionId}/uploads`, token, { method: "POST", body: form });
}

async function uploaded(sessionId: string, token: string, bytes: Uint8Array, name: string): Promise<Attachment> {
  const response = await upload(sessionId, token, bytes, name);
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json();
}

async function owned(prefix: string) {
  const token = await login(`${prefix}-${crypto.randomUUID()}@example.com`);
  return { token, id: await createSession(token) };
}

async function storedKeys(sessionId: string): Promise<string[]> {
  return (await env.FILES.list({ prefix: uploadsPrefix(sessionId) })).objects.map((o) => o.key);
}

const turnEnds = (socket: TestSocket, n: number) => socket.until(() => socket.of("turn_end").length >= n);

describe("the upload route", () => {
  it("stores an image typed from its bytes and serves it inline to its owner only", async () => {
    const { id, token } = await owned("up-png");
    const record = await uploaded(id, token, PNG, "screenshot.jpg");
    expect(record).toMatchObject({ name: "screenshot.jpg", mime: "image/png", size: PNG.length });
    const served = await api(`/api/sessions/${id}/uploads/${record.id}`, token);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("content-disposition")).toMatch(/^inline;/);
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("content-security-policy")).toContain("sandbox");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);

    const other = await login(`up-other-${crypto.randomUUID()}@example.com`);
    const refused = await api(`/api/sessions/${id}/uploads/${record.id}`, other);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: "session_not_found" } });
    const unknown = await api(`/api/sessions/${id}/uploads/up_000000000000000000000000`, token);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "upload_not_found" } });
  });

  it("serves a non-image as a download, takes CSV as text and refuses unknown bytes with 415", async () => {
    const { id, token } = await owned("up-types");
    const csv = await uploaded(id, token, new TextEncoder().encode("a,b\n1,2\n"), "data.csv");
    expect(csv.mime).toBe("text/csv");
    const served = await api(`/api/sessions/${id}/uploads/${csv.id}`, token);
    expect(served.headers.get("content-disposition")).toMatch(/^attachment;/);
    await served.arrayBuffer();
    // Text named as an image is not an image; random bytes are nothing we take; a claim changes nothing.
    for (const [bytes, name, type] of [
      [new TextEncoder().encode("hello"), "fake.png", "image/png"],
      [crypto.getRandomValues(new Uint8Array(4096)), "blob.csv", "text/csv"],
      [Uint8Array.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]), "setup.exe", "application/octet-stream"],
    ] as const) {
      const response = await upload(id, token, bytes, name, type);
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
    }
    expect(await storedKeys(id)).toEqual([`${uploadsPrefix(id)}${csv.id}`]);
  });

  it("refuses a 21 MB file with 413 and stores nothing, declared or streamed", async () => {
    const { id, token } = await owned("up-big");
    const big = new Uint8Array(21 * 1000 * 1000);
    big.set(PNG);
    const declared = await upload(id, token, big, "big.png");
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: "upload_too_large" } });
    // Without a Content-Length the body is counted as it streams.
    const form = new Response(
      (() => {
        const f = new FormData();
        f.append("file", new File([big], "big.png"));
        return f;
      })(),
    );
    const contentType = form.headers.get("content-type") ?? "";
    const streamed = await api(`/api/sessions/${id}/uploads`, token, {
      method: "POST",
      headers: { "content-type": contentType },
      body: form.body,
    });
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: "upload_too_large" } });
    expect(await storedKeys(id)).toEqual([]);
    const count = await runInDurableObject(env.SESSION.getByName(id), (_: SessionObject, state) =>
      state.storage.sql.exec("select count(*) as n from uploads").one(),
    );
    expect(count.n).toBe(0);
  });

  it("keeps a name like ../../etc/passwd inside uploads/ and renames collisions", async () => {
    const t = tag();
    const { id, token } = await owned("up-names");
    const first = await uploaded(id, token, PNG, "../../etc/passwd");
    const second = await uploaded(id, token, PNG, "..\\..\\etc\\passwd");
    expect(first.name).toBe("passwd.png");
    expect(second.name).toBe("passwd-1.png");
    const dotted = await uploaded(id, token, new TextEncoder().encode("x"), ".bashrc.txt");
    expect(dotted.name).toBe("bashrc.txt");
    // In the workspace they land under uploads/ and nowhere else.
    await script({
      match: t,
      steps: [
        {
          kind: "tools",
          calls: [{ id: "l1", name: "exec", args: JSON.stringify({ command: "find . -type f | sort" }) }],
        },
        { kind: "text", chunks: ["listed"] },
      ],
    });
    const device = await join(id, token);
    device.send({ type: "user_message", id: "1", text: `list ${t}`, attachments: [first.id, second.id, dotted.id] });
    await turnEnds(device, 1);
    const files = (device.of("tool_result")[0]?.output ?? "").split("\n").filter((line) => line.startsWith("./"));
    expect(files).toEqual(["./uploads/bashrc.txt", "./uploads/passwd-1.png", "./uploads/passwd.png"]);
  });

  it("refuses a body that is not multipart with a JSON error", async () => {
    const { id, token } = await owned("up-bad");
    const response = await api(`/api/sessions/${id}/uploads`, token, { method: "POST", body: "{}" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "bad_request" } });
  });
});

describe("attachments in messages", () => {
  it("refuses another user's upload id with an error frame and stores nothing", async () => {
    const mallory = await owned("up-mallory");
    const theirs = await uploaded(mallory.id, mallory.token, PNG, "secret.png");
    const { id, token } = await owned("up-victim");
    const device = await join(id, token);
    const before = device.of("ready")[0]?.seq ?? 0;
    device.send({ type: "user_message", id: "m1", text: "look", attachments: [theirs.id] });
    const [error] = await device.waitFor("error");
    expect(error).toMatchObject({ code: "upload_not_found" });
    expect("seq" in (error ?? {})).toBe(false);
    const again = await join(id, token);
    expect(again.of("ready")[0]?.seq).toBe(before);
  });

  it("refuses a message listing more than UPLOAD_MAX_FILES (10) attachments, and stores nothing", async () => {
    const { id, token } = await owned("up-many");
    const mine = await uploaded(id, token, PNG, "one.png");
    const device = await join(id, token);
    const before = device.of("ready")[0]?.seq ?? 0;
    const ids = [mine.id, ...Array.from({ length: 10 }, (_, i) => `up_missing_${i}`)];
    device.send({ type: "user_message", id: "m1", text: "eleven files", attachments: ids });
    const [error] = await device.waitFor("error");
    expect(error).toMatchObject({ code: "too_many_attachments" });
    expect(error?.message).toContain("10");
    expect((await join(id, token)).of("ready")[0]?.seq).toBe(before);
  });

  it("sends an image as an OpenAI image_url data URL and an Anthropic image block", async () => {
    const t = tag();
    const { id, token } = await owned("up-vision");
    const device = await join(id, token);
    const image = await uploaded(id, token, PNG, "photo.png");
    device.send({ type: "user_message", id: "0", text: "/model fake-vision" });
    device.send({ type: "user_message", id: "1", text: `what is this ${t}-o`, attachments: [image.id] });
    await turnEnds(device, 1);
    const stored = device.of("user_message").find((m) => m.id === "1");
    expect(stored?.attachments).toEqual([image]);
    const [openai] = await requestsWith(`${t}-o`);
    const messages = openai?.body.messages as { role: string; content: unknown }[];
    const user = messages.findLast((m) => m.role === "user");
    expect(user?.content).toEqual([
      { type: "text", text: expect.stringContaining("uploads/photo.png") },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
    ]);

    device.send({ type: "user_message", id: "2", text: "/model anthropic:claude-fake" });
    device.send({ type: "user_message", id: "3", text: `and now ${t}-a`, attachments: [image.id] });
    await turnEnds(device, 2);
    const [anthropic] = await requestsWith(`${t}-a`);
    expect(anthropic?.path).toMatch(/\/v1\/messages$/);
    const wire = anthropic?.body.messages as { role: string; content: Record<string, unknown>[] }[];
    const blocks = wire.filter((m) => m.role === "user").flatMap((m) => m.content);
    const images = blocks.filter((b) => b.type === "image");
    // Both turns are within UPLOAD_IMAGE_TURNS, so the earlier image is sent again.
    expect(images).toHaveLength(2);
    expect(images[1]).toEqual({ type: "image", source: { type: "base64", media_type: "image/png", data: PNG_BASE64 } });
  });

  it("keeps the attachments of a message when it is edited", async () => {
    const { id, token } = await owned("up-edit");
    const device = await join(id, token);
    const image = await uploaded(id, token, PNG, "edit.png");
    device.send({ type: "user_message", id: "1", text: "first words", attachments: [image.id] });
    await turnEnds(device, 1);
    device.send({ type: "edit_message", id: "2", editOf: "1", text: "better words" });
    await turnEnds(device, 2);
    expect(device.of("user_message").find((m) => m.id === "2")).toMatchObject({ editOf: "1", attachments: [image] });
  });

  it("gives a text-only model the description instead of the image", async () => {
    const t = tag();
    const { id, token } = await owned("up-text");
    const device = await join(id, token);
    const image = await uploaded(id, token, PNG, "chart.png");
    device.send({ type: "user_message", id: "1", text: `describe ${t}`, attachments: [image.id] });
    await turnEnds(device, 1);
    const [request] = await requestsWith(t);
    const messages = request?.body.messages as { role: string; content: unknown }[];
    const user = messages.findLast((m) => m.role === "user");
    expect(typeof user?.content).toBe("string");
    expect(user?.content).toContain("chart.png (image/png, 70 B), in the workspace at uploads/chart.png");
    expect(JSON.stringify(request?.body)).not.toContain(PNG_BASE64);
    // The stand-in refuses an image part for a text-only model, as OpenAI does.
    const refused = await fetch(`${FAKE}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: "fake-model",
        stream: true,
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }] },
        ],
      }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("image_url is only supported by certain models");
  });

  it("copies a CSV into uploads/ before the first tool call, where exec reads it", async () => {
    const t = tag();
    const { id, token } = await owned("up-csv");
    const device = await join(id, token);
    const csv = await uploaded(id, token, new TextEncoder().encode("city,temp\nOslo,3\nLima,19\n"), "../weather.csv");
    await script({
      match: t,
      steps: [
        {
          kind: "tools",
          calls: [
            {
              id: "c1",
              name: "exec",
              args: JSON.stringify({ command: `awk -F, 'NR>1{s+=$2}END{print "sum=" s}' uploads/${csv.name}` }),
            },
          ],
        },
        { kind: "text", chunks: ["done"] },
      ],
    });
    device.send({ type: "user_message", id: "1", text: `sum it ${t}`, attachments: [csv.id] });
    await turnEnds(device, 1);
    const result = device.of("tool_result")[0];
    expect(result).toMatchObject({ ok: true, exitCode: 0 });
    expect(result?.output).toContain("sum=22");
  });

  it("removes an upload no message listed after its lifetime, on the alarm", async () => {
    const { id, token } = await owned("up-sweep");
    const device = await join(id, token);
    const kept = await uploaded(id, token, PNG, "kept.png");
    const dropped = await uploaded(id, token, PNG, "dropped.png");
    device.send({ type: "user_message", id: "1", text: "keep this one", attachments: [kept.id] });
    await turnEnds(device, 1);
    const stub = env.SESSION.getByName(id);
    await runInDurableObject(stub, (_: SessionObject, state) => {
      // Both uploads are two days old now.
      state.storage.sql.exec("update uploads set created_at = created_at - 172800000");
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await api(`/api/sessions/${id}/uploads/${dropped.id}`, token)).status).toBe(404);
    const served = await api(`/api/sessions/${id}/uploads/${kept.id}`, token);
    expect(served.status).toBe(200);
    await served.arrayBuffer();
    expect(await storedKeys(id)).toEqual([`${uploadsPrefix(id)}${kept.id}`]);
  });

  it("keeps attachment references through compaction, never the bytes", async () => {
    const t = tag();
    const { id, token } = await owned("up-compact");
    const device = await join(id, token);
    const image = await uploaded(id, token, PNG, `plan-${t}.png`);
    device.send({ type: "user_message", id: "1", text: "here is the plan", attachments: [image.id] });
    await turnEnds(device, 1);
    device.send({ type: "user_message", id: "2", text: "and more" });
    await turnEnds(device, 2);
    device.send({ type: "user_message", id: "3", text: "/compact" });
    await device.until(() => device.of("compaction").length > 0);
    const line = `plan-${t}.png (image/png, 70 B), in the workspace at uploads/plan-${t}.png`;
    const summarised = (await requestsWith(line)).find((r) =>
      JSON.stringify(r.body).includes("You compact conversations"),
    );
    expect(JSON.stringify(summarised?.body)).toContain("Keep every attached file's name and workspace path");
    expect(JSON.stringify(summarised?.body)).not.toContain(PNG_BASE64);
  });

  it("lists attachments by reference in the export and removes them with the session", async () => {
    const { id, token } = await owned("up-export");
    const device = await join(id, token);
    const image = await uploaded(id, token, PNG, "diagram.png");
    device.send({ type: "user_message", id: "1", text: "see attached", attachments: [image.id] });
    await turnEnds(device, 1);
    const exported = await api(`/api/sessions/${id}/exports`, token, { method: "POST" });
    const { artifacts } = await exported.json<{ artifacts: string[] }>();
    const markdownName = artifacts.find((name) => name.endsWith(".md"));
    const markdown = await (await api(`/api/sessions/${id}/artifacts/${markdownName}`, token)).text();
    expect(markdown).toContain("their bytes are not part of this export");
    expect(markdown).toContain(`diagram.png (image/png, 70 B, upload ${image.id})`);
    expect(markdown).not.toContain(PNG_BASE64);
    device.close();
    expect((await api(`/api/sessions/${id}`, token, { method: "DELETE" })).status).toBeLessThan(300);
    expect(await storedKeys(id)).toEqual([]);
  });
});
