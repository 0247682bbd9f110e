// The local sandbox host: an HTTP API on loopback, behind a shared secret, over per-session workspaces. It
// runs as root but does no file work on a path a sandboxed process can change: every file operation, archive,
// extraction and cleanup runs through the runner inside bubblewrap as the sandbox user (see jail.ts).

import { spawnSync } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import { chmod, chown, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { type ExecRequest, SANDBOX_ID, SandboxError } from "../types.ts";
import { removeTree, restoreArchive, streamArchive } from "./archive.ts";
import { runCommand, validateExec } from "./exec.ts";
import { bwrapAvailable, RUNNER_PATH } from "./jail.ts";
import { DEFAULT_LIMITS, type Limits, MAX_ARCHIVE_BYTES, SANDBOX_GID, SANDBOX_UID } from "./limits.ts";
import { seccompProgram, seccompSupported } from "./seccomp.ts";
import { WorkspaceActivity } from "./workspace-activity.ts";
import { fileOps } from "./workspace-files.ts";

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
  sandbox_busy: 409,
  file_too_large: 413,
  bad_archive: 422,
  checksum_mismatch: 422,
  workspace_full: 507,
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

/** The session's workspace folder, made if missing; its parent is the root-owned sandbox root. */
async function workspaceOf(root: string, id: string): Promise<string> {
  if (!SANDBOX_ID.test(id)) throw new SandboxError("bad_request", "invalid session id");
  const dir = join(root, id);
  await mkdir(dir, { recursive: true });
  await chown(dir, SANDBOX_UID, SANDBOX_GID);
  return dir;
}

interface Settings {
  allowNetwork: boolean;
  limits: Limits;
  seccompFile: string | null;
  runner: string;
}

async function exec(req: IncomingMessage, res: ServerResponse, workspace: string, settings: Settings) {
  if (!bwrapAvailable()) throw new SandboxError("sandbox_unavailable", INSTALL_HINT);
  const request: ExecRequest & { network?: boolean } = JSON.parse((await body(req, 1024 * 1024)).toString("utf8"));
  validateExec(request, settings.limits);
  if (request.network && !settings.allowNetwork)
    throw new SandboxError("bad_request", "this host does not allow network access");
  const jail = { limits: settings.limits, seccompFile: settings.seccompFile, runner: settings.runner };
  if ((request.cwd ?? ".") !== ".") await fileOps(jail, workspace).checkDir(request.cwd ?? ".");
  const abort = new AbortController();
  res.once("close", () => abort.abort());
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  const result = await runCommand(request, {
    workspace,
    limits: settings.limits,
    network: request.network === true,
    seccompFile: settings.seccompFile,
    runner: settings.runner,
    signal: abort.signal,
    onOutput: (stream, data) => res.write(`${JSON.stringify({ type: stream, data })}\n`),
  });
  const { stdout: _out, stderr: _err, ...summary } = result;
  res.end(`${JSON.stringify({ type: "exit", ...summary })}\n`);
}

/** Prepares the root: traversable by the sandbox user, a root-only folder for the filter and incoming archives. */
async function prepareRoot(root: string): Promise<{ seccompFile: string | null; incoming: string }> {
  await mkdir(root, { recursive: true });
  await chmod(root, 0o711);
  const private_ = join(root, ".host");
  await mkdir(private_, { recursive: true, mode: 0o711 });
  await chmod(private_, 0o711);
  let seccompFile: string | null = null;
  if (seccompSupported()) {
    seccompFile = join(private_, "seccomp.bpf");
    await writeFile(seccompFile, seccompProgram(), { mode: 0o600 });
  } else console.warn(`sandbox: no seccomp filter for ${process.arch}; commands run without one`);
  return { seccompFile, incoming: private_ };
}

export async function startSandboxHost(options: HostOptions): Promise<SandboxHost> {
  const { seccompFile, incoming } = await prepareRoot(options.root);
  const settings: Settings = {
    allowNetwork: options.allowNetwork ?? false,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    seccompFile,
    runner: await readFile(RUNNER_PATH, "utf8"),
  };
  const jail = { limits: settings.limits, seccompFile, runner: settings.runner };
  const activity = new WorkspaceActivity();
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
      if (!SANDBOX_ID.test(id)) throw new SandboxError("bad_request", "invalid session id");
      if (!action && req.method === "DELETE") {
        await activity.exclusive(id, "delete", { killRunning: true }, async () => {
          await removeTree(jail, await workspaceOf(options.root, id));
        });
        return json(res, 200, { deleted: id });
      }
      const workspace = await workspaceOf(options.root, id);
      const path = url.searchParams.get("path") ?? ".";
      const ops = fileOps(jail, workspace);
      if (action === "exec" && req.method === "POST") {
        return await activity.shared(id, "command", (signal) => {
          signal.addEventListener("abort", () => res.destroy(), { once: true });
          return exec(req, res, workspace, settings);
        });
      }
      if (action === "files") {
        return await activity.shared(id, "file", async () => {
          if (req.method === "GET") return ops.read(path, res);
          if (req.method === "PUT") return json(res, 200, await ops.write(path, req));
          if (req.method === "DELETE") return json(res, 200, await ops.remove(path));
          throw new SandboxError("bad_request", "use GET, PUT or DELETE");
        });
      }
      if (action === "list") return await activity.shared(id, "file", async () => json(res, 200, await ops.list(path)));
      if (action === "archive" && req.method === "POST")
        return await activity.shared(id, "file", () => streamArchive(jail, workspace, res));
      if (action === "restore" && req.method === "POST") {
        const sha256 = req.headers["x-archive-sha256"];
        await activity.exclusive(id, "restore", { killRunning: false }, () =>
          restoreArchive(jail, workspace, {
            body: req,
            maxBytes: MAX_ARCHIVE_BYTES,
            sha256: typeof sha256 === "string" ? sha256 : null,
            incoming,
          }),
        );
        return json(res, 200, { restored: id });
      }
      throw new SandboxError("bad_request", "unknown route");
    } catch (error) {
      fail(res, error instanceof SyntaxError ? new SandboxError("bad_request", "the body is not valid JSON") : error);
    }
  });
  // A restore's body streams for as long as a large archive takes: no whole-request deadline. Idle
  // keep-alive sockets stay open long enough that the Worker never sends a streamed body into one the
  // host is closing (that body could not be retried).
  server.requestTimeout = 0;
  server.keepAliveTimeout = 10 * 60_000;
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
