import "server-only";
// Reading requests: API-key credentials, path and query values (validated by the route's zod
// schemas), and JSON bodies read with a size limit.
import type { IncomingMessage } from "node:http";
import type { ZodType } from "zod";
import { describeIssues, HttpError } from "./errors";

export const MAX_BODY_BYTES = 1_048_576;
/** How much of a refused upload is read and thrown away before the connection is closed. */
export const DISCARD_LIMIT = 64 * 1_048_576;

/**
 * Reads and discards what is left of `req`'s body (at most `limit` more bytes, then the socket is
 * closed), so a 413 sent before the body was read reaches the client instead of a reset
 * mid-upload, without reading an endless upload for ever.
 */
export function discardRest(req: IncomingMessage, limit = DISCARD_LIMIT): void {
  if (req.complete) return;
  let discarded = 0;
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit) req.socket.destroy();
  });
  req.on("error", () => {});
  req.resume();
}

/** Bearer <secret>, or Basic base64(publicKey:secret) as the Langfuse SDKs send it. */
export function parseCredentials(header: string | undefined): { secret: string; publicKey?: string } | null {
  if (!header) return null;
  const space = header.indexOf(" ");
  if (space < 0) return null;
  const scheme = header.slice(0, space);
  const value = header.slice(space + 1).trim();
  if (!value) return null;
  if (/^bearer$/i.test(scheme)) return { secret: value };
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    return { publicKey: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  return null;
}

export function parseInput<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { message, field } = describeIssues(result.error, { value });
  throw new HttpError("BAD_REQUEST", message, field);
}

export function queryObject(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!search) return out;
  for (const [key, value] of new URLSearchParams(search)) if (!(key in out)) out[key] = value;
  return out;
}

const tooLargeFor = (limit: number) => (what: string) =>
  new HttpError("PAYLOAD_TOO_LARGE", `${what}; the limit is ${+(limit / 1_048_576).toFixed(2)} MiB (${limit.toLocaleString("en-US")} bytes)`);

/** Reads the body with a size limit (413 before anything is parsed), then parses it as JSON. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers["content-type"];
  if (type && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError("UNSUPPORTED_MEDIA_TYPE", `Send the body as application/json (got ${type.slice(0, 80)})`);
  }
  const raw = await readRawBody(req, limit, tooLargeFor(limit));
  const text = raw.toString("utf8");
  if (!text.trim()) throw new HttpError("BAD_REQUEST", "Send a JSON body");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError("BAD_REQUEST", `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads a whole body, refusing (with `tooBig`'s error) one declared or found to exceed `limit` bytes. */
export function readRawBody(req: IncomingMessage, limit: number, tooBig: (what: string) => Error): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) {
    discardRest(req);
    return Promise.reject(tooBig(`The request body is ${declared.toLocaleString("en-US")} bytes`));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Refused: the rest is read and discarded, up to a bound (see discardRest).
      if (settled) {
        if (size > limit + DISCARD_LIMIT) req.socket.destroy();
        return;
      }
      if (size > limit) {
        settled = true;
        chunks.length = 0;
        reject(tooBig("The request body is larger than that"));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    // The client went away mid-body (its connection reset or cut at shutdown): its fault, not a
    // server failure, and never a database outage (ECONNRESET would read as one).
    req.on("error", () => {
      if (settled) return;
      settled = true;
      reject(new HttpError("BAD_REQUEST", "The request body ended before it was complete (the connection was closed)"));
    });
  });
}
