import "server-only";
// The public API's error responses: `{ error: { code, message, field? } }` with a stable code,
// a message naming the problem and the field when there is one. Known failures (domain errors,
// validation, bad encodings, races on unique names, data exceptions) map to 4xx here, in one
// place; a database that cannot be reached is a 503 with Retry-After;
// anything else is a bare 500 that is logged and never shows a stack or SQL.
import { z, ZodError } from "zod";
import { AppError, isUniqueViolation } from "../errors";
import { DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/unavailable";

export const PUBLIC_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNPROCESSABLE: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  /** The database cannot be reached at the moment; retry after the Retry-After delay. */
  UNAVAILABLE: 503,
  /** A Langfuse endpoint Keel does not serve (named in the message). */
  NOT_IMPLEMENTED: 501,
} as const;
export type PublicErrorCode = keyof typeof PUBLIC_ERROR_STATUS;

export const errorResponse = z
  .object({
    error: z
      .object({
        code: z.enum(Object.keys(PUBLIC_ERROR_STATUS) as [PublicErrorCode, ...PublicErrorCode[]]),
        message: z.string().describe("What went wrong, naming the field when there is one."),
        field: z.string().optional().describe("The request field the problem is about (`name`, `label`, `version`, `messages.0.content`, …)."),
        requestId: z
          .string()
          .optional()
          .describe(
            "On a 5xx: the request's id (also in `X-Request-Id`), which the server's log line of the failure carries; quote it when reporting the problem.",
          ),
      })
      .strict(),
  })
  .strict();

export class HttpError extends Error {
  constructor(
    readonly code: PublicErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const PG_DATA_EXCEPTION = /^22/;

/** Known failures become 4xx with a clear message; anything else is logged and answered as a bare 500. */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof AppError) return error.code === "INTERNAL" ? null : new HttpError(error.code, error.message, error.field);
  if (error instanceof ZodError) {
    const { message, field } = describeIssues(error, null);
    return new HttpError("BAD_REQUEST", message, field);
  }
  if (error instanceof URIError) return new HttpError("BAD_REQUEST", "The path is not valid percent-encoding");
  if (isUniqueViolation(error)) return new HttpError("CONFLICT", "That already exists");
  const pgCode = (error as { cause?: { originalCode?: string } } | undefined)?.cause?.originalCode;
  if (pgCode && PG_DATA_EXCEPTION.test(pgCode)) return new HttpError("BAD_REQUEST", "A value in the request is not acceptable");
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  return null;
}

/** 503 with Retry-After: clients and OpenTelemetry exporters retry it (not a 500). Logged in one line by the caller. */
export function databaseUnavailable(): HttpError {
  return new HttpError("UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE, undefined, { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

export function describeIssues(error: ZodError, input: { value: unknown } | null): { message: string; field?: string } {
  const parts = error.issues.slice(0, 3).map((issue) => {
    let path = issue.path.map(String);
    let message = issue.message;
    if (issue.code === "unrecognized_keys") {
      path = [...path, issue.keys[0] ?? ""];
      message = "is not a known field";
    } else if (issue.code === "invalid_type" && input && valueAt(input.value, issue.path) === undefined) {
      message = "is required";
    }
    const field = path.join(".");
    return { field, text: field ? `${field}: ${message}` : message };
  });
  return { message: parts.map((p) => p.text).join("; "), field: parts[0]?.field || undefined };
}
