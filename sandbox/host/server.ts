// The local sandbox host: an HTTP API on loopback, behind a shared secret, over per-session workspaces.

import { spawnSync } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import { chmod, chown, lstat, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { type ExecRequest, SANDBOX_ID, SandboxError } from "../types.ts";
import { createArchive, restoreArchive } from "./archive.ts";
import { bwrapAvailable, runCommand, validateExec } from "./exec.ts";
import {
  DEFAULT_LIMITS,
  type Limits,
  MAX_API_FILE_BYTES,
  MAX_ARCHIVE_BYTES,
  SANDBOX_GID,
  SANDBOX_UID,
} from "./limits.ts";
import { confine } from "./paths.ts";

export interface HostOptions {
  port: number;
  secret: string;
  root: string;
  limits?: Partial<Limits>;
  /** Whether a request may ask for the network (off by default). */
  allowNetwork?: boolean;
}

export interface SandboxHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

const STATUS: Record<string, number> = {
  bad_request: 400,
  unauthorized: 401,
  path_outside_workspace: 403,
  file_not_found: 404,
  file_too_large: 413,
  bad_archive: 422,
  sandbox_unavailable: 503,
  sandbox_error: 500,
};

const INSTALL_HINT =
  "bubblewrap is not installed: run `apt-get install -y bubblewrap` (commands are refused without it)";

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function fail(res: ServerResponse, error: unknown): void {
  const e = error instanceof SandboxError ? error : new SandboxError("sandbox_error", String(error));
  if (!res.headersSent) json(res, STATUS[e.code] ?? 500, { error: { code: e.code, message: e.message } });
  else res.end();
}

async function body(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > max) throw new SandboxError("file_too_large", `the body is over ${max} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function authorised(req: IncomingMessage, secret: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? "");
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function workspaceOf(root: string, id: string): Promise<string> {
  if (!SANDBOX_ID.test(id)) throw new SandboxError("bad_request", "invalid session id");
  const dir = join(root, id);
  await mkdir(dir, { recursive: true });
  await chown(dir, SANDBOX_UID, SANDBOX_GID);
  return dir;
}

interface ExecSettings {
  allowNetwork: boolean;
  limits: Limits;
}

async function exec(req: IncomingMessage, res: ServerResponse, workspace: string, options: ExecSettings) {
  if (!bwrapAvailable()) throw new SandboxError("sandbox_unavailable", INSTALL_HINT);
  const request: ExecRequest & { network?: boolean } = JSON.parse((await body(req, 1024 * 1024)).toString("utf8"));
  validateExec(request, options.limits);
  if (request.network && !options.allowNetwork)
    throw new SandboxError("bad_request", "this host does not allow network access");
  const host = await confine(workspace, request.cwd ?? ".", true);
  const cwd = `/workspace${host.slice(workspace.length)}` || "/workspace";
  const abort = new AbortController();
  res.once("close", () => abort.abort());
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  const result = await runCommand(
    request,
    {
      workspace,
      limits: options.limits,
      network: request.network === true,
      signal: abort.signal,
      onOutput: (stream, data) => res.write(`${JSON.stringify({ type: stream, data })}\n`),
    },
    cwd,
  );
  const { stdout: _out, stderr: _err, ...summary } = result;
  res.end(`${JSON.stringify({ type: "exit", ...summary })}\n`);
}

async function files(req: IncomingMessage, res: ServerResponse, workspace: string, path: string) {
  if (req.method === "GET") {
    const target = await confine(workspace, path, true);
    const info = await stat(target);
    if (!info.isFile()) throw new SandboxError("bad_request", `not a file: ${path}`);
    if (info.size > MAX_API_FILE_BYTES)
      throw new SandboxError("file_too_large", `the file is over ${MAX_API_FILE_BYTES} bytes`);
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(await readFile(target));
  } else if (req.method === "PUT") {
    const content = await body(req, MAX_API_FILE_BYTES);
    await makeParents(workspace, path);
    const target = await confine(workspace, path, false);
    await writeFile(target, content, { flag: "w" });
    await chown(target, SANDBOX_UID, SANDBOX_GID);
    json(res, 200, { path, size: content.length });
  } else if (req.method === "DELETE") {
    const target = await confine(workspace, path, true);
    await rm(target, { recursive: true, force: true });
    json(res, 200, { path });
  } else throw new SandboxError("bad_request", "use GET, PUT or DELETE");
}

/** Creates the missing directories of `path`, each confined and owned by the sandbox user. */
async function makeParents(workspace: string, path: string): Promise<void> {
  const parts = dirname(path)
    .split("/")
    .filter((p) => p !== "" && p !== ".");
  for (let i = 1; i <= parts.length; i++) {
    const dir = await confine(workspace, parts.slice(0, i).join("/"), false);
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
    await chown(dir, SANDBOX_UID, SANDBOX_GID);
  }
}

async function list(res: ServerResponse, workspace: string, path: string) {
  const target = await confine(workspace, path, true);
  const entries = await readdir(target, { withFileTypes: true });
  const out = await Promise.all(
    entries.map(async (e) => {
      const info = await lstat(join(target, e.name));
      const type = e.isSymbolicLink() ? "symlink" : e.isDirectory() ? "dir" : e.isFile() ? "file" : "other";
      return { name: e.name, type, size: info.size };
    }),
  );
  json(res, 200, { entries: out.sort((a, b) => a.name.localeCompare(b.name)) });
}

export async function startSandboxHost(options: HostOptions): Promise<SandboxHost> {
  const settings: ExecSettings = {
    allowNetwork: options.allowNetwork ?? false,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
  await mkdir(options.root, { recursive: true });
  // The unprivileged sandbox user must be able to pass through the root to its own workspace.
  await chmod(options.root, 0o711);
  const reachable = spawnSync("setpriv", [
    `--reuid=${SANDBOX_UID}`,
    `--regid=${SANDBOX_GID}`,
    "--clear-groups",
    "test",
    "-x",
    options.root,
  ]);
  if (reachable.status !== 0) {
    console.warn(
      `sandbox: uid ${SANDBOX_UID} cannot reach ${options.root}; commands will fail. Put SANDBOX_ROOT under directories others can traverse (chmod o+x).`,
    );
  }
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://sandbox");
      if (url.pathname === "/health") return json(res, 200, { ok: true, bwrap: bwrapAvailable() });
      if (!authorised(req, options.secret))
        throw new SandboxError("unauthorized", "a valid sandbox secret is required");
      const match = /^\/sessions\/([^/]+)(?:\/(exec|files|list|archive|restore))?$/.exec(url.pathname);
      if (!match?.[1]) throw new SandboxError("bad_request", "unknown route");
      const [, id, action] = match;
      if (!action && req.method === "DELETE") {
        if (!SANDBOX_ID.test(id)) throw new SandboxError("bad_request", "invalid session id");
        await rm(join(options.root, id), { recursive: true, force: true });
        return json(res, 200, { deleted: id });
      }
      const workspace = await workspaceOf(options.root, id);
      const path = url.searchParams.get("path") ?? ".";
      if (action === "exec" && req.method === "POST") return await exec(req, res, workspace, settings);
      if (action === "files") return await files(req, res, workspace, path);
      if (action === "list") return await list(res, workspace, path);
      if (action === "archive" && req.method === "POST") {
        return void res.writeHead(200, { "content-type": "application/gzip" }).end(await createArchive(workspace));
      }
      if (action === "restore" && req.method === "POST") {
        await restoreArchive(workspace, await body(req, MAX_ARCHIVE_BYTES));
        return json(res, 200, { restored: id });
      }
      throw new SandboxError("bad_request", "unknown route");
    } catch (error) {
      fail(res, error instanceof SyntaxError ? new SandboxError("bad_request", "the body is not valid JSON") : error);
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
