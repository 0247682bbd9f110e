// SERVICE_TOKEN_USERS: which user an Access service token (by its common_name) acts for.

import { AppError } from "../../protocol/errors";

/** Parses `common_name=email` pairs, comma-separated; a malformed pair names the variable. */
export function parseServiceTokenUsers(value: string | undefined): Map<string, string> {
  const users = new Map<string, string>();
  for (const pair of (value ?? "").split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    const name = eq > 0 ? pair.slice(0, eq).trim() : "";
    const email =
      eq > 0
        ? pair
            .slice(eq + 1)
            .trim()
            .toLowerCase()
        : "";
    if (name === "" || !/^[^\s@,=]+@[^\s@,=]+$/.test(email)) {
      throw new AppError(
        "config_error",
        `configuration error: SERVICE_TOKEN_USERS must be common_name=email pairs separated by commas (got "${pair.trim()}")`,
      );
    }
    if (users.has(name)) {
      throw new AppError("config_error", `configuration error: SERVICE_TOKEN_USERS names ${name} twice`);
    }
    users.set(name, email);
  }
  return users;
}
