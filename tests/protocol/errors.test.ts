// The error registry: domains merge without one overriding another's status; the sandbox's codes are the host's.

import { describe, expect, it } from "vitest";
import {
  ERROR_STATUS,
  IDENTITY_ERRORS,
  isErrorCode,
  isSandboxErrorCode,
  METERING_ERRORS,
  PROVIDER_ERRORS,
  REQUEST_ERRORS,
  SANDBOX_ERRORS,
  SERVICE_ERRORS,
  SESSION_ERRORS,
  TURN_ERRORS,
} from "../../protocol/errors";

const DOMAINS: Record<string, Readonly<Record<string, number>>> = {
  REQUEST_ERRORS,
  IDENTITY_ERRORS,
  SESSION_ERRORS,
  SANDBOX_ERRORS,
  METERING_ERRORS,
  PROVIDER_ERRORS,
  TURN_ERRORS,
  SERVICE_ERRORS,
};

describe("error registry", () => {
  it("gives every code of every domain the status its domain gives it (a code in two domains agrees)", () => {
    const merged: Readonly<Record<string, number>> = ERROR_STATUS;
    for (const [domain, codes] of Object.entries(DOMAINS)) {
      for (const [code, status] of Object.entries(codes)) {
        expect({ domain, code, status: merged[code] }).toEqual({ domain, code, status });
      }
    }
    const union = new Set(Object.values(DOMAINS).flatMap((codes) => Object.keys(codes)));
    expect(new Set(Object.keys(ERROR_STATUS))).toEqual(union);
  });

  it("has snake_case codes and error statuses only", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(code).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
      expect(status >= 400 && status <= 599).toBe(true);
    }
  });

  it("tells registry codes and sandbox codes from anything else", () => {
    expect(isErrorCode("sandbox_busy")).toBe(true);
    expect(isErrorCode("step_limit")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
    expect(isErrorCode(404)).toBe(false);
    expect(isSandboxErrorCode("checksum_mismatch")).toBe(true);
    expect(isSandboxErrorCode("budget_exceeded")).toBe(false);
    expect(isSandboxErrorCode("constructor")).toBe(false);
  });
});
