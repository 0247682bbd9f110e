// The Telegram channel end to end: wrangler dev, the stand-in LLM and a strict fake Bot API on loopback;
// the test plays Telegram by posting updates to the webhook with the secret header.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../devtools/demo-model/server.ts";
import { call, Device, login } from "./helpers/client.ts";
import { type DevServer, startDevServer } from "./helpers/dev-server.ts";
import { FAKE_BOT_TOKEN, type FakeTelegram, startFakeTelegram } from "./helpers/fake-telegram.ts";

const SECRET = "test-webhook-secret-0123456789";
/** A photo as Telegram serves it (JPEG), and the smaller size Telegram lists before it. */
const PHOTO_BASE64 =
  "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=";
const PHOTO = Buffer.from(PHOTO_BASE64, "base64");
const THUMBNAIL = Buffer.concat([PHOTO.subarray(0, 20), Buffer.from([0xff, 0xd9])]);

describe("Telegram over wrangler dev", () => {
  let server: DevServer;
  let llm: FakeLlm;
  let tg: FakeTelegram;
  beforeAll(async () => {
    llm = await startFakeLlm();
    tg = await startFakeTelegram();
    server = await startDevServer({ vars: serverVars() });
  });
  afterAll(async () => {
    await server?.stop();
    await tg?.close();
    await llm?.close();
  });

  function serverVars(): Record<string, string> {
    return {
      OPENAI_BASE_URL: `${llm.url}/v1`,
      LLM_MODEL: "fake-model",
      LLM_FREE_MODELS: "fake-model,fake-vision",
      LLM_ALLOWED_MODELS: "fake-model,fake-vision",
      EXEC_POLICY: "ask",
      TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_BASE: tg.url,
    };
  }

  const webhook = (update: unknown, secret: string | null = SECRET) =>
    fetch(`${server.url}/channels/telegram/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }),
      },
      body: JSON.stringify(update),
    });

  async function deliver(update: unknown): Promise<string> {
    const response = await webhook(update);
    expect(response.status).toBe(200);
    return ((await response.json()) as { outcome: string }).outcome;
  }

  const sent = (chatId: number) => tg.calls.filter((c) => c.status === 200 && c.params.chat_id === chatId);

  async function pairing(token: string): Promise<string> {
    const response = await call(server.url, "/api/channels/telegram/pairing", token, { method: "POST" });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { code: string; expiresAt: number };
    expect(body.expiresAt - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(body.expiresAt - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    return body.code;
  }

  async function sessions(token: string): Promise<{ id: string; title: string }[]> {
    const response = await call(server.url, "/api/sessions", token);
    return ((await response.json()) as { sessions: { id: string; title: string }[] }).sessions;
  }

  async function pair(token: string, telegramUser: number): Promise<void> {
    const code = await pairing(token);
    expect(await deliver(tg.message(telegramUser, `/pair ${code}`))).toBe("paired");
  }

  it("refuses a wrong or missing secret with 401 and a JSON error, and a non-update with 400", async () => {
    for (const secret of [null, "wrong-secret-0123456789", `${SECRET}x`]) {
      const response = await webhook(tg.message(1, "hi"), secret);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_token");
    }
    const bad = await webhook({ hello: "world" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    expect(sent(1)).toHaveLength(0);
  });

  it("refuses an unpaired sender once, storing nothing; pairs once with a code that cannot be reused", async () => {
    const alice = await login(server.url, "alice-tg@example.com");
    expect(await deliver(tg.message(2001, "hello, who are you?"))).toBe("refused");
    await tg.until(() => sent(2001).length === 1);
    expect(tg.messages(2001).map((m) => m.text)).toEqual([expect.stringContaining("linked accounts only")]);
    expect(llm.requests.some((r) => JSON.stringify(r.body).includes("who are you"))).toBe(false);

    const code = await pairing(alice);
    expect(await deliver(tg.message(2001, `/pair ${code}`))).toBe("paired");
    await tg.until(() => tg.messages(2001).at(-1)?.text.includes("Linked to alice-tg@example.com") ?? false);
    // The same code from another Telegram user (or again) does nothing.
    expect(await deliver(tg.message(2002, `/pair ${code}`))).toBe("refused");
    await tg.until(() => tg.messages(2002).at(-1)?.text.includes("not valid") ?? false);
    const links = (await (await call(server.url, "/api/channels/telegram/links", alice)).json()) as {
      links: { telegramUserId: number; username: string }[];
    };
    expect(links.links).toEqual([expect.objectContaining({ telegramUserId: 2001, username: "user2001" })]);
    // Nothing of the refused message was stored: alice has no session at all yet.
    expect(await sessions(alice)).toEqual([]);
    // 2002 is still a stranger.
    expect(await deliver(tg.message(2002, "let me in"))).toBe("refused");
  });

  it("puts a paired message live on a web device and edits the streamed answer into one Telegram message", async () => {
    const bob = await login(server.url, "bob-tg@example.com");
    await pair(bob, 3001);
    expect(await deliver(tg.message(3001, "/new Phone chat"))).toBe("queued");
    await tg.until(() => tg.messages(3001).some((m) => m.text.includes("Started Phone chat")));
    const session = (await sessions(bob)).find((s) => s.title === "Phone chat");
    expect(session).toBeDefined();
    const device = await Device.open(server.url, session?.id ?? "", bob);
    await device.hello();

    const chunks = Array.from({ length: 30 }, (_, i) => `**part ${i}** <x> & y_${i} `);
    llm.script({ match: "stream me a story", steps: [{ kind: "text", chunks, delayMs: 60 }] });
    const before = tg.messages(3001).length;
    const update = tg.message(3001, "stream me a story");
    expect(await deliver(update)).toBe("queued");
    await device.settle();
    const user = device.users().find((m) => m.text === "stream me a story");
    expect(user).toMatchObject({ deviceId: "telegram", user: "bob-tg@example.com" });
    const answer = chunks.join("").replace(/\*\*/g, "");
    await tg.until(() => tg.messages(3001).at(-1)?.text === answer.trimEnd());
    // One message for the answer, edited as it grew (never a second message).
    const answerMessages = tg.messages(3001).slice(before);
    expect(answerMessages).toHaveLength(1);
    expect(answerMessages[0]?.html).toContain("<b>part 0</b> &lt;x&gt; &amp; y_0");

    // Telegram retries the same update: it is acted on once.
    expect(await deliver(update)).toBe("duplicate");
    const messages = (await (await call(server.url, `/api/sessions/${session?.id}/messages`, bob)).json()) as {
      messages: { type: string; text?: string }[];
    };
    expect(messages.messages.filter((m) => m.type === "user_message" && m.text === "stream me a story")).toHaveLength(
      1,
    );
    await device.close();
  });

  it("retries a 429 after retry_after and still delivers the whole answer", async () => {
    const carol = await login(server.url, "carol-tg@example.com");
    await pair(carol, 4001);
    llm.script({
      match: "are you rate limited",
      steps: [{ kind: "text", chunks: ["Still here, ", "after the wait."] }],
    });
    tg.rateLimit("sendMessage", 2);
    expect(await deliver(tg.message(4001, "are you rate limited?"))).toBe("queued");
    await tg.until(() => tg.messages(4001).at(-1)?.text === "Still here, after the wait.");
    const sends = tg.calls.filter((c) => c.method === "sendMessage" && c.params.chat_id === 4001);
    const limited = sends.find((c) => c.status === 429);
    const retried = sends.find((c) => c.status === 200 && String(c.params.text).includes("Still here"));
    expect(limited).toBeDefined();
    expect(retried).toBeDefined();
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(2000);
    // The default session was made for the first message.
    expect((await sessions(carol)).map((s) => s.title)).toEqual(["Telegram"]);
  });

  it("offers an approval as inline buttons, checked against the user and the pending request", async () => {
    const dana = await login(server.url, "dana-tg@example.com");
    await pair(dana, 5001);
    llm.script({
      match: "list the files",
      steps: [
        { kind: "tools", calls: [{ id: "call-tg-ls", name: "exec", args: JSON.stringify({ command: "ls" }) }] },
        { kind: "text", chunks: ["Listed them."] },
      ],
    });
    expect(await deliver(tg.message(5001, "list the files"))).toBe("queued");
    await tg.until(() => tg.messages(5001).some((m) => m.keyboard !== null));
    const offer = tg.messages(5001).find((m) => m.keyboard !== null);
    expect(offer?.text).toContain("exec: ls");
    const approve = offer?.keyboard?.[0]?.[0]?.callback_data ?? "";
    // A stranger pressing the button is refused and decides nothing.
    if (!offer) throw new Error("no offer");
    expect(await deliver(tg.press(5999, offer, approve))).toBe("refused");
    expect(await deliver(tg.press(5001, offer, approve))).toBe("queued");
    await tg.until(() => tg.messages(5001).at(-1)?.text === "Listed them.");
    expect(offer.text).toContain("approved");
  });

  it("splits an answer past 4,096 characters into messages that each parse", async () => {
    const fay = await login(server.url, "fay-tg@example.com");
    await pair(fay, 7001);
    const line = (i: number) => `Line ${i}: **bold** & <angle> text that fills the message quickly.\n`;
    const chunks = Array.from({ length: 150 }, (_, i) => line(i));
    llm.script({ match: "write a lot", steps: [{ kind: "text", chunks }] });
    const before = tg.messages(7001).length;
    expect(await deliver(tg.message(7001, "write a lot"))).toBe("queued");
    await tg.until(
      () =>
        tg.messages(7001).at(-1)?.text.endsWith("Line 149: bold & <angle> text that fills the message quickly.") ??
        false,
    );
    const parts = tg.messages(7001).slice(before);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.text.length).toBeLessThanOrEqual(4096);
    expect(parts.map((p) => p.text).join("\n")).toBe(chunks.join("").replace(/\*\*/g, "").trim());
  });

  it("rate-limits pairing attempts per Telegram user", async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await deliver(tg.message(8001, "/pair ABCDEFGH")));
    expect(outcomes).toEqual(["refused", "refused", "refused", "refused", "refused", "rate_limited"]);
    // Even a valid code waits for the window now.
    const gus = await login(server.url, "gus-tg@example.com");
    const code = await pairing(gus);
    expect(await deliver(tg.message(8001, `/pair ${code}`))).toBe("rate_limited");
    expect(await deliver(tg.message(8002, `/pair ${code}`))).toBe("paired");
  });

  it("passes the session's own commands on and answers with their notice", async () => {
    const jan = await login(server.url, "jan-tg@example.com");
    await pair(jan, 9101);
    expect(await deliver(tg.message(9101, "/model"))).toBe("queued");
    await tg.until(() => tg.messages(9101).at(-1)?.text === "model: fake-model");
    expect(await deliver(tg.message(9101, "/think high"))).toBe("queued");
    await tg.until(() => tg.messages(9101).at(-1)?.text === "reasoning high from the next turn");
    // No model was called for either.
    expect(llm.requests.some((r) => JSON.stringify(r.body).includes("/think high"))).toBe(false);
  });

  it("lists and picks sessions, cancels a running answer, and unpairs", async () => {
    const hal = await login(server.url, "hal-tg@example.com");
    await pair(hal, 9001);
    await call(server.url, "/api/sessions", hal, { method: "POST", body: JSON.stringify({ title: "From the web" }) });
    expect(await deliver(tg.message(9001, "/session"))).toBe("queued");
    await tg.until(() => tg.messages(9001).some((m) => m.text.includes("1. From the web")));
    expect(await deliver(tg.message(9001, "/session 1"))).toBe("queued");
    await tg.until(() => tg.messages(9001).some((m) => m.text === "Now in From the web."));
    const web = (await sessions(hal)).find((s) => s.title === "From the web");
    const device = await Device.open(server.url, web?.id ?? "", hal);
    await device.hello();
    llm.script({ match: "take your time", steps: [{ kind: "stall", chunks: ["Thinking"], stallMs: 30_000 }] });
    expect(await deliver(tg.message(9001, "take your time"))).toBe("queued");
    await device.until(() => device.events().some((e) => e.type === "assistant_delta"));
    expect(await deliver(tg.message(9001, "/cancel"))).toBe("queued");
    await device.until(() => device.events().some((e) => e.type === "turn_end" && e.reason === "cancelled"));
    await tg.until(() => tg.messages(9001).some((m) => m.text.includes("(cancelled)")));
    await device.close();
    expect(await deliver(tg.message(9001, "/unpair"))).toBe("unpaired");
    expect(await deliver(tg.message(9001, "are you there?"))).toBe("refused");
    const links = (await (await call(server.url, "/api/channels/telegram/links", hal)).json()) as { links: unknown[] };
    expect(links.links).toEqual([]);
  });

  it("keeps an answer through Telegram being down and a restart of the service, then delivers it", async () => {
    const ivy = await login(server.url, "ivy-tg@example.com");
    await pair(ivy, 9501);
    llm.script({ match: "survive a restart", steps: [{ kind: "text", chunks: ["Delivered ", "after all."] }] });
    tg.fail("sendMessage", 502, 1_000);
    expect(await deliver(tg.message(9501, "survive a restart"))).toBe("queued");
    await tg.until(() => tg.calls.filter((c) => c.params.chat_id === 9501 && c.status === 502).length >= 2);
    const session = (await sessions(ivy))[0];
    await expect
      .poll(async () => {
        const page = (await (await call(server.url, `/api/sessions/${session?.id}/messages`, ivy)).json()) as {
          messages: { type: string; text?: string }[];
        };
        return page.messages.some((m) => m.type === "assistant_message" && m.text === "Delivered after all.");
      })
      .toBe(true);
    await server.stop();
    tg.fail("sendMessage", 502, 0);
    server = await startDevServer({ persistDir: server.persistDir, vars: serverVars() });
    await tg.until(() => tg.messages(9501).at(-1)?.text === "Delivered after all.");
  });
  it("turns a photo with its caption into an attachment: live on a web device, an image part for the model", async () => {
    const kim = await login(server.url, "kim-tg@example.com");
    await pair(kim, 9601);
    expect(await deliver(tg.message(9601, "/model fake-vision"))).toBe("queued");
    await tg.until(() => tg.messages(9601).at(-1)?.text === "model set to fake-vision for this session");
    const session = (await sessions(kim))[0];
    const device = await Device.open(server.url, session?.id ?? "", kim);
    await device.hello();
    llm.script({ match: "what is in this photo", steps: [{ kind: "text", chunks: ["A very small picture."] }] });
    const update = tg.file(9601, PHOTO, {
      name: "photo.jpg",
      mime: "image/jpeg",
      photo: true,
      thumbnail: THUMBNAIL,
      caption: "what is in this photo?",
    });
    // Telegram fails the first getFile: the update is tried again.
    tg.fail("getFile", 502, 1);
    expect(await deliver(update)).toBe("queued");
    await device.until(() => device.users().some((m) => m.text === "what is in this photo?"));
    expect(tg.calls.filter((c) => c.method === "getFile").map((c) => c.status)).toEqual([502, 200]);
    const user = device.users().find((m) => m.text === "what is in this photo?");
    expect(user).toMatchObject({
      deviceId: "telegram",
      attachments: [{ name: "photo.jpg", mime: "image/jpeg", size: PHOTO.byteLength }],
    });
    await tg.until(() => tg.messages(9601).at(-1)?.text === "A very small picture.");
    // The model got the largest size as an image part, exactly as a web upload's.
    const body = JSON.stringify(
      llm.requests.find((r) => JSON.stringify(r.body).includes("what is in this photo"))?.body,
    );
    expect(body).toContain(`{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,${PHOTO_BASE64}"}}`);
    expect(body).not.toContain(THUMBNAIL.toString("base64"));
    // The bytes are the session's upload, downloadable by its owner like any other.
    const id = user?.attachments?.[0]?.id ?? "";
    const download = await call(server.url, `/api/sessions/${session?.id}/uploads/${id}`, kim);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PHOTO)).toBe(true);
    await device.close();
  });

  it("refuses an oversize document and a type uploads refuse, with one reply each and nothing stored", async () => {
    const lee = await login(server.url, "lee-tg@example.com");
    await pair(lee, 9701);
    const big = new Uint8Array(21 * 1024 * 1024);
    big.set(PHOTO);
    const replies = tg.messages(9701).length;
    const oversize = tg.file(9701, big, { name: "scan.jpg", mime: "image/jpeg", caption: "keep this scan" });
    expect(await deliver(oversize)).toBe("queued");
    await tg.until(() => tg.messages(9701).length === replies + 1);
    expect(tg.messages(9701).at(-1)?.text).toBe("That file is too large: the limit is 20 MB. Nothing was sent.");
    // Telegram's stated size decided it: nothing was even fetched.
    const fileId = JSON.stringify(oversize).match(/"file_id":"([^"]+)"/)?.[1];
    expect(fileId).toBeDefined();
    expect(tg.calls.some((c) => c.method === "getFile" && c.params.file_id === fileId)).toBe(false);
    const program = Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "latin1");
    const refused = tg.file(9701, program, { name: "tool.exe", mime: "application/x-msdownload", caption: "run it" });
    expect(await deliver(refused)).toBe("queued");
    await tg.until(() => tg.messages(9701).length === replies + 2);
    expect(tg.messages(9701).at(-1)?.text).toContain("That type of file is not taken");
    // Nothing was stored: no session, no message, no model call for either caption.
    expect(await sessions(lee)).toEqual([]);
    expect(llm.requests.some((r) => /keep this scan|run it/.test(JSON.stringify(r.body)))).toBe(false);
  });

  it("answers a group or supergroup once, politely, and stores nothing", async () => {
    const max = await login(server.url, "max-tg@example.com");
    await pair(max, 9801);
    for (const chat of [
      { id: -4001, type: "group" },
      { id: -1004002, type: "supergroup" },
    ]) {
      expect(await deliver(tg.message(9801, "hello everyone, summarise this group", chat))).toBe("refused");
      await tg.until(() => sent(chat.id).length === 1);
      expect(tg.messages(chat.id).map((m) => m.text)).toEqual([expect.stringContaining("only talks in private chats")]);
    }
    // Even a linked user's message in a group goes nowhere.
    expect(await sessions(max)).toEqual([]);
    expect(llm.requests.some((r) => JSON.stringify(r.body).includes("summarise this group"))).toBe(false);
  });

  it("ends the delivery of an answer to a chat that blocked the bot: one 403, no retry", async () => {
    const ned = await login(server.url, "ned-tg@example.com");
    await pair(ned, 9901);
    llm.script({ match: "are you blocked", steps: [{ kind: "text", chunks: ["You will never see this."] }] });
    tg.block(9901);
    expect(await deliver(tg.message(9901, "are you blocked?"))).toBe("queued");
    await tg.until(() => tg.calls.some((c) => c.params.chat_id === 9901 && c.status === 403));
    // The user unblocks the bot and writes again: the new answer arrives, the old one is not retried.
    tg.block(9901, false);
    llm.script({ match: "and now", steps: [{ kind: "text", chunks: ["Back again."] }] });
    expect(await deliver(tg.message(9901, "and now?"))).toBe("queued");
    await tg.until(() => tg.messages(9901).at(-1)?.text === "Back again.");
    const toNed = tg.calls.filter((c) => c.params.chat_id === 9901);
    expect(toNed.filter((c) => c.status === 403)).toHaveLength(1);
    expect(toNed.some((c) => String(c.params.text).includes("You will never see this"))).toBe(true);
    expect(tg.messages(9901).some((m) => m.text.includes("You will never see this"))).toBe(false);
  });
});
