import "server-only";
// Reading an uploaded file as records, streamed: bytes are counted (size limit), hashed
// (SHA-256, reported with the import), checked as UTF-8 and parsed as CSV, JSON Lines or a JSON
// array without ever holding the whole file. Every problem names its row and line; problems that
// make the rest unreadable (bad UTF-8, broken JSON, an unclosed quote, the size limit) end the read.
import { createHash } from "node:crypto";
import Papa from "papaparse";
import { JSONParser } from "@streamparser/json";
import type { ImportFormat, ImportProblem } from "../../../contracts/datasets";

export type SourceRecord = {
  /** 1-based data row (CSV: not counting the header; JSON: the array element). */
  row: number;
  /** The line the row ends on, when known. */
  line: number | null;
  values: Record<string, unknown>;
};

export type ReadStats = { bytes: number; sha256: string; rows: number };

/** A problem that ends the read; thrown by the readers and caught by the import. */
export class ImportAbort extends Error {
  constructor(readonly problem: ImportProblem) {
    super(problem.message);
  }
}

/** Offset of the first byte that cannot start or continue valid UTF-8 (-1: none, ignoring an incomplete tail). */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return -1;
      if ((c & 0xc0) !== 0x80) return i;
      if (k === 1) {
        if (b === 0xe0 && c < 0xa0) return i;
        if (b === 0xed && c > 0x9f) return i;
        if (b === 0xf0 && c < 0x90) return i;
        if (b === 0xf4 && c > 0x8f) return i;
      }
    }
    i += need + 1;
  }
  return -1;
}

function countNewlines(bytes: Uint8Array, end = bytes.length): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(end, bytes.length));
  let n = 0;
  for (let i = buffer.indexOf(10); i >= 0; i = buffer.indexOf(10, i + 1)) n++;
  return n;
}

/** Bytes -> text: size limit, SHA-256, strict UTF-8 (the problem names the line), BOM dropped. */
export async function* decodeUtf8(source: AsyncIterable<Uint8Array>, options: { maxBytes: number; stats: ReadStats }): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const hash = createHash("sha256");
  let lines = 0;
  let pending: Uint8Array | null = null;
  for await (const chunk of source) {
    options.stats.bytes += chunk.length;
    if (options.stats.bytes > options.maxBytes) {
      throw new ImportAbort({ row: null, line: null, code: "FILE_TOO_LARGE", message: `The file is larger than the ${formatBytes(options.maxBytes)} limit` });
    }
    hash.update(chunk);
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      const joined: Uint8Array = pending ? Buffer.concat([pending, chunk]) : chunk;
      const offset = Math.max(0, invalidUtf8Offset(joined));
      // `lines` already counts the line breaks in `pending` (the end of the previous chunk).
      const line = lines - (pending ? countNewlines(pending) : 0) + countNewlines(joined, offset) + 1;
      throw new ImportAbort({
        row: null,
        line,
        message: `Line ${line} is not valid UTF-8 (byte ${options.stats.bytes - joined.length + offset + 1} of the file); save the file as UTF-8`,
      });
    }
    // Keep the last few bytes: a multi-byte character may continue in the next chunk.
    pending = chunk.length >= 4 ? chunk.subarray(chunk.length - 4) : chunk;
    lines += countNewlines(chunk);
    if (text) yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new ImportAbort({ row: null, line: lines + 1, message: `The file ends in the middle of a UTF-8 character (line ${lines + 1})` });
  }
  options.stats.sha256 = hash.digest("hex");
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** The delimiter that splits the header line into the most fields, outside quotes. */
export function detectDelimiter(firstLine: string): "," | ";" | "\t" | "|" {
  const counts = { ",": 0, ";": 0, "\t": 0, "|": 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  let best: keyof typeof counts = ",";
  for (const d of [";", "\t", "|"] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

/** Peeks at the text until the first line is complete, then yields everything unchanged. */
async function firstLineOf(text: AsyncIterator<string>): Promise<{ head: string; done: boolean }> {
  let head = "";
  for (;;) {
    const next = await text.next();
    if (next.done) return { head, done: true };
    head += next.value;
    if (head.includes("\n") || head.length > 1_000_000) return { head, done: false };
  }
}

async function* prepend(head: string, rest: AsyncIterator<string>, done: boolean): AsyncGenerator<string> {
  if (head) yield head;
  if (done) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

export type RecordReader = {
  /** CSV header (columns in file order) once known; JSON formats: keys in first-seen order. */
  columns: string[];
  /** CSV: the delimiter and line ending the file uses (exports reproduce them). */
  csv: { delimiter: string; eol: "\n" | "\r\n" } | null;
  records: AsyncGenerator<SourceRecord>;
};

/**
 * Reads records. Problems with single rows (wrong column count, a row that is not an object) go
 * to `onProblem` and the row is skipped; problems that end the read are thrown as ImportAbort.
 */
export function readRecords(
  source: AsyncIterable<Uint8Array>,
  options: { format: ImportFormat; delimiter?: string; maxBytes: number; stats: ReadStats; onProblem(problem: ImportProblem): void },
): RecordReader {
  const text = decodeUtf8(source, { maxBytes: options.maxBytes, stats: options.stats });
  const reader: RecordReader = { columns: [], csv: null, records: undefined as unknown as AsyncGenerator<SourceRecord> };
  const seen = new Set<string>();
  const noteKeys = (values: Record<string, unknown>) => {
    for (const key of Object.keys(values)) {
      if (!seen.has(key) && seen.size < 500) {
        seen.add(key);
        reader.columns.push(key);
      }
    }
  };
  if (options.format === "csv") reader.records = csvRecords(text, reader, options);
  else if (options.format === "jsonl") reader.records = jsonlRecords(text, options, noteKeys);
  else reader.records = jsonArrayRecords(text, options, noteKeys);
  return reader;
}

function papaProblem(error: Papa.ParseError, row: number, line: number): ImportProblem {
  const where = `Row ${row} (line ${line})`;
  const message =
    error.code === "MissingQuotes"
      ? `${where}: a quoted field is never closed`
      : error.code === "InvalidQuotes"
        ? `${where}: characters follow a closing quote; quote the whole field and double the quotes inside it`
        : `${where}: malformed CSV (${error.message})`;
  return { row, line, message };
}

/** Offsets of the double quotes in `text` (native indexOf jumps, not a character loop). */
function quotePositions(text: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) out.push(i);
  return out;
}

/**
 * The end of the last complete record in `text`: the last line break outside quotes, given
 * whether `text` starts inside a quoted field. Also whether the text after it ends inside quotes.
 */
export function lastRecordBreak(text: string, inQuotes: boolean): { cut: number; restInQuotes: boolean } {
  const quotes = quotePositions(text);
  // Quotes before offset p: binary search in the sorted positions.
  const quotesBefore = (p: number) => {
    let lo = 0;
    let hi = quotes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (quotes[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const endsQuoted = (inQuotes ? 1 : 0) + (quotes.length % 2) === 1;
  let n = text.lastIndexOf("\n");
  while (n >= 0) {
    const before = quotesBefore(n);
    if (((inQuotes ? 1 : 0) + before) % 2 === 0) {
      const after = quotes.length - before;
      return { cut: n, restInQuotes: after % 2 === 1 };
    }
    // Inside a quoted field: look before the quote that opened it.
    const opener = quotes[before - 1];
    n = opener === undefined ? -1 : text.lastIndexOf("\n", opener);
  }
  return { cut: -1, restInQuotes: endsQuoted };
}

async function* csvRecords(
  text: AsyncGenerator<string>,
  reader: RecordReader,
  options: { delimiter?: string; stats: ReadStats; onProblem(p: ImportProblem): void },
): AsyncGenerator<SourceRecord> {
  const iterator = text[Symbol.asyncIterator]();
  const { head, done } = await firstLineOf(iterator);
  if (!head.trim()) throw new ImportAbort({ row: null, line: 1, message: "The file is empty: a CSV file needs a header line naming its columns" });
  const firstLine = head.slice(0, head.indexOf("\n") >>> 0);
  const delimiter = options.delimiter ?? detectDelimiter(firstLine);
  // The header line's own ending (a quoted field further down may hold either).
  const eol = head.charCodeAt(head.indexOf("\n") - 1) === 13 ? "\r\n" : "\n";
  reader.csv = { delimiter, eol };
  const config: Papa.ParseConfig = { delimiter, newline: eol, quoteChar: '"', escapeChar: '"', skipEmptyLines: false };

  let header: string[] | null = null;
  let row = 0;
  let line = 1;
  // Complete records (up to a line break outside quotes) go to the parser; the rest waits for
  // the next chunk, so a record is never cut in two.
  function* parse(textPart: string): Generator<SourceRecord> {
    if (textPart === "") {
      line++; // an empty line on its own
      return;
    }
    const result = Papa.parse<string[]>(textPart, config);
    const errorsByRow = new Map<number, Papa.ParseError>();
    for (const e of result.errors) if (e.row !== undefined && !errorsByRow.has(e.row)) errorsByRow.set(e.row, e);
    for (let i = 0; i < result.data.length; i++) {
      const record = result.data[i]!;
      const startLine = line;
      let span = 1;
      for (const field of record) if (field.includes("\n")) span += field.split("\n").length - 1;
      line += span;
      if (record.length === 1 && record[0] === "" && !errorsByRow.has(i)) continue; // an empty line
      if (!header) {
        header = record.map((c) => c.trim());
        const blank = header.findIndex((c) => c === "");
        if (blank >= 0) throw new ImportAbort({ row: null, line: 1, message: `Column ${blank + 1} of the header has no name` });
        const dup = header.find((c, k) => header!.indexOf(c) !== k);
        if (dup !== undefined) throw new ImportAbort({ row: null, line: 1, message: `The header names the column "${dup}" twice` });
        reader.columns.push(...header);
        continue;
      }
      row++;
      options.stats.rows = row;
      const error = errorsByRow.get(i);
      if (error) {
        options.onProblem(papaProblem(error, row, startLine));
        continue;
      }
      if (record.length !== header.length) {
        options.onProblem({ row, line: startLine, message: `Row ${row} (line ${startLine}) has ${record.length} fields; the header has ${header.length}` });
        continue;
      }
      const values: Record<string, unknown> = {};
      for (let k = 0; k < header.length; k++) values[header[k]!] = record[k];
      yield { row, line: startLine, values };
    }
  }

  let carry = "";
  let carryInQuotes = false;
  for await (const chunk of prepend(head, iterator, done)) {
    const { cut, restInQuotes } = lastRecordBreak(chunk, carryInQuotes);
    if (cut < 0) {
      carry += chunk;
      carryInQuotes = restInQuotes;
      if (carry.length > 16 * 1024 * 1024)
        throw new ImportAbort({ row: row + 1, line, message: `Line ${line}: a record is longer than 16 MB (is a quote never closed?)` });
      continue;
    }
    // Without the record's line break (\r\n or \n): the parser would keep a lone \r in the last field.
    let complete = carry + chunk.slice(0, cut);
    if (complete.charCodeAt(complete.length - 1) === 13) complete = complete.slice(0, -1);
    carry = chunk.slice(cut + 1);
    carryInQuotes = restInQuotes;
    yield* parse(complete);
  }
  if (carry.trim() !== "" || carryInQuotes) yield* parse(carry.endsWith("\r\n") ? carry.slice(0, -2) : carry.endsWith("\n") ? carry.slice(0, -1) : carry);
  if (!header) throw new ImportAbort({ row: null, line: 1, message: "The file is empty: a CSV file needs a header line naming its columns" });
}

function describeJsonValue(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

async function* jsonlRecords(
  text: AsyncGenerator<string>,
  options: { stats: ReadStats; onProblem(p: ImportProblem): void },
  noteKeys: (values: Record<string, unknown>) => void,
): AsyncGenerator<SourceRecord> {
  let carry = "";
  let line = 0;
  let row = 0;
  const take = function* (raw: string): Generator<SourceRecord> {
    line++;
    const trimmed = raw.trim();
    if (!trimmed) return;
    row++;
    options.stats.rows = row;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      options.onProblem({ row, line, message: `Line ${line} is not valid JSON (${(error as Error).message.replace(/^Unexpected/, "unexpected")})` });
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      options.onProblem({ row, line, message: `Line ${line} is ${describeJsonValue(value)}; each line must be a JSON object` });
      return;
    }
    noteKeys(value as Record<string, unknown>);
    yield { row, line, values: value as Record<string, unknown> };
  };
  for await (const chunk of text) {
    carry += chunk;
    let start = 0;
    for (;;) {
      const nl = carry.indexOf("\n", start);
      if (nl < 0) break;
      yield* take(carry.slice(start, nl));
      start = nl + 1;
    }
    carry = carry.slice(start);
    if (carry.length > 8 * 1024 * 1024) throw new ImportAbort({ row: row + 1, line: line + 1, message: `Line ${line + 1} is longer than 8 MB` });
  }
  if (carry) yield* take(carry);
}

async function* jsonArrayRecords(
  text: AsyncGenerator<string>,
  options: { stats: ReadStats; onProblem(p: ImportProblem): void },
  noteKeys: (values: Record<string, unknown>) => void,
): AsyncGenerator<SourceRecord> {
  const parser = new JSONParser({ paths: ["$.*"], keepStack: false });
  const ready: SourceRecord[] = [];
  let row = 0;
  let lines = 1;
  let started = false;
  parser.onValue = ({ value }) => {
    row++;
    options.stats.rows = row;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      options.onProblem({ row, line: lines, message: `Element ${row} of the array is ${describeJsonValue(value)}; each element must be a JSON object` });
      return;
    }
    noteKeys(value as Record<string, unknown>);
    ready.push({ row, line: lines, values: value as Record<string, unknown> });
  };
  for await (const chunk of text) {
    if (!started) {
      const first = chunk.trimStart()[0];
      if (first === undefined) continue;
      if (first !== "[")
        throw new ImportAbort({
          row: null,
          line: 1,
          message: "A JSON file must hold an array of objects ([{...}, {...}]); use JSON Lines for one object per line",
        });
      started = true;
    }
    // Feed line by line so problems can name the line they are on.
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf("\n", start);
      const piece = nl < 0 ? chunk.slice(start) : chunk.slice(start, nl + 1);
      if (piece) {
        try {
          parser.write(piece);
        } catch (error) {
          throw new ImportAbort({ row: row + 1, line: lines, message: `Line ${lines}: the JSON is malformed (${(error as Error).message.slice(0, 200)})` });
        }
      }
      while (ready.length) yield ready.shift()!;
      if (nl < 0) break;
      lines++;
      start = nl + 1;
    }
  }
  if (!started) throw new ImportAbort({ row: null, line: 1, message: "The file is empty: expected a JSON array of objects" });
  if (!parser.isEnded) throw new ImportAbort({ row: null, line: lines, message: "The JSON array is not closed: the file ends early" });
}
