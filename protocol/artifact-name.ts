// Which artifact names a session accepts: the tool that keeps a file and the download route check the same rule.

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
