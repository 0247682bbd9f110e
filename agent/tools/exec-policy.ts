// The approval policy of a session's tools: the operator's EXEC_POLICY is a ceiling a session may only tighten.

import type { ExecPolicy } from "../../config/sandbox";

const STRICTNESS: Record<ExecPolicy, number> = { auto: 0, ask: 1, deny: 2 };

/** The policy that applies: the stricter of the operator's and the session's. */
export function effectivePolicy(operator: ExecPolicy, session: ExecPolicy | null | undefined): ExecPolicy {
  if (!session) return operator;
  return STRICTNESS[session] >= STRICTNESS[operator] ? session : operator;
}

/** Whether a session asking for `requested` would loosen the operator's policy. */
export function loosens(operator: ExecPolicy, requested: ExecPolicy): boolean {
  return STRICTNESS[requested] < STRICTNESS[operator];
}
