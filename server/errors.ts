import "server-only";
// One application error with a code, and its HTTP status; the tRPC codes are the API layer's
// (server/api/errors.ts), so nothing that throws AppError pulls tRPC in. Messages of INTERNAL
// errors never reach clients.
import type { AppErrorCode, AppErrorReason } from "./contracts/errors";

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** The input field the problem is about, when there is one. */
  readonly field?: string;
  /** A machine-readable reason clients act on (e.g. "step_up_required": ask for a fresh authentication, then retry). */
  readonly reason?: AppErrorReason;
  constructor(code: AppErrorCode, message: string, options?: { field?: string; cause?: unknown; reason?: AppErrorReason }) {
    super(message, { cause: options?.cause });
    this.name = "AppError";
    this.code = code;
    this.field = options?.field;
    this.reason = options?.reason;
  }
}

export const HTTP_STATUS: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
};

/** Unique-constraint violations from Prisma, for turning races into clean CONFLICTs. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "P2002";
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);
