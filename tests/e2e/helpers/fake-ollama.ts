// A fake Ollama on loopback, as strict as Ollama's OpenAI-compatible API: its model list, and chat completions that
// refuse malformed bodies, unknown models and unknown paths the way Ollama does.

import { createServer, type IncomingMessage, type Server } from "node:http";

export interface FakeOllama {
  url: string;
  /** The bodies of the chat completions it answered. */
  chats: Record<string, unknown>[];
  close(): Promise<void>;
}

/** The models it has "pulled"; an embedding model first, as `ollama list` may show. */
export const OLLAMA_MODELS = ["nomic-embed-text:latest", "llama3.2:1b"];
/** What it answers to every chat. */
export const OLLAMA_REPLY = "Hello from the local Ollama model.";

const ROLES = new Set(["system", "user", "assistant", "tool"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: unknown): unknown {
  try {
    return JSON.parse(String(text));
  } catch {
    return undefined;
  }
}

/** Why Ollama would refuse this chat body, or null. */
function problemOf(body: unknown): { status: number; message: string } | null {
  if (!isRecord(body)) return { status: 400, message: "invalid request body" };
  if (typeof body.model !== "string" || body.model === "") return { status: 400, message: "model is required" };
  if (!OLLAMA_MODELS.includes(body.model))
    return { status: 404, message: `model "${body.model}" not found, try pulling it first` };
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return { status: 400, message: "messages is required" };
  for (const message of body.messages) {
    if (!isRecord(message) || typeof message.role !== "string" || !ROLES.has(message.role))
      return { status: 400, message: "invalid message role" };
    const content = message.content;
    if (content !== null && content !== undefined && typeof content !== "string" && !Array.isArray(content))
      return { status: 400, message: "invalid message content type" };
    // Ollama parses every call's arguments into an object (openai.go, FromChatRequest).
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      const args = isRecord(call) && isRecord(call.function) ? call.function.arguments : undefined;
      if (!isRecord(parseJson(args))) return { status: 400, message: "invalid tool call arguments" };
    }
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return { status: 400, message: "tools must be an array" };
    for (const tool of body.tools)
      if (!isRecord(tool) || tool.type !== "function" || !isRecord(tool.function) || !tool.function.name)
        return { status: 400, message: "invalid tool definition" };
  }
  return null;
}

function chunk(model: string, delta: Record<string, unknown>, finish: string | null): string {
  const choices = [{ index: 0, delta, finish_reason: finish }];
  return JSON.stringify({
    id: "chatcmpl-42",
    object: "chat.completion.chunk",
    created: 1,
    model,
    system_fingerprint: "fp_ollama",
    choices,
  });
}

/** Listens on 127.0.0.1:`port`; a taken port fails with a message saying what to do. */
export async function startFakeOllama(port = 11434): Promise<FakeOllama> {
  const chats: Record<string, unknown>[] = [];
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const raw = await readBody(req);
    if (req.method === "GET" && path === "/v1/models") {
      const data = OLLAMA_MODELS.map((id) => ({ id, object: "model", created: 1, owned_by: "library" }));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data }));
      return;
    }
    if (req.method === "GET" && path === "/api/tags") {
      const models = OLLAMA_MODELS.map((name) => ({ name, model: name, size: 1, digest: "0" }));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ models }));
      return;
    }
    if (req.method !== "POST" || path !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "invalid character in body", type: "invalid_request_error" } }));
      return;
    }
    const problem = problemOf(body);
    if (problem !== null || !isRecord(body)) {
      res.writeHead(problem?.status ?? 400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: problem?.message, type: "api_error", param: null, code: null } }));
      return;
    }
    chats.push(body);
    const model = String(body.model);
    if (body.stream !== true) {
      const message = { role: "assistant", content: OLLAMA_REPLY };
      const choices = [{ index: 0, message, finish_reason: "stop" }];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "chatcmpl-42", object: "chat.completion", model, choices }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const word of OLLAMA_REPLY.split(/(?<= )/))
      res.write(`data: ${chunk(model, { role: "assistant", content: word }, null)}\n\n`);
    res.write(`data: ${chunk(model, { role: "assistant", content: "" }, "stop")}\n\n`);
    const options = isRecord(body.stream_options) ? body.stream_options : {};
    if (options.include_usage === true) {
      const usage = { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 };
      res.write(
        `data: ${JSON.stringify({ id: "chatcmpl-42", object: "chat.completion.chunk", model, choices: [], usage })}\n\n`,
      );
    }
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${port} is taken (is Ollama running?): stop whatever listens there to run this test`)
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    chats,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
