// Uploads a file into a session with progress (XHR reports upload progress; fetch does not), errors as ApiError.

import type { Attachment } from "../../protocol/uploads";
import { ApiError } from "./api";

/** The URL of an upload's bytes (images are served inline: thumbnails). */
export const uploadUrl = (sessionId: string, uploadId: string) =>
  `/api/sessions/${encodeURIComponent(sessionId)}/uploads/${encodeURIComponent(uploadId)}`;

/** Sends one file as `multipart/form-data` field `file`; `onProgress` gets 0..1 as the bytes go out. */
export function uploadFile(sessionId: string, file: File, onProgress: (share: number) => void): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/sessions/${encodeURIComponent(sessionId)}/uploads`);
    xhr.withCredentials = true;
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body: unknown = xhr.response;
      if (xhr.status === 201) {
        onProgress(1);
        resolve(body as Attachment);
        return;
      }
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      reject(new ApiError(xhr.status, error?.code ?? "error", error?.message ?? `upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new ApiError(0, "network_error", "the upload could not reach the server"));
    const form = new FormData();
    form.append("file", file, file.name || "pasted");
    xhr.send(form);
  });
}

/** A data: URL of an image file for a preview before it is uploaded (the page's CSP allows data: images). */
export function previewOf(file: File): Promise<string | null> {
  if (!file.type.startsWith("image/") || file.size > 10 * 1024 * 1024) return Promise.resolve(null);
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : null);
    reader.onerror = () => resolve(null);
    reader.readAsDataURL(file);
  });
}

/** A size for people: 812 B, 12.3 KB, 4.1 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
