import { describe, expect, it } from "vitest";
import { detectFormat, mappingErrors, shownTargets, show, toColumnTarget, toMapping, toTarget, upsertKeyOptions, withKind, type ColumnTarget } from "./mapping";

const target = (column: string, kind: ColumnTarget["kind"], key = column): ColumnTarget => ({ column, kind, key });

describe("detectFormat", () => {
  it("reads the format, and TSV's delimiter, from the extension whatever its case", () => {
    expect(detectFormat("qa.csv")).toEqual({ format: "csv", delimiter: "" });
    expect(detectFormat("QA.TSV")).toEqual({ format: "csv", delimiter: "\t" });
    expect(detectFormat("export.tab")).toEqual({ format: "csv", delimiter: "\t" });
    expect(detectFormat("runs.jsonl")).toEqual({ format: "jsonl", delimiter: "" });
    expect(detectFormat("runs.ndjson")).toEqual({ format: "jsonl", delimiter: "" });
    expect(detectFormat("items.backup.json")).toEqual({ format: "json", delimiter: "" });
  });

  it("says nothing when the extension says nothing", () => {
    expect(detectFormat("data.txt")).toBeNull();
    expect(detectFormat("README")).toBeNull();
  });
});

describe("targets and mapping", () => {
  it("splits input.<key> and metadata.<key> into a kind and a key, and joins them back (trimmed)", () => {
    expect(toColumnTarget("question", "input.question")).toEqual(target("question", "input-key"));
    expect(toColumnTarget("category", "metadata.topic.name")).toEqual(target("category", "metadata-key", "topic.name"));
    expect(toColumnTarget("answer", "expected")).toEqual(target("answer", "expected"));
    expect(toTarget(target("q", "input-key", "  prompt "))).toBe("input.prompt");
    expect(toTarget(target("c", "metadata-key", "topic"))).toBe("metadata.topic");
    expect(toTarget(target("a", "expected:json"))).toBe("expected:json");
    expect(toMapping([target("q", "input-key", "question"), target("id", "ignore")])).toEqual([
      { column: "q", target: "input.question" },
      { column: "id", target: "ignore" },
    ]);
  });

  it("shows the user's targets once edited, else the server's suggestion", () => {
    const suggested = [{ column: "q", target: "input.q" as const }];
    expect(shownTargets(null, suggested)).toEqual([target("q", "input-key")]);
    expect(shownTargets([target("q", "ignore")], suggested)).toEqual([target("q", "ignore")]);
    expect(shownTargets(null, undefined)).toEqual([]);
  });

  it("a keyed kind starts from the old key or the column's name; other kinds keep the key", () => {
    expect(withKind(target("category", "input-key", "cat"), "metadata-key")).toEqual(target("category", "metadata-key", "cat"));
    expect(withKind(target("category", "ignore", ""), "input-key")).toEqual(target("category", "input-key", "category"));
    expect(withKind(target("category", "input-key", "cat"), "tags")).toEqual(target("category", "tags", "cat"));
  });
});

describe("mappingErrors", () => {
  it("names missing, long and control-character keys on their row", () => {
    expect(
      mappingErrors([
        target("a", "input-key", "  "),
        target("b", "metadata-key", "x".repeat(201)),
        target("c", "input-key", "a\u0001b"),
        target("d", "input-key", "x".repeat(200)),
      ]),
    ).toEqual({
      0: "Name the key",
      1: "Use at most 200 characters",
      2: "Remove control characters",
    });
  });

  it("refuses two columns going to one place (expected and expected:json are one place), naming the first", () => {
    expect(mappingErrors([target("q", "input-key", "question"), target("question", "input-key", " question ")])).toEqual({
      1: '"q" already goes to input.question',
    });
    expect(mappingErrors([target("answer", "expected"), target("ideal", "expected:json")])).toEqual({ 1: '"answer" already goes to expected' });
    // The same key in input and metadata is two places.
    expect(mappingErrors([target("q", "input-key", "k"), target("m", "metadata-key", "k")])).toEqual({});
  });

  it("lets any number of columns be ignored, be tags or merge into the whole input or metadata", () => {
    expect(
      mappingErrors([
        target("a", "ignore"),
        target("b", "ignore"),
        target("c", "tags"),
        target("d", "tags"),
        target("e", "input"),
        target("f", "input"),
        target("g", "metadata"),
        target("h", "metadata"),
      ]),
    ).toEqual({});
  });
});

describe("upsertKeyOptions", () => {
  it("offers an id column first, then the mapped input and metadata fields", () => {
    const mapping = toMapping([target("name", "input-key"), target("answer", "expected"), target("topic", "metadata-key"), target("id", "ignore")]);
    expect(upsertKeyOptions(["name", "answer", "topic", "id"], mapping)).toEqual(["id", "input.name", "metadata.topic"]);
    expect(upsertKeyOptions(["name"], toMapping([target("name", "input-key")]))).toEqual(["input.name"]);
  });
});

describe("show", () => {
  it("shows strings as they are, other values as JSON, cut with an ellipsis", () => {
    expect(show("hello")).toBe("hello");
    expect(show({ a: 1 })).toBe('{"a":1}');
    expect(show(undefined)).toBe("");
    expect(show("abcdef", 4)).toBe("abc…");
  });
});
