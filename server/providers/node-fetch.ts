import "server-only";
// A `fetch` for provider calls on the gateway's hot path, over node:http(s) with keep-alive
// agents. The WHATWG fetch (undici) costs noticeably more CPU per call (spec machinery, web
// streams for every body); the gateway bench measured it at about a tenth of Keel's time per call.
// It implements exactly what the provider clients use: a POST of a string body with plain headers
// and a signal; a JSON answer is read whole, an event stream is handed over as a web stream.
// Failures look like fetch's (TypeError "fetch failed" with the socket error as its cause), so
// classifyError() treats both the same.
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

const agents: Record<string, http.Agent> = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

function urlOf(input: Parameters<typeof fetch>[0]): URL {
  return new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
}

function headersOf(init: RequestInit): Record<string, string> {
  const h = init.headers;
  if (!h) return {};
  if (h instanceof Headers) return Object.fromEntries(h.entries());
  if (Array.isArray(h)) return Object.fromEntries(h);
  return h as Record<string, string>;
}

export const keepAliveFetch: typeof fetch = (input, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    let url: URL;
    try {
      url = urlOf(input);
    } catch (error) {
      reject(new TypeError("fetch failed: invalid URL", { cause: error }));
      return;
    }
    const agent = agents[url.protocol];
    if (!agent) {
      reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
      return;
    }
    if (init.body !== undefined && init.body !== null && typeof init.body !== "string") {
      reject(new TypeError("keepAliveFetch sends string bodies only"));
      return;
    }
    const body = init.body ?? undefined;
    const headers = headersOf(init);
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const request = (url.protocol === "https:" ? https : http).request(url, { method: init.method ?? "GET", headers, agent, signal: init.signal ?? undefined }, (res) => {
      const responseHeaders = new Headers();
      for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      const status = res.statusCode ?? 502;
      const meta = { status, statusText: res.statusMessage ?? "", headers: responseHeaders };
      if ((res.headers["content-type"] ?? "").includes("text/event-stream")) {
        resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, meta));
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), meta)));
      res.on("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
    });
    request.on("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
    request.end(body);
  });
