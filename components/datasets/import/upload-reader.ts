// The wizard's side of the import endpoints (server/api/dataset-http.ts), without React: the
// preview reads the first PREVIEW_BYTES of the file; the import streams the whole file up with
// XMLHttpRequest (fetch cannot report upload progress) and reads the answer, JSON lines of
// progress and then "done" or "failed", while it arrives. The caller gets upload and read
// progress, one outcome, or "cancelled" when it aborted the upload.
import {
  PREVIEW_BYTES,
  type ColumnMapping,
  type ImportEvent,
  type ImportFormat,
  type ImportProblem,
  type ImportReport,
  type ImportResult,
} from "@/server/contracts/datasets";

/** What the preview endpoint answers (server/domain/datasets/import/preview.ts). */
export type PreviewRow = {
  row: number;
  line: number | null;
  values: Record<string, unknown>;
  item: { input: unknown; expected: unknown; metadata: unknown; tags: string[] } | null;
  problem: string | null;
};
export type Preview = {
  format: ImportFormat;
  delimiter: string | null;
  columns: string[];
  suggestedMapping: ColumnMapping;
  rows: PreviewRow[];
  problems: ImportProblem[];
};

/** How an import ended: a result, the validation report (nothing written), or refused before it ran. */
export type Outcome =
  { kind: "done"; result: ImportResult } | { kind: "failed"; report: ImportReport } | { kind: "error"; status: number | null; message: string; field?: string };

export type Progress = { uploaded: number; processed: number; rows: number };

/** A refused request: the status, the server's message and the field it named, if any. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The endpoints answer errors as `{ error: { code, message, field? } }`; anything else keeps the status line. */
export function errorFromBody(status: number, body: unknown): HttpError {
  const error = (body as { error?: { message?: unknown; field?: unknown } } | null)?.error;
  const message = typeof error?.message === "string" && error.message ? error.message : `The server answered ${status}`;
  return new HttpError(status, message, typeof error?.field === "string" && error.field ? error.field : undefined);
}

export type PreviewRequest = { file: Blob; format: ImportFormat; delimiter: string; mapping: ColumnMapping | null };

/** `base` is `/api/datasets/{org}/{project}/{dataset}`. */
export async function fetchPreview(base: string, { file, format, delimiter, mapping }: PreviewRequest, signal?: AbortSignal): Promise<Preview> {
  const params = new URLSearchParams({ format });
  if (format === "csv" && delimiter) params.set("delimiter", delimiter);
  if (mapping) params.set("mapping", JSON.stringify(mapping));
  if (file.size > PREVIEW_BYTES) params.set("truncated", "1");
  const response = await fetch(`${base}/import/preview?${params}`, {
    method: "POST",
    body: file.slice(0, PREVIEW_BYTES),
    signal,
    headers: { "content-type": "application/octet-stream" },
  });
  if (!response.ok) throw errorFromBody(response.status, await response.json().catch(() => null));
  return (await response.json()) as Preview;
}

/**
 * Reads JSON lines from a text that grows (an XMLHttpRequest's responseText while it loads): each
 * call returns the events of the lines completed since the last call. Blank lines and lines that
 * are not JSON are skipped.
 */
export function createEventReader(): (text: string) => ImportEvent[] {
  let consumed = 0;
  return (text) => {
    const events: ImportEvent[] = [];
    for (let end = text.indexOf("\n", consumed); end >= 0; end = text.indexOf("\n", consumed)) {
      const line = text.slice(consumed, end).trim();
      consumed = end + 1;
      if (!line) continue;
      try {
        events.push(JSON.parse(line) as ImportEvent);
      } catch {
        // a line cut by a proxy or not ours: the outcome line decides
      }
    }
    return events;
  };
}

export type UploadHandlers = {
  /** Bytes of the file sent so far. */
  onUploaded: (bytes: number) => void;
  /** Bytes and rows the server has read so far. */
  onRead: (bytes: number, rows: number) => void;
  /** Called once, unless the upload is cancelled first. */
  onOutcome: (outcome: Outcome) => void;
  /** The upload was cancelled before an outcome: nothing was imported. */
  onCancelled: () => void;
};

export const NO_RESULT = "The import ended without a result. Check the dataset's versions before trying again.";
export const UNREACHABLE = "Could not reach Keel. Check your connection and try again.";

/** Sends `file` to the import URL (with its query string) and reports as it goes; `cancel` aborts it. */
export function uploadImport(
  url: string,
  file: Blob,
  handlers: UploadHandlers,
  createRequest: () => XMLHttpRequest = () => new XMLHttpRequest(),
): { cancel: () => void } {
  const request = createRequest();
  const read = createEventReader();
  let finished = false;
  const finish = (outcome: Outcome) => {
    if (finished) return;
    finished = true;
    handlers.onOutcome(outcome);
  };
  const readLines = () => {
    for (const event of read(request.responseText)) {
      if (event.type === "progress") handlers.onRead(event.bytes, event.rows);
      else if (event.type === "done") {
        handlers.onRead(event.result.bytes, event.result.rows);
        finish({ kind: "done", result: event.result });
      } else if (event.type === "failed") finish({ kind: "failed", report: event.report });
    }
  };
  const ok = () => request.status >= 200 && request.status < 300;

  request.open("POST", url);
  request.setRequestHeader("Accept", "application/x-ndjson");
  request.setRequestHeader("Content-Type", "application/octet-stream");
  request.upload.onprogress = (event) => handlers.onUploaded(event.loaded);
  request.upload.onload = () => handlers.onUploaded(file.size);
  request.onprogress = () => {
    if (ok()) readLines();
  };
  request.onload = () => {
    if (ok()) {
      readLines();
      finish({ kind: "error", status: request.status, message: NO_RESULT });
      return;
    }
    let body: unknown = null;
    try {
      body = JSON.parse(request.responseText);
    } catch {
      // not JSON: the status line is the message
    }
    const error = errorFromBody(request.status, body);
    finish({ kind: "error", status: error.status, message: error.message, ...(error.field ? { field: error.field } : {}) });
  };
  request.onerror = () => finish({ kind: "error", status: null, message: UNREACHABLE });
  request.onabort = () => {
    if (finished) return;
    finished = true;
    handlers.onCancelled();
  };
  request.send(file);
  return { cancel: () => request.abort() };
}
