// Admin inspection through the session object's RPC, paging of every session, and termination.

import { describe, expect, it } from "vitest";
import type { SessionInspection } from "../../objects/session/rpc";
import { api, createSession, join, login } from "../helpers/workers";

describe("admin API", () => {
  it("lists every user's sessions in pages and inspects one through RPC", async () => {
    const admin = await login("admin@example.com");
    const alice = await login("alice.admin-test@example.com");
    const bob = await login("bob.admin-test@example.com");
    const ids = [await createSession(alice, "a1"), await createSession(bob, "b1"), await createSession(alice, "a2")];

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await (await api(`/admin/api/sessions?limit=2${query}`, admin)).json<{
        sessions: { id: string; owner: string }[];
        nextCursor: string | null;
      }>();
      seen.push(...page.sessions.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of ids) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);

    const [first] = ids as [string];
    const device = await join(first, alice, undefined, "alice-phone");
    device.send({ type: "user_message", id: "m1", text: "hi" });
    await device.settle();
    const inspection = await (await api(`/admin/api/sessions/${first}`, admin)).json<SessionInspection>();
    expect(inspection.meta).toMatchObject({ id: first, owner: "alice.admin-test@example.com", title: "a1" });
    expect(inspection.devices).toEqual([
      expect.objectContaining({ user: "alice.admin-test@example.com", deviceId: "alice-phone" }),
    ]);
    expect(inspection.lastSeq).toBe(device.events().at(-1)?.seq);
    expect(inspection.eventCounts).toMatchObject({ user_message: 1, assistant_message: 1, turn_end: 1 });
    expect(inspection.messageCount).toBe(2);
    expect(inspection.turnRunning).toBe(false);
    expect(inspection.storageBytes).toBeGreaterThan(0);

    const terminated = await api(`/admin/api/sessions/${first}/terminate`, admin, { method: "POST" });
    expect(await terminated.json()).toEqual({ id: first, closedSockets: 1 });
    await device.until(() => device.closed !== null);
    expect(device.closed?.code).toBe(4000);
    expect((await api(`/admin/api/sessions/unknownsessionidaaaaaaaaaaa`, admin)).status).toBe(404);
  });
});
