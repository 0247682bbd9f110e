// Upload routes: `POST /api/sessions/:id/uploads` (multipart, one field `file`) and the owner's download.

import { Hono } from "hono";
import { getConfig } from "../../config/load";
import { uploadKey } from "../../objects/session/storage/keys";
import { storeUpload } from "../../objects/session/uploads/store-upload";
import { AppError } from "../../protocol/errors";
import { type Attachment, isInlineImage } from "../../protocol/uploads";
import { sessionStub } from "../sessions";
import type { SessionEnv } from "./session-scope";
import { readMultipartFile } from "./upload-body";

/**
 * Stores an upload of a session whose ownership the caller has checked: the one entry point for the HTTP
 * route and for channels (Telegram photos). Throws `upload_too_large` or `unsupported_media_type`.
 */
export function storeSessionUpload(
  env: Env,
  sessionId: string,
  bytes: Uint8Array,
  name: string,
  claimedMime?: string,
): Promise<Attachment> {
  const target = { bucket: env.FILES, session: sessionStub(env, sessionId), limits: getConfig(env).uploads };
  return storeUpload(target, sessionId, bytes, name, claimedMime);
}

/** A `filename` pair for Content-Disposition: an ASCII fallback and the UTF-8 name. */
const filenameParams = (name: string) =>
  `filename="${name.replace(/[^\w.-]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/** Mounted by the session's routes, behind the session scope (which resolved the caller's session). */
export function uploadRoutes(): Hono<SessionEnv> {
  const routes = new Hono<SessionEnv>();

  routes.post("/sessions/:id/uploads", async (c) => {
    const { entry } = c.var.session;
    const file = await readMultipartFile(c.req.raw, c.var.config.uploads.maxBytes);
    const record = await storeSessionUpload(c.env, entry.id, file.bytes, file.name, file.type);
    return c.json(record satisfies Attachment, 201);
  });

  routes.get("/sessions/:id/uploads/:upload", async (c) => {
    const { entry } = c.var.session;
    const record = await sessionStub(c.env, entry.id).getUpload(c.req.param("upload"));
    const object = record ? await c.env.FILES.get(uploadKey(entry.id, record.id)) : null;
    if (!record || !object) throw new AppError("upload_not_found", "no such upload in this session");
    // Images are shown inline (thumbnails); everything else downloads. Never rendered as our page either way.
    const disposition = isInlineImage(record.mime) ? "inline" : "attachment";
    return new Response(object.body, {
      headers: {
        "content-type": record.mime,
        "content-length": String(object.size),
        etag: object.httpEtag,
        "content-disposition": `${disposition}; ${filenameParams(record.name)}`,
        "content-security-policy": "sandbox; default-src 'none'",
        "x-content-type-options": "nosniff",
        "cache-control": "private, max-age=3600",
      },
    });
  });
  return routes;
}
