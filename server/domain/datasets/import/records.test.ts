// The streamed readers: CSV records come out the same whatever the chunk boundaries (inside
// quotes, inside multi-byte characters, inside CRLF), and problems name rows and lines.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectDelimiter, invalidUtf8Offset, lastRecordBreak, readRecords, type ReadStats } from "./records";
import type { ImportFormat, ImportProblem } from "../../../contracts/datasets";

async function read(bytes: Uint8Array, format: ImportFormat, cuts: number[] = []) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(last, p));
    last = p;
  }
  chunks.push(bytes.subarray(last));
  const problems: ImportProblem[] = [];
  const stats: ReadStats = { bytes: 0, sha256: "", rows: 0 };
  const reader = readRecords(
    (async function* () {
      for (const c of chunks) if (c.length) yield c;
    })(),
    { format, maxBytes: 1e9, stats, onProblem: (p) => problems.push(p) },
  );
  const records = [];
  for await (const r of reader.records) records.push(r);
  return { records, problems, columns: reader.columns, stats };
}

const CSV = 'question,answer\r\n"Multi\r\nline, with ""quotes""",é😀\r\nplain,"a\nb"\r\n\r\nlast,row\r\n';

describe("CSV reading", () => {
  it("reads quoted fields with line breaks and quotes, counting lines", async () => {
    const { records, problems, columns } = await read(new TextEncoder().encode(CSV), "csv");
    expect(problems).toEqual([]);
    expect(columns).toEqual(["question", "answer"]);
    expect(records.map((r) => [r.row, r.line, r.values])).toEqual([
      [1, 2, { question: 'Multi\r\nline, with "quotes"', answer: "é😀" }],
      [2, 4, { question: "plain", answer: "a\nb" }],
      [3, 7, { question: "last", answer: "row" }],
    ]);
  });

  it("gives the same records whatever the chunk boundaries", async () => {
    const bytes = new TextEncoder().encode(CSV);
    const whole = await read(bytes, "csv");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: bytes.length }), { maxLength: 12 }), async (cuts) => {
        const split = await read(bytes, "csv", cuts);
        expect(split.records).toEqual(whole.records);
        expect(split.problems).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("reads any CSV (quotes, delimiters, CR/LF inside fields, non-ASCII) split anywhere", async () => {
    const field = fc.string({ unit: fc.constantFrom("a", "b", " ", ",", '"', "\n", "\r\n", "é", "😀"), maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 6 }),
        fc.constantFrom("\n", "\r\n"),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (rows, eol, cuts) => {
          const quote = (v: string) => (/[",\r\n]/.test(v) || v === "" ? `"${v.replaceAll('"', '""')}"` : v);
          const text = ["x,y", ...rows.map(([a, b]) => `${quote(a)},${quote(b)}`)].join(eol) + eol;
          const bytes = new TextEncoder().encode(text);
          const { records, problems } = await read(
            bytes,
            "csv",
            cuts.map((c) => c % (bytes.length + 1)),
          );
          expect(problems).toEqual([]);
          expect(records.map((r) => [r.values.x, r.values.y])).toEqual(rows);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("names rows with the wrong number of fields and broken quotes", async () => {
    const { problems, records } = await read(new TextEncoder().encode('a,b\n1,2\n3\n"4,5\n'), "csv");
    expect(records).toHaveLength(1);
    expect(problems.map((p) => p.message)).toEqual(["Row 2 (line 3) has 1 fields; the header has 2", "Row 3 (line 4): a quoted field is never closed"]);
  });

  it("finds the last line break outside quotes", () => {
    expect(lastRecordBreak('a,"b\nc"\nd', false)).toEqual({ cut: 7, restInQuotes: false });
    expect(lastRecordBreak('x\n"open\nstill', false)).toEqual({ cut: 1, restInQuotes: true });
    expect(lastRecordBreak('closes"\nnext', true)).toEqual({ cut: 7, restInQuotes: false });
    expect(lastRecordBreak("no break", false)).toEqual({ cut: -1, restInQuotes: false });
  });

  it("detects the delimiter from the header", () => {
    expect(detectDelimiter("a;b;c")).toBe(";");
    expect(detectDelimiter("a\tb")).toBe("\t");
    expect(detectDelimiter('"x;y",b,c')).toBe(",");
  });
});

describe("UTF-8", () => {
  it("locates the first invalid byte", () => {
    expect(invalidUtf8Offset(new TextEncoder().encode("héllo"))).toBe(-1);
    expect(invalidUtf8Offset(new Uint8Array([0x61, 0xff, 0x62]))).toBe(1);
    expect(invalidUtf8Offset(new Uint8Array([0x61, 0xc3]))).toBe(-1); // incomplete tail
  });

  it("refuses bad UTF-8 naming the line, even when a chunk ends mid-character", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("q\nok é\nbad "), 0xc3, 0x28, 0x0a]);
    for (const cut of [0, 5, 6, 12, 13]) {
      const { problems } = await read(bytes, "csv", [cut]).catch((e: { problem: ImportProblem }) => ({ problems: [e.problem] }));
      expect(problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/^Line 3 is not valid UTF-8/) });
    }
  });
});

describe("JSON formats", () => {
  it("reads JSON Lines and JSON arrays split anywhere", async () => {
    const jsonl = new TextEncoder().encode('{"a":"x"}\n\n{"a":"ÿ"}\n');
    const array = new TextEncoder().encode('[\n {"a": "x"},\n {"a": "ÿ"}\n]');
    for (const cut of [1, 3, 10, 12]) {
      expect((await read(jsonl, "jsonl", [cut])).records.map((r) => [r.row, r.line, r.values])).toEqual([
        [1, 1, { a: "x" }],
        [2, 3, { a: "ÿ" }],
      ]);
      expect((await read(array, "json", [cut])).records.map((r) => r.values)).toEqual([{ a: "x" }, { a: "ÿ" }]);
    }
  });
});
