// Attachment previews: a thumbnail for images, an icon with name and size otherwise; in the composer (with
// upload progress) and in the transcript (linked to the upload), and artifact images the agent saved.

import type { Attachment } from "../../../protocol/uploads";
import { isInlineImage } from "../../../protocol/uploads";
import { formatSize, uploadUrl } from "../uploads";

/** A file being attached in the composer: uploading, uploaded, or failed. */
export interface PendingFile {
  key: string;
  name: string;
  size: number;
  /** A data: URL preview of an image, before and after the upload. */
  preview: string | null;
  /** 0..1 while uploading. */
  progress: number;
  attachment: Attachment | null;
  error: string | null;
}

function FileIcon({ name, size, mime }: { name: string; size: number; mime?: string }) {
  const ext = (name.split(".").pop() ?? "").slice(0, 4).toUpperCase();
  return (
    <span class="file-icon" title={mime ?? name}>
      <span class="ext" aria-hidden="true">
        {ext || "FILE"}
      </span>
      <span class="file-name">{name}</span>
      <span class="meta">{formatSize(size)}</span>
    </span>
  );
}

/** The composer's attached files, each removable, with progress or error. */
export function PendingFiles({ files, remove }: { files: PendingFile[]; remove(key: string): void }) {
  if (files.length === 0) return null;
  return (
    <ul class="pending-files" aria-label="Attached files">
      {files.map((f) => (
        <li key={f.key} class={`attachment${f.error ? " failed" : ""}`} aria-label={`Attachment ${f.name}`}>
          {f.preview ? <img class="thumb" src={f.preview} alt={f.name} /> : <FileIcon name={f.name} size={f.size} />}
          {f.error ? (
            <span class="meta error" role="alert">
              {f.error}
            </span>
          ) : f.attachment ? null : (
            <progress max={1} value={f.progress} aria-label={`Uploading ${f.name}`} />
          )}
          <button type="button" class="icon remove" aria-label={`Remove ${f.name}`} onClick={() => remove(f.key)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The attachments of a sent message, as every device shows them. */
export function MessageAttachments({ sessionId, attachments }: { sessionId: string; attachments: Attachment[] }) {
  return (
    <ul class="message-attachments" aria-label="Attachments">
      {attachments.map((a) => (
        <li key={a.id} class="attachment">
          <a
            href={uploadUrl(sessionId, a.id)}
            target="_blank"
            rel="noopener noreferrer"
            title={`${a.name} (${a.mime})`}
          >
            {isInlineImage(a.mime) ? (
              <img class="thumb" src={uploadUrl(sessionId, a.id)} alt={a.name} loading="lazy" />
            ) : (
              <FileIcon name={a.name} size={a.size} mime={a.mime} />
            )}
          </a>
        </li>
      ))}
    </ul>
  );
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g|gif|webp)$/i;

/** An image artifact the agent saved, shown inline (served as a download with a sandbox CSP; an <img> still shows it). */
export function ArtifactImage({ sessionId, name }: { sessionId: string; name: string }) {
  if (!IMAGE_EXTENSIONS.test(name)) return null;
  const src = `/api/sessions/${encodeURIComponent(sessionId)}/artifacts/${name.split("/").map(encodeURIComponent).join("/")}`;
  return <img class="artifact-image" src={src} alt={`Artifact ${name}`} loading="lazy" />;
}
