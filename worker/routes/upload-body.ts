// Reads the one `file` field of a multipart upload without holding more than the limit in memory: a declared
// Content-Length over the limit is refused before reading, and a body without one is counted as it streams.

import { AppError } from "../../protocol/errors";

/** Room for the multipart framing around the file (boundaries, part headers, a long file name). */
export const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

export interface UploadedFile {
  name: string;
  /** The client's claimed type (recorded nowhere; the bytes decide). */
  type: string;
  bytes: Uint8Array;
}

const tooLarge = (maxBytes: number) => new AppError("upload_too_large", `an upload is limited to ${maxBytes} bytes`);

/** The body, cut off as soon as more than `limit` bytes arrived (then `state.over` is set). */
function counted(
  body: ReadableStream<Uint8Array>,
  limit: number,
  state: { over: boolean },
): ReadableStream<Uint8Array> {
  let total = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total <= limit) controller.enqueue(chunk);
        else {
          state.over = true;
          controller.error(new Error("the body is over the upload limit"));
        }
      },
    }),
  );
}

export async function readMultipartFile(request: Request, maxBytes: number): Promise<UploadedFile> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;\s*boundary=/i.test(contentType))
    throw new AppError("bad_request", "send multipart/form-data with one field `file`");
  const limit = maxBytes + MULTIPART_OVERHEAD_BYTES;
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(maxBytes);
  if (!request.body) throw new AppError("bad_request", "the request has no body");
  const state = { over: false };
  let form: FormData;
  try {
    const body = counted(request.body, limit, state);
    form = await new Request(request.url, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    }).formData();
  } catch {
    if (state.over) throw tooLarge(maxBytes);
    throw new AppError("bad_request", "the body is not valid multipart/form-data");
  }
  const files = form.getAll("file");
  const file = files[0];
  if (files.length !== 1 || typeof file === "string" || file === undefined)
    throw new AppError("bad_request", "send exactly one file in the field `file`");
  if (file.size > maxBytes) throw tooLarge(maxBytes);
  return { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) };
}
