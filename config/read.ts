// The readers every configuration schema shares: lists, choices, integers, URLs, all naming their variable on error.

import { AppError } from "../protocol/errors";

/** The error a bad variable stops start-up with: `configuration error: <VARIABLE> <problem>`. */
export function configError(variable: string, problem: string): AppError {
  return new AppError("config_error", `configuration error: ${variable} ${problem}`);
}

/** A comma list, trimmed, empty items dropped. */
export function list(value: string | undefined, lower: boolean): Set<string> {
  const items = (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  return new Set(lower ? items.map((item) => item.toLowerCase()) : items);
}

export function oneOf<T extends string>(
  variable: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === "") return fallback;
  const found = allowed.find((option) => option === value);
  if (found === undefined) throw configError(variable, `must be one of ${allowed.join(", ")} (got "${value}")`);
  return found;
}

/** An `0`/`1` switch, off by default. */
export function flag(variable: string, value: string | undefined): boolean {
  return oneOf(variable, value, ["0", "1"] as const, "0") === "1";
}

export function baseUrl(variable: string, value: string | undefined, fallback: string): string {
  if (value === undefined || value === "") return fallback;
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
    return url.href.replace(/\/+$/, "");
  } catch {
    throw configError(variable, `is not an http(s) URL (got "${value}")`);
  }
}

export function integer(
  variable: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw configError(variable, `must be an integer from ${min} to ${max}`);
  return n;
}

/** The variables a schema reads, as optional strings (the shape of `Env`'s vars). */
export type VarsOf<Names extends readonly string[]> = Partial<Record<Names[number], string>>;
