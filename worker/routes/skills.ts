// /api/skills: a user's skills (name, description, Markdown body), offered to the model by description.

import { Hono } from "hono";
import type { SkillList } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import type { AppEnv } from "../app-env";
import { readJson } from "../http/respond";
import { userDirectory } from "../sessions";

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Longest description (what the model is offered every turn) and body, in characters. */
export const MAX_SKILL_DESCRIPTION_CHARS = 300;
export const MAX_SKILL_BODY_CHARS = 100_000;
/**
 * The request may spell every character as a six-byte JSON escape (`\u0001`), and no character takes more bytes
 * than that in UTF-8: a body at the limit always fits.
 */
const MAX_REQUEST_BYTES = 6 * (MAX_SKILL_DESCRIPTION_CHARS + MAX_SKILL_BODY_CHARS) + 1024;

export function skillRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/skills", async (c) =>
    c.json({ skills: await userDirectory(c.env, c.var.auth.identity.user).skillList() } satisfies SkillList),
  );
  routes.get("/skills/:name", async (c) => {
    const skill = await userDirectory(c.env, c.var.auth.identity.user).skillGet(c.req.param("name"));
    if (!skill) throw new AppError("not_found", "no such skill");
    return c.json(skill);
  });
  routes.put("/skills/:name", async (c) => {
    const name = c.req.param("name");
    const body = await readJson(c.req.raw, MAX_REQUEST_BYTES);
    if (!NAME.test(name))
      throw new AppError("bad_request", "a skill name is lower-case letters, digits and dashes (at most 64)");
    if (
      !isRecord(body) ||
      typeof body.description !== "string" ||
      typeof body.body !== "string" ||
      !body.description.trim() ||
      body.description.trim().length > MAX_SKILL_DESCRIPTION_CHARS ||
      body.body.length > MAX_SKILL_BODY_CHARS
    ) {
      throw new AppError(
        "bad_request",
        'the body must be {"description": "... (≤ 300)", "body": "Markdown (≤ 100,000)"}',
      );
    }
    return c.json(
      await userDirectory(c.env, c.var.auth.identity.user).skillPut({
        name,
        description: body.description.trim(),
        body: body.body,
      }),
    );
  });
  routes.delete("/skills/:name", async (c) => {
    if (!(await userDirectory(c.env, c.var.auth.identity.user).skillDelete(c.req.param("name"))))
      throw new AppError("not_found", "no such skill");
    return c.body(null, 204);
  });
  return routes;
}
