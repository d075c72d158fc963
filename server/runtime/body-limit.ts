// Request body limits enforced by the custom server before Next parses anything or authentication
// runs: /api/trpc and the session routes under /api/ take at most SESSION_BODY_LIMIT bytes, by
// Content-Length up front and by counting the bytes as they stream in (chunked uploads). The
// dataset import streams large files by design and keeps its own limit. A refused body gets a
// readable 413; the rest of the upload is read and discarded up to a bound (discardRest), so the client
// sees the answer instead of a connection reset mid-upload, and only then is the socket closed.
import type { IncomingMessage, ServerResponse } from "node:http";
import { discardRest } from "../public-api/input";

/** The largest tRPC or session-route body (a 1 MB template, with room for JSON escaping, fits). */
export const SESSION_BODY_LIMIT = 8 * 1_048_576;

// The dataset import (and its preview) read the body themselves with their own limits.
const STREAMED_IMPORT = /^\/api\/datasets\/[^/]+\/[^/]+\/[^/]+\/import(?:\/preview)?\/?$/;

/** Whether the session body limit applies to this path. */
export function hasSessionBodyLimit(pathname: string): boolean {
  return pathname.startsWith("/api/") && !STREAMED_IMPORT.test(pathname);
}

const mib = (bytes: number) => `${+(bytes / 1_048_576).toFixed(2)} MiB`;

function refuse(req: IncomingMessage, res: ServerResponse, limit: number, what: string, streaming: boolean): void {
  const body = JSON.stringify({
    error: { code: "PAYLOAD_TOO_LARGE", message: `${what}; the limit for this endpoint is ${mib(limit)} (${limit.toLocaleString("en-US")} bytes)` },
  });
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  res.writeHead(413, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
    ...(streaming ? { connection: "close" } : {}),
  });
  res.end(body);
  // A body refused while Next reads it: the handler is left waiting, so this request ends here.
  if (streaming) res.once("finish", () => req.destroy());
  else discardRest(req);
}

/**
 * Enforces `limit` on `req`'s body. Answers 413 and returns false when Content-Length is over it;
 * otherwise counts the bytes as they arrive and answers 413 (ending the request) once they pass
 * it, whoever is reading.
 */
export function enforceBodyLimit(req: IncomingMessage, res: ServerResponse, limit = SESSION_BODY_LIMIT): boolean {
  const length = req.headers["content-length"];
  const declared = length === undefined ? Number.NaN : Number(length);
  if (declared > limit) {
    refuse(req, res, limit, `The request body is ${declared.toLocaleString("en-US")} bytes`, false);
    return false;
  }
  if (declared <= limit || req.headers["transfer-encoding"] === undefined) return true;
  // Chunked: count at the source (the HTTP parser pushes each piece of body into the request),
  // so the limit holds whoever reads the stream and however.
  let seen = 0;
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk !== null && chunk !== undefined) {
      seen += (chunk as Buffer).length;
      if (seen > limit) {
        req.push = () => false;
        refuse(req, res, limit, "The request body is larger than that", true);
        return false;
      }
    }
    return push(chunk, encoding);
  };
  return true;
}
