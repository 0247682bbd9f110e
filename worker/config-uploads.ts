// Upload configuration: size and count limits, how many turns re-send their images, when unreferenced uploads go.

export const UPLOAD_VARIABLES = [
  "UPLOAD_MAX_BYTES",
  "UPLOAD_MAX_FILES",
  "UPLOAD_IMAGE_TURNS",
  "UPLOAD_UNREFERENCED_HOURS",
] as const;
export type UploadVars = Partial<Record<(typeof UPLOAD_VARIABLES)[number], string>>;

/** Largest UPLOAD_MAX_BYTES: every upload must fit the sandbox's file writes (32 MiB). */
export const MAX_UPLOAD_BYTES_CEILING = 32 * 1024 * 1024;

export interface UploadConfig {
  /** Largest upload in bytes (UPLOAD_MAX_BYTES, default 20 MiB). */
  maxBytes: number;
  /** Most attachments one message may carry (UPLOAD_MAX_FILES, default 10). */
  maxFiles: number;
  /** Images of the newest this many user messages go to the model as images; older ones by description (UPLOAD_IMAGE_TURNS, default 3). */
  imageTurns: number;
  /** An upload no message listed is removed after this long (UPLOAD_UNREFERENCED_HOURS, default 24). */
  unreferencedMs: number;
}

export class UploadConfigError extends Error {}

function integer(variable: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UploadConfigError(`configuration error: ${variable} must be an integer from ${min} to ${max}`);
  return n;
}

export function parseUploads(vars: UploadVars): UploadConfig {
  return {
    maxBytes: integer("UPLOAD_MAX_BYTES", vars.UPLOAD_MAX_BYTES, 20 * 1024 * 1024, 1, MAX_UPLOAD_BYTES_CEILING),
    maxFiles: integer("UPLOAD_MAX_FILES", vars.UPLOAD_MAX_FILES, 10, 1, 50),
    imageTurns: integer("UPLOAD_IMAGE_TURNS", vars.UPLOAD_IMAGE_TURNS, 3, 0, 100),
    unreferencedMs: integer("UPLOAD_UNREFERENCED_HOURS", vars.UPLOAD_UNREFERENCED_HOURS, 24, 1, 24 * 365) * 3_600_000,
  };
}
