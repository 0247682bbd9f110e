// R2 key layout of a session: everything under `sessions/<id>/`, so deleting a session is one prefix.

export const sessionPrefix = (sessionId: string) => `sessions/${sessionId}/`;
export const snapshotsPrefix = (sessionId: string) => `${sessionPrefix(sessionId)}snapshots/`;
export const snapshotArchiveKey = (sessionId: string, snapshotId: string) =>
  `${snapshotsPrefix(sessionId)}${snapshotId}/archive.tgz`;
/** Written last: a snapshot without its manifest is incomplete and never listed. */
export const snapshotManifestKey = (sessionId: string, snapshotId: string) =>
  `${snapshotsPrefix(sessionId)}${snapshotId}/manifest.json`;
export const artifactsPrefix = (sessionId: string) => `${sessionPrefix(sessionId)}artifacts/`;
export const artifactKey = (sessionId: string, name: string) => `${artifactsPrefix(sessionId)}${name}`;
export const uploadsPrefix = (sessionId: string) => `${sessionPrefix(sessionId)}uploads/`;
export const uploadKey = (sessionId: string, uploadId: string) => `${uploadsPrefix(sessionId)}${uploadId}`;

/** Artifact names: relative, no `..`, printable, at most 256 characters. */
export function isArtifactName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 256 &&
    !name.startsWith("/") &&
    !name.split("/").some((part) => part === "" || part === "." || part === "..") &&
    ![...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f || ch === "\\")
  );
}

/** Deletes every object under a prefix, a page at a time. */
export async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    const keys = page.objects.map((o) => o.key);
    if (keys.length > 0) await bucket.delete(keys);
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}
