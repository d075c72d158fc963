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
