// Error codes shared by server and client. The server maps each to one tRPC/HTTP status in
// server/errors.ts; clients may switch on the code.
export const APP_ERROR_CODES = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  // Well-formed but refused by a rule about the data (a failing evaluation gate).
  "UNPROCESSABLE",
  "TOO_MANY_REQUESTS",
  "INTERNAL",
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

/**
 * Reasons a client acts on, beside the code (tRPC errors carry it as `data.reason`, HTTP answers
 * as `reason`):
 * - `step_up_required`: the decision needs a fresh authentication (docs/identity.md); authenticate
 *   again (second factor, single sign-on or password) and retry.
 * - `second_factor_required`: the organization requires a second factor the person has not set up
 *   or not presented in this session.
 */
export const APP_ERROR_REASONS = ["step_up_required", "second_factor_required"] as const;
export type AppErrorReason = (typeof APP_ERROR_REASONS)[number];
