// HTTP calls to the edgeclaw API with the Access cookie; errors carry the contract's code.

import type { ErrorBody, Me } from "../../protocol/api";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    credentials: "same-origin",
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as Partial<ErrorBody> | null;
    throw new ApiError(response.status, body?.error?.code ?? "error", body?.error?.message ?? response.statusText);
  }
  return (response.status === 204 ? null : await response.json()) as T;
}

export type { Me, SessionEntry } from "../../protocol/api";

/** Who is signed in; null when not (and whether the local dev sign-in is available). */
export async function whoAmI(): Promise<{ me: Me | null; devLogin: boolean }> {
  try {
    return { me: await api<Me>("/api/me"), devLogin: false };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const probe = await fetch("/cdn-cgi/access/certs").catch(() => null);
      return { me: null, devLogin: probe?.ok === true };
    }
    throw error;
  }
}

export async function devLogin(email: string, groups: string[]): Promise<void> {
  await api("/dev/login", { method: "POST", body: JSON.stringify({ email, groups }) });
}

export const signOutUrl = "/cdn-cgi/access/logout";
