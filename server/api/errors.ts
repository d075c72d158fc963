import "server-only";
// AppError codes as tRPC codes: the API layer's half of the one mapping (server/errors.ts holds
// the HTTP statuses), so domain code that throws AppError never pulls tRPC in.
import { TRPCError } from "@trpc/server";
import type { AppErrorCode } from "../contracts/errors";
import type { AppError } from "../errors";

const TRPC_CODE: Record<AppErrorCode, TRPCError["code"]> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  UNPROCESSABLE: "UNPROCESSABLE_CONTENT",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error });
}
