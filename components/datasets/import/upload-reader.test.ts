import { afterEach, describe, expect, it, vi } from "vitest";
import { PREVIEW_BYTES, type ImportEvent, type ImportResult } from "@/server/contracts/datasets";
import {
  HttpError,
  NO_RESULT,
  UNREACHABLE,
  createEventReader,
  errorFromBody,
  fetchPreview,
  uploadImport,
  type Outcome,
  type UploadHandlers,
} from "./upload-reader";

const result: ImportResult = {
  version: 3,
  mode: "append",
  rows: 2,
  added: 2,
  updated: 0,
  unchanged: 0,
  removed: 0,
  duplicatesSkipped: 0,
  bytes: 40,
  sha256: "ab".repeat(32),
};
const line = (event: ImportEvent) => `${JSON.stringify(event)}\n`;

/** Just enough of XMLHttpRequest for uploadImport: the test plays the network. */
class FakeRequest {
  status = 0;
  responseText = "";
  opened: [string, string] | null = null;
  headers: Record<string, string> = {};
  sent: unknown = null;
  aborted = false;
  upload: { onprogress: ((event: { loaded: number }) => void) | null; onload: (() => void) | null } = { onprogress: null, onload: null };
  onprogress: (() => void) | null = null;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string) {
    this.opened = [method, url];
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.sent = body;
  }
  abort() {
    // As browsers do: an abort after the load fires nothing.
    if (this.aborted || this.loaded) return;
    this.aborted = true;
    this.onabort?.();
  }
  private loaded = false;
  /** The response so far (status and text), as a progress event. */
  receive(status: number, text: string) {
    this.status = status;
    this.responseText += text;
    this.onprogress?.();
  }
  finish(status: number, text = "") {
    this.status = status;
    this.responseText += text;
    this.loaded = true;
    this.onload?.();
  }
}

function start(file: Blob = new Blob(["question\nhello\n"])) {
  const request = new FakeRequest();
  const calls: string[] = [];
  const outcomes: Outcome[] = [];
  const handlers: UploadHandlers = {
    onUploaded: (bytes) => calls.push(`uploaded ${bytes}`),
    onRead: (bytes, rows) => calls.push(`read ${bytes} ${rows}`),
    onOutcome: (outcome) => outcomes.push(outcome),
    onCancelled: () => calls.push("cancelled"),
  };
  const upload = uploadImport("/api/datasets/acme/p/qa/import?format=csv", file, handlers, () => request as unknown as XMLHttpRequest);
  return { request, calls, outcomes, upload, file };
}

describe("createEventReader", () => {
  it("returns the events of the lines completed since the last call, keeping a cut line for later", () => {
    const read = createEventReader();
    const progress = line({ type: "progress", bytes: 10, rows: 1 });
    let text = progress + progress.slice(0, 12);
    expect(read(text)).toEqual([{ type: "progress", bytes: 10, rows: 1 }]);
    text += progress.slice(12);
    expect(read(text)).toEqual([{ type: "progress", bytes: 10, rows: 1 }]);
    expect(read(text)).toEqual([]);
  });

  it("skips blank lines and lines that are not JSON", () => {
    const read = createEventReader();
    expect(read(`\n  \n{not json\n${line({ type: "done", result })}`)).toEqual([{ type: "done", result }]);
  });
});

describe("uploadImport", () => {
  it("posts the file as a stream of bytes asking for JSON lines", () => {
    const { request, file } = start();
    expect(request.opened).toEqual(["POST", "/api/datasets/acme/p/qa/import?format=csv"]);
    expect(request.headers).toEqual({ Accept: "application/x-ndjson", "Content-Type": "application/octet-stream" });
    expect(request.sent).toBe(file);
  });

  it("reports upload and read progress, then the result once", () => {
    const { request, calls, outcomes, file } = start();
    request.upload.onprogress?.({ loaded: 5 });
    request.upload.onload?.();
    request.receive(200, line({ type: "progress", bytes: 12, rows: 1 }));
    request.receive(200, line({ type: "done", result }));
    request.finish(200);
    expect(calls).toEqual(["uploaded 5", `uploaded ${file.size}`, "read 12 1", "read 40 2"]);
    expect(outcomes).toEqual([{ kind: "done", result }]);
  });

  it("a validation report is the outcome when the server finds problems", () => {
    const { request, outcomes } = start();
    const report = {
      ok: false as const,
      message: "Row 2 has a problem",
      rowsRead: 2,
      problemCount: 1,
      problems: [{ row: 2, line: 3, message: "input must be a JSON object" }],
    };
    request.finish(200, line({ type: "failed", report }));
    expect(outcomes).toEqual([{ kind: "failed", report }]);
  });

  it("an answer that ends without an outcome line says so", () => {
    const { request, outcomes } = start();
    request.finish(200, line({ type: "progress", bytes: 12, rows: 1 }));
    expect(outcomes).toEqual([{ kind: "error", status: 200, message: NO_RESULT }]);
  });

  it("a refusal carries the server's message and the field it names; a non-JSON one the status", () => {
    const first = start();
    first.request.finish(400, JSON.stringify({ error: { code: "BAD_REQUEST", message: "tags.0 may use letters, digits, . _ : and -", field: "tags.0" } }));
    expect(first.outcomes).toEqual([{ kind: "error", status: 400, message: "tags.0 may use letters, digits, . _ : and -", field: "tags.0" }]);
    const second = start();
    second.request.finish(413, JSON.stringify({ error: { code: "PAYLOAD_TOO_LARGE", message: "The file is 300 MB; the limit is 256 MB" } }));
    expect(second.outcomes).toEqual([{ kind: "error", status: 413, message: "The file is 300 MB; the limit is 256 MB" }]);
    const third = start();
    third.request.receive(502, "<html>Bad gateway</html>\n");
    third.request.finish(502);
    expect(third.outcomes).toEqual([{ kind: "error", status: 502, message: "The server answered 502" }]);
  });

  it("a network failure says Keel could not be reached", () => {
    const { request, outcomes } = start();
    request.onerror?.();
    expect(outcomes).toEqual([{ kind: "error", status: null, message: UNREACHABLE }]);
  });

  it("cancel aborts the upload: cancelled, and no outcome after it", () => {
    const { request, calls, outcomes, upload } = start();
    upload.cancel();
    request.onerror?.();
    expect(request.aborted).toBe(true);
    expect(calls).toEqual(["cancelled"]);
    expect(outcomes).toEqual([]);
  });

  it("cancel after the outcome changes nothing", () => {
    const { request, calls, outcomes, upload } = start();
    request.finish(200, line({ type: "done", result }));
    upload.cancel();
    expect(calls).toEqual(["read 40 2"]);
    expect(outcomes).toHaveLength(1);
  });
});

describe("errorFromBody", () => {
  it("keeps the server's message and field, or the status line", () => {
    const error = errorFromBody(400, { error: { message: "key must be id, input.<field> or metadata.<field>", field: "key" } });
    expect(error).toBeInstanceOf(HttpError);
    expect([error.status, error.message, error.field]).toEqual([400, "key must be id, input.<field> or metadata.<field>", "key"]);
    expect(errorFromBody(500, null).message).toBe("The server answered 500");
    expect(errorFromBody(400, { error: { message: "", field: "" } })).toMatchObject({ message: "The server answered 400", field: undefined });
  });
});

describe("fetchPreview", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sends the start of the file with the format, delimiter and mapping, and says when it was cut", async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) =>
      Response.json({ format: "csv", delimiter: ",", columns: [], suggestedMapping: [], rows: [], problems: [] }),
    );
    vi.stubGlobal("fetch", fetchMock);
    const big = new Blob([new Uint8Array(PREVIEW_BYTES + 10)]);
    await fetchPreview("/api/datasets/acme/p/qa", { file: big, format: "csv", delimiter: ";", mapping: [{ column: "q", target: "input.q" }] });
    const [url, init] = fetchMock.mock.calls[0]!;
    const params = new URL(url, "http://keel.test").searchParams;
    expect(url.startsWith("/api/datasets/acme/p/qa/import/preview?")).toBe(true);
    expect(Object.fromEntries(params)).toEqual({ format: "csv", delimiter: ";", mapping: '[{"column":"q","target":"input.q"}]', truncated: "1" });
    expect((init.body as Blob).size).toBe(PREVIEW_BYTES);

    await fetchPreview("/api/datasets/acme/p/qa", { file: new Blob(["a"]), format: "jsonl", delimiter: ";", mapping: null });
    expect(Object.fromEntries(new URL(fetchMock.mock.calls[1]![0], "http://keel.test").searchParams)).toEqual({ format: "jsonl" });
  });

  it("throws the server's refusal", async () => {
    vi.stubGlobal("fetch", async () =>
      Response.json({ error: { code: "BAD_REQUEST", message: "delimiter is not valid", field: "delimiter" } }, { status: 400 }),
    );
    await expect(fetchPreview("/x", { file: new Blob(["a"]), format: "csv", delimiter: "", mapping: null })).rejects.toMatchObject({
      status: 400,
      message: "delimiter is not valid",
      field: "delimiter",
    });
  });
});
