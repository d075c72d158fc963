import { describe, expect, it } from "vitest";
import { errorMessageOf, hostOf, readSse, type SseEvent } from "./http";
import { createProvider } from "./index";
import { redact } from "./errors";

function bodyOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

async function events(chunks: string[]): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const e of readSse(bodyOf(chunks), () => {})) out.push(e);
  return out;
}

describe("readSse", () => {
  it("parses events split anywhere, with LF, CRLF or CR line ends", async () => {
    const text = 'event: message_start\ndata: {"a":1}\n\ndata: {"b":2}\r\n\r\n: keep-alive comment\n\ndata:{"c":3}\r\rdata: [DONE]\n\n';
    const expected = [
      { event: "message_start", data: '{"a":1}' },
      { event: "message", data: '{"b":2}' },
      { event: "message", data: '{"c":3}' },
      { event: "message", data: "[DONE]" },
    ];
    expect(await events([text])).toEqual(expected);
    // Every split point, including between the CR and LF of a CRLF.
    for (let i = 1; i < text.length; i++) expect(await events([text.slice(0, i), text.slice(i)])).toEqual(expected);
    expect(await events(text.split(""))).toEqual(expected);
  });

  it("joins multi-line data and handles multi-byte characters split across chunks", async () => {
    const bytes = new TextEncoder().encode("data: héllo 🔑\ndata: second\n\n");
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes) controller.enqueue(new Uint8Array([b]));
        controller.close();
      },
    });
    const out: SseEvent[] = [];
    for await (const e of readSse(split, () => {})) out.push(e);
    expect(out).toEqual([{ event: "message", data: "héllo 🔑\nsecond" }]);
  });

  it("delivers a last event without its trailing blank line", async () => {
    expect(await events(["data: one\n\ndata: two"])).toEqual([
      { event: "message", data: "one" },
      { event: "message", data: "two" },
    ]);
  });
});

describe("helpers", () => {
  it("reads provider error bodies of both vendors", () => {
    expect(errorMessageOf('{"error":{"message":"Rate limit reached","type":"requests"}}')).toBe("Rate limit reached");
    expect(errorMessageOf('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')).toBe("Overloaded");
    expect(errorMessageOf('{"error":"model not found"}')).toBe("model not found");
    expect(errorMessageOf("<html>502</html>")).toBeNull();
  });
  it("shows only the host of a base URL", () => {
    expect(hostOf("https://user:pw@example.com:8443/v1?api-key=abc")).toBe("example.com:8443");
    expect(hostOf("not a url")).toBe("the provider");
  });
  it("redacts every occurrence of a secret", () => {
    expect(redact("key sk-123456 and sk-123456 again", ["sk-123456", null, ""])).toBe("key [redacted] and [redacted] again");
  });
  it("clips very long provider messages", async () => {
    const long: typeof fetch = async () => new Response(JSON.stringify({ error: { message: "x".repeat(5000) } }), { status: 400 });
    const error = (await createProvider({ kind: "openai_compatible", apiKey: "sk-abcdef" }, { fetch: long })
      .complete({ model: "m", messages: [] })
      .catch((e: Error) => e)) as Error;
    expect(error.message.length).toBeLessThan(600);
  });
  it("redacts a key passed in the base URL's query string", async () => {
    const echo: typeof fetch = async (input) => new Response(JSON.stringify({ error: { message: `bad url ${String(input)}` } }), { status: 400 });
    const error = (await createProvider({ kind: "openai_compatible", baseUrl: "https://gw.example.com/v1?api-key=secret-in-url" }, { fetch: echo })
      .complete({ model: "m", messages: [] })
      .catch((e: Error) => e)) as Error;
    expect(error.message).toContain("gw.example.com returned 400");
    expect(error.message).not.toContain("secret-in-url");
  });
});
