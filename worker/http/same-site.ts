// Cross-site request refusal: the Access cookie is SameSite=None, so a change must come from a page of ours.

import type { Config } from "../../config/config";
import { AppError } from "../../protocol/errors";
import { originAllowed } from "../routes/socket";

/** Refuses a cross-site request: by Sec-Fetch-Site when the browser sends it, else by Origin. */
export function checkSameSite(request: Request, config: Config): void {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    throw new AppError("forbidden_origin", "cross-site requests cannot change anything here");
  }
  const origin = request.headers.get("origin");
  if (origin !== null && !originAllowed(config, new URL(request.url), origin)) {
    throw new AppError("forbidden_origin", "cross-site requests cannot change anything here");
  }
}
