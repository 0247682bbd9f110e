// The sandboxed tools through the whole path: model → session → local sandbox host (bubblewrap) → devices.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Script } from "../../../devtools/demo-model/scripts";
import { api, createSession, join, login, type TestSocket } from "../../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));
const script = (value: Script) => fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify(value) });
const tag = () => `t-${crypto.randomUUID()}`;
const call = (id: string, name: string, args: Record<string, unknown>) => ({ id, name, args: JSON.stringify(args) });

async function session(
  policy: "ask" | "auto" | "deny",
  devices = 1,
): Promise<{ id: string; token: string; sockets: TestSocket[] }> {
  const token = await login(`tools-${crypto.randomUUID()}@example.com`);
  const id = await createSession(token);
  const patch = await api(`/api/sessions/${id}`, token, {
    method: "PATCH",
    body: JSON.stringify({ execPolicy: policy }),
  });
  expect(patch.status).toBe(200);
  const sockets = await Promise.all(Array.from({ length: devices }, () => join(id, token)));
  return { id, token, sockets };
}

describe("sandboxed tools", () => {
  it("runs a command whose output reaches the model and every device, with no worker secret inside", async () => {
    const t = tag();
    await script({
      match: t,
      steps: [
        { kind: "tools", calls: [call("c1", "exec", { command: "echo hello from the sandbox; env" })] },
        { kind: "text", chunks: ["done"] },
      ],
    });
    const { sockets } = await session("auto", 2);
    const [a, b] = sockets as [TestSocket, TestSocket];
    a.send({ type: "user_message", id: "1", text: `run it ${t}` });
    await Promise.all([a.settle(), b.settle()]);
    const output = b
      .of("tool_output")
      .map((o) => o.text)
      .join("");
    expect(output).toContain("hello from the sandbox");
    expect(output).not.toContain("sk-test-worker-secret");
    const result = a.of("tool_result")[0];
    expect(result).toMatchObject({ toolCallId: "c1", ok: true, exitCode: 0, truncated: false });
    expect(result?.output).toContain("hello from the sandbox");
    expect(b.events()).toEqual(a.events());
  });

  it("writes, edits, reads and lists files, refusing paths that leave the workspace", async () => {
    const t = tag();
    await script({
      match: t,
      steps: [
        {
          kind: "tools",
          calls: [
            call("w", "write_file", { path: "notes/todo.md", content: "buy milk\nbuy bread\n" }),
            call("e1", "edit_file", { path: "notes/todo.md", old_text: "buy", new_text: "get" }),
            call("e2", "edit_file", { path: "notes/todo.md", old_text: "milk", new_text: "oat milk" }),
            call("r", "read_file", { path: "notes/todo.md" }),
            call("l", "list_files", { path: "notes" }),
            call("x", "read_file", { path: "../../etc/passwd" }),
            call("y", "write_file", { path: "/etc/evil", content: "x" }),
          ],
        },
        { kind: "text", chunks: ["ok"] },
      ],
    });
    const { sockets } = await session("auto");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `files ${t}` });
    await a.settle();
    const results = Object.fromEntries(a.of("tool_result").map((r) => [r.toolCallId, r]));
    expect(results.w?.ok).toBe(true);
    expect(results.e1).toMatchObject({ ok: false });
    expect(results.e1?.output).toContain("2 times");
    expect(results.e2?.ok).toBe(true);
    expect(results.r?.output).toBe("buy oat milk\nbuy bread\n");
    expect(results.l?.output).toContain("todo.md");
    expect(results.x?.output).toContain("path_outside_workspace");
    expect(results.y?.output).toContain("path_outside_workspace");
  });

  it("asks for approval: the first decision of any device wins; a denial and a timeout refuse", async () => {
    const t = tag();
    const approve = { kind: "tools" as const, calls: [call("ok1", "exec", { command: "echo approved" })] };
    const deny = { kind: "tools" as const, calls: [call("no1", "exec", { command: "echo denied" })] };
    const wait = { kind: "tools" as const, calls: [call("late1", "exec", { command: "echo late" })] };
    await script({ match: `${t}-a`, steps: [approve, { kind: "text", chunks: ["ran"] }] });
    await script({ match: `${t}-d`, steps: [deny, { kind: "text", chunks: ["refused"] }] });
    await script({ match: `${t}-w`, steps: [wait, { kind: "text", chunks: ["timed out"] }] });
    const { sockets } = await session("ask", 2);
    const [a, b] = sockets as [TestSocket, TestSocket];

    a.send({ type: "user_message", id: "1", text: `go ${t}-a` });
    const [request] = await b.waitFor("approval_request");
    expect(request).toMatchObject({ toolCallId: "ok1", name: "exec" });
    b.send({ type: "tool_decision", toolCallId: "ok1", approve: true });
    a.send({ type: "tool_decision", toolCallId: "ok1", approve: false });
    await a.until(() => a.of("turn_end").length === 1);
    expect(a.of("tool_result")[0]).toMatchObject({ toolCallId: "ok1", ok: true });
    expect((await a.waitFor("error")).some((e) => e.code === "not_found")).toBe(true);

    a.send({ type: "user_message", id: "2", text: `go ${t}-d` });
    await a.until(() => a.of("approval_request").length === 2);
    a.send({ type: "tool_decision", toolCallId: "no1", approve: false });
    await a.until(() => a.of("turn_end").length === 2);
    expect(a.of("tool_result")[1]).toMatchObject({
      toolCallId: "no1",
      ok: false,
      output: "the user did not approve this call",
    });

    a.send({ type: "user_message", id: "3", text: `go ${t}-w` });
    await a.until(() => a.of("turn_end").length === 3);
    expect(a.of("tool_result")[2]).toMatchObject({ toolCallId: "late1", ok: false });
    expect(a.of("tool_output").some((o) => o.text.includes("late") || o.text.includes("denied"))).toBe(false);
  });

  it("cancel kills the running command", async () => {
    const t = tag();
    await script({
      match: t,
      steps: [{ kind: "tools", calls: [call("s", "exec", { command: "echo started; sleep 30; echo finished" })] }],
    });
    const { sockets } = await session("auto");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `slow ${t}` });
    await a.until(() => a.of("tool_output").some((o) => o.text.includes("started")));
    a.send({ type: "cancel" });
    await a.until(() => a.of("turn_end").length === 1);
    // Killed, not waited for: the command never printed its second line (it would after its 30 s sleep).
    expect(a.of("turn_end")[0]?.reason).toBe("cancelled");
    expect(a.of("tool_output").some((o) => o.text.includes("finished"))).toBe(false);
  });

  it("offers no exec under the deny policy", async () => {
    const t = tag();
    await script({
      match: t,
      steps: [
        { kind: "tools", calls: [call("d", "exec", { command: "echo nope" })] },
        { kind: "text", chunks: ["ok"] },
      ],
    });
    const { sockets } = await session("deny");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `try ${t}` });
    await a.settle();
    expect(a.of("tool_result")[0]).toMatchObject({ ok: false, output: 'unknown tool "exec"' });
    expect(a.of("approval_request")).toEqual([]);
  });
});
