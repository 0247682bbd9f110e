// Routes of features that are off or checked here (no VAPID keys, no Telegram bot), and the approval route, as JSON errors.

import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, BASE, createSession, login } from "../helpers/workers";

/** The response is the contract's JSON error with this status and code. */
async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  const body: { error: { code: string; message: string } } = await response.json();
  expect(body.error.code).toBe(code);
  expect(body.error.message).toBeTypeOf("string");
}

describe("push routes without VAPID keys", () => {
  it("answers 503 push_unavailable for the key and a subscription, and still lists and deletes", async () => {
    const token = await login(`push-off-${crypto.randomUUID()}@example.com`);
    await expectError(await api("/api/push/key", token), 503, "push_unavailable");
    await expectError(
      await api("/api/push/subscriptions", token, { method: "POST", body: "{}" }),
      503,
      "push_unavailable",
    );
    expect(await (await api("/api/push/subscriptions", token)).json()).toEqual({ subscriptions: [] });
    await expectError(await api("/api/push/subscriptions/nope", token, { method: "DELETE" }), 404, "not_found");
    await expectError(await api("/api/push/subscriptions", null), 401, "missing_token");
  });

  it("keeps preferences per user and refuses bad ones without changing them", async () => {
    const token = await login(`push-prefs-${crypto.randomUUID()}@example.com`);
    const other = await login(`push-prefs-${crypto.randomUUID()}@example.com`);
    const put = await api("/api/push/preferences", token, {
      method: "PUT",
      body: JSON.stringify({ kinds: { turn_finished: false }, when: "always" }),
    });
    expect(await put.json()).toMatchObject({ kinds: { turn_finished: false, approval: true }, when: "always" });
    await expectError(
      await api("/api/push/preferences", token, { method: "PUT", body: '{"kinds":{"x":true}}' }),
      400,
      "bad_request",
    );
    await expectError(await api("/api/push/preferences", token, { method: "PUT", body: "{" }), 400, "invalid_json");
    expect(await (await api("/api/push/preferences", token)).json()).toMatchObject({ when: "always" });
    expect(await (await api("/api/push/preferences", other)).json()).toMatchObject({
      kinds: { turn_finished: true },
      when: "away",
    });
  });
});

describe("POST /api/sessions/:id/approvals/:toolCallId", () => {
  it("checks the body, the owner and that the approval is pending", async () => {
    const token = await login(`approvals-${crypto.randomUUID()}@example.com`);
    const stranger = await login(`approvals-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const path = `/api/sessions/${id}/approvals/call-x`;
    await expectError(await api(path, token, { method: "POST", body: '{"approve":"yes"}' }), 400, "bad_request");
    await expectError(await api(path, token, { method: "POST", body: "nope" }), 400, "invalid_json");
    await expectError(
      await api(path, stranger, { method: "POST", body: '{"approve":true}' }),
      404,
      "session_not_found",
    );
    await expectError(await api(path, token, { method: "POST", body: '{"approve":true}' }), 404, "not_found");
  });
});

describe("Telegram routes without a bot configured", () => {
  it("answer 404 not_found: the webhook, pairing codes and links", async () => {
    const token = await login(`tg-off-${crypto.randomUUID()}@example.com`);
    const webhook = await SELF.fetch(`${BASE}/channels/telegram/webhook`, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": "a".repeat(32), "content-type": "application/json" },
      body: JSON.stringify({ update_id: 1 }),
    });
    const responses = [
      webhook,
      await api("/api/channels/telegram/pairing", token, { method: "POST" }),
      await api("/api/channels/telegram/links", token),
    ];
    for (const response of responses) {
      expect(response.status).toBe(404);
      // The channel's own answer, not the router's "no such route".
      expect(await response.json()).toMatchObject({
        error: { code: "not_found", message: "the Telegram channel is not configured here" },
      });
    }
  });
});
