// The user's MCP servers: add (with secret headers), authorise, test, set approvals, remove; status and tools shown.

import { useState } from "preact/hooks";
import type { McpServerCreated, McpServerView } from "../../../protocol/mcp";
import { api } from "../api";
import { useActions } from "../use-action";

function headerLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return headers;
}

/** Opens the server's authorisation page when it asks for one. */
function follow(result: McpServerCreated): string | null {
  if (result.authorizeUrl) {
    location.assign(result.authorizeUrl);
    return "opening the authorisation page…";
  }
  return `${result.name}: ${result.status}${result.statusDetail ? ` (${result.statusDetail})` : ""}`;
}

function ServerCard({ server, act }: { server: McpServerView; act: ReturnType<typeof useActions>["act"] }) {
  const base = `/api/mcp/servers/${server.id}`;
  const setApproval = (tool: string | null, mode: string) => {
    const approval = structuredClone(server.approval);
    if (tool === null) approval.default = mode === "auto" ? "auto" : "ask";
    else if (mode === "") delete approval.tools[tool];
    else if (mode === "ask" || mode === "auto" || mode === "deny") approval.tools[tool] = mode;
    return act(() => api(base, { method: "PATCH", body: JSON.stringify({ approval }) }));
  };
  return (
    <li class="mcp-server">
      <h3>
        {server.name} <span class={`status status-${server.status}`}>{server.status}</span>
      </h3>
      <p class="meta">
        {server.url} · {server.transport}
        {server.headerNames.length ? ` · headers: ${server.headerNames.join(", ")}` : ""}
        {server.authorized ? " · authorised" : ""}
      </p>
      {server.statusDetail ? <p class="meta">{server.statusDetail}</p> : null}
      <label>
        Approval{" "}
        <select value={server.approval.default} onChange={(e) => setApproval(null, e.currentTarget.value)}>
          <option value="ask">ask before each call</option>
          <option value="auto">run without asking</option>
        </select>
      </label>
      <ul>
        {server.tools.map((t) => (
          <li key={t.name}>
            <code>{t.offeredAs}</code> {t.description}{" "}
            <select
              aria-label={`Approval of ${t.name}`}
              value={server.approval.tools[t.name] ?? ""}
              onChange={(e) => setApproval(t.name, e.currentTarget.value)}
            >
              <option value="">server default</option>
              <option value="ask">ask</option>
              <option value="auto">auto</option>
              <option value="deny">never offer</option>
            </select>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => act(async () => api(`${base}/test`, { method: "POST" }))}>
        Test
      </button>
      <button
        type="button"
        onClick={() => act(async () => follow(await api<McpServerCreated>(`${base}/authorize`, { method: "POST" })))}
      >
        Authorise
      </button>
      <button type="button" onClick={() => act(() => api(base, { method: "DELETE" }), `${server.name} removed`)}>
        Remove
      </button>
    </li>
  );
}

export function McpPage() {
  const [servers, setServers] = useState<McpServerView[]>([]);
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [headers, setHeaders] = useState("");
  const { message, act } = useActions(async () => {
    setServers((await api<{ servers: McpServerView[] }>("/api/mcp/servers")).servers);
  }, null);
  const add = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      const body = { name, url, headers: headerLines(headers) };
      const created = await api<McpServerCreated>("/api/mcp/servers", { method: "POST", body: JSON.stringify(body) });
      setName("");
      setUrl("");
      setHeaders("");
      return follow(created);
    });
  };
  return (
    <main class="mcp-page">
      <p>
        <a href="/">← Chat</a>
      </p>
      <h2>MCP servers</h2>
      <p class="meta">Their tools are offered to the agent in every session, named after the server.</p>
      {message ? <p role="status">{message}</p> : null}
      <ul class="mcp-servers">
        {servers.map((s) => (
          <ServerCard key={s.id} server={s} act={act} />
        ))}
      </ul>
      <form onSubmit={add} aria-label="Add an MCP server">
        <h3>Add a server</h3>
        <input
          aria-label="Name"
          placeholder="name (letters, digits, _ -)"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <input
          aria-label="URL"
          placeholder="https://example.com/mcp"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
        <textarea
          aria-label="Headers"
          placeholder={"Headers, one a line (kept encrypted, never shown again)\nAuthorization: Bearer …"}
          value={headers}
          onInput={(e) => setHeaders(e.currentTarget.value)}
        />
        <button type="submit" class="primary">
          Add
        </button>
      </form>
    </main>
  );
}
