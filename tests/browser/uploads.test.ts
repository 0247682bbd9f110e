// Attachments in the web client (headless Chromium against `wrangler dev`): paste an image into the composer,
// see its thumbnail and upload, send it, and see it in the transcript of a second device.

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeLlm } from "../../devtools/demo-model/server.ts";
import type { DevServer } from "../e2e/helpers/dev-server.ts";
import { SHOTS, type Stand, signIn, startStand } from "./stand.ts";

let llm: FakeLlm;
let server: DevServer;
let browser: Browser;
let stand: Stand;

const signedIn = (email: string) => signIn(browser, server.url, email);

/** Pastes a 96×64 PNG (drawn on a canvas) into the message box, as a screenshot paste would. */
async function pasteImage(page: Page): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).evaluate(async (box) => {
    const canvas = document.createElement("canvas");
    canvas.width = 96;
    canvas.height = 64;
    const g = canvas.getContext("2d");
    if (!g) throw new Error("no 2d context");
    g.fillStyle = "#1d4ed8";
    g.fillRect(0, 0, 96, 64);
    g.fillStyle = "#f59e0b";
    g.beginPath();
    g.arc(48, 32, 22, 0, Math.PI * 2);
    g.fill();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
    if (!blob) throw new Error("no PNG");
    const data = new DataTransfer();
    data.items.add(new File([blob], "image.png", { type: "image/png" }));
    box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  });
}

beforeAll(async () => {
  stand = await startStand();
  ({ llm, server, browser } = stand);
});

afterAll(async () => {
  await stand?.stop();
});

describe("attachments in the web client", () => {
  it("pastes an image, shows its thumbnail, sends it, and shows it on a second device", async () => {
    const a = await signedIn("paste@example.com");
    await a.page.locator("nav button.primary").click();
    await a.page.getByRole("textbox", { name: "Message" }).waitFor();
    const b = await signedIn("paste@example.com");
    await b.page.goto(a.page.url());
    await b.page.getByRole("textbox", { name: "Message" }).waitFor();

    await pasteImage(a.page);
    const pending = a.page.getByRole("listitem", { name: "Attachment image.png" });
    await pending.locator("img.thumb").waitFor();
    // Uploaded: the progress bar is gone and Send is enabled.
    await pending.locator("progress").waitFor({ state: "detached" });
    await expect.poll(() => a.page.getByRole("button", { name: "Send" }).isEnabled()).toBe(true);
    await a.page.screenshot({ path: `${SHOTS}/uploads-composer.png` });

    llm.script({ match: "what is in this picture", steps: [{ kind: "text", chunks: ["A yellow disc on blue."] }] });
    await a.page.getByRole("textbox", { name: "Message" }).fill("what is in this picture");
    await a.page.keyboard.press("Enter");
    await expect.poll(() => a.page.locator(".pending-files").count()).toBe(0);

    const sent = b.page.locator("article.msg.user .message-attachments img.thumb");
    await sent.waitFor();
    await expect.poll(() => sent.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);
    await expect.poll(() => b.page.locator("article.msg.assistant").last().textContent()).toContain("yellow disc");
    await b.page.screenshot({ path: `${SHOTS}/uploads-second-device.png`, fullPage: true });

    // The model got the picture as an image part.
    const request = llm.requests.find((r) => JSON.stringify(r.body).includes("what is in this picture"));
    expect(JSON.stringify(request?.body)).toContain('"type":"image_url"');
    expect(JSON.stringify(request?.body)).toContain("data:image/png;base64,");
    await a.context.close();
    await b.context.close();
  });
});
