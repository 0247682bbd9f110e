// Artifacts and snapshots of a session: listing and downloading from R2, snapshot, restore, transcript export.

import { Hono } from "hono";
import { artifactKey, artifactsPrefix } from "../../objects/session/storage/keys";
import type { Artifact, ArtifactList, ExportResult, SnapshotList } from "../../protocol/api";
import { isArtifactName } from "../../protocol/artifact-name";
import { AppError } from "../../protocol/errors";
import { sessionStub } from "../sessions";
import { limitHeavyRoute } from "./heavy-routes";
import type { SessionEnv } from "./session-scope";

/** The artifact name from the request path; a malformed percent-escape is the client's error. */
function artifactName(path: string, marker: string): string {
  try {
    return decodeURIComponent(path.slice(path.indexOf(marker) + marker.length));
  } catch {
    throw new AppError("bad_request", "the artifact path has a malformed percent-escape");
  }
}

function outcome<T>(result: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (result.ok) return result.value;
  const code =
    result.code === "snapshot_not_found" ||
    result.code === "snapshot_corrupt" ||
    result.code === "bad_archive" ||
    result.code === "sandbox_busy" ||
    result.code === "workspace_full" ||
    result.code === "sandbox_unavailable"
      ? result.code
      : "storage_unavailable";
  throw new AppError(code, result.message);
}

/** Artifact reads are open to an admin too (the session scope audits them); the rest is the owner's. */
export function fileRoutes(): Hono<SessionEnv> {
  const files = new Hono<SessionEnv>();

  files.get("/sessions/:id/artifacts", async (c) => {
    const { entry } = c.var.session;
    const prefix = artifactsPrefix(entry.id);
    const artifacts: Artifact[] = [];
    let cursor: string | undefined;
    do {
      const page = await c.env.FILES.list({ prefix, include: ["httpMetadata"], ...(cursor ? { cursor } : {}) });
      for (const o of page.objects) {
        artifacts.push({
          name: o.key.slice(prefix.length),
          size: o.size,
          uploaded: o.uploaded.toISOString(),
          contentType: o.httpMetadata?.contentType ?? null,
        });
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return c.json({ artifacts } satisfies ArtifactList);
  });

  files.get("/sessions/:id/artifacts/*", async (c) => {
    const marker = `/sessions/${c.req.param("id")}/artifacts/`;
    const name = artifactName(new URL(c.req.url).pathname, marker);
    const { entry } = c.var.session;
    if (!isArtifactName(name)) throw new AppError("artifact_not_found", "no such artifact");
    const object = await c.env.FILES.get(artifactKey(entry.id, name));
    if (!object) throw new AppError("artifact_not_found", "no such artifact");
    const filename = name.split("/").pop() ?? "artifact";
    const headers = new Headers({
      "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
      "content-length": String(object.size),
      etag: object.httpEtag,
      // Downloaded, never rendered in our origin: uploaded HTML or SVG cannot run here.
      "content-disposition": `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      "content-security-policy": "sandbox; default-src 'none'",
      "x-content-type-options": "nosniff",
      "cache-control": "private, no-store",
    });
    return new Response(object.body, { headers });
  });

  files.post("/sessions/:id/snapshots", async (c) => {
    const { entry } = c.var.session;
    await limitHeavyRoute(c.env, c.var.auth.identity.user, "snapshot");
    return c.json(outcome(await sessionStub(c.env, entry.id).snapshot()), 201);
  });

  files.get("/sessions/:id/snapshots", async (c) => {
    const { entry } = c.var.session;
    return c.json({ snapshots: await sessionStub(c.env, entry.id).listSnapshots() } satisfies SnapshotList);
  });

  files.post("/sessions/:id/snapshots/:snap/restore", async (c) => {
    const { entry } = c.var.session;
    await limitHeavyRoute(c.env, c.var.auth.identity.user, "snapshot");
    return c.json(outcome(await sessionStub(c.env, entry.id).restoreSnapshot(c.req.param("snap"))));
  });

  files.post("/sessions/:id/exports", async (c) => {
    const { entry } = c.var.session;
    await limitHeavyRoute(c.env, c.var.auth.identity.user, "export");
    return c.json({ artifacts: await sessionStub(c.env, entry.id).exportTranscript() } satisfies ExportResult, 201);
  });
  return files;
}
