import { describe, expect, it } from "vitest";
import { CHOOSE_KEY, defaultImportValues, formFieldOf, importFormSchema, importParams, parseTags, valuesForFile, type ImportFormValues } from "./import-form";

const values = (patch: Partial<ImportFormValues> = {}): ImportFormValues => ({ ...defaultImportValues, ...patch });
const issues = (v: ImportFormValues) => {
  const result = importFormSchema.safeParse(v);
  return result.success ? [] : result.error.issues.map((i) => [i.path.join("."), i.message]);
};

describe("parseTags", () => {
  it("splits on commas and spaces, drops repeats and empties", () => {
    expect(parseTags(" test, hard  test,,")).toEqual({ tags: ["test", "hard"], error: null });
    expect(parseTags("")).toEqual({ tags: [], error: null });
  });

  it("refuses more than 20 tags and tags the server would refuse, in its words", () => {
    expect(parseTags(Array.from({ length: 21 }, (_, i) => `t${i}`).join(",")).error).toBe("Use at most 20 tags");
    expect(parseTags("ok, a/b").error).toBe('Tag "a/b" may use letters, digits, . _ : and -');
    expect(parseTags("x".repeat(41)).error).toBe(`Tag "${"x".repeat(41)}" must be at most 40 characters`);
  });
});

describe("importFormSchema", () => {
  it("accepts the defaults and a full upsert", () => {
    expect(issues(values())).toEqual([]);
    expect(issues(values({ mode: "upsert", key: "input.name", tags: "test", message: "March tickets" }))).toEqual([]);
  });

  it("puts each problem on its field", () => {
    expect(
      issues(
        values({
          targets: [
            { column: "q", kind: "input-key", key: "" },
            { column: "a", kind: "expected", key: "a" },
            { column: "b", kind: "expected", key: "b" },
          ],
          tags: "a/b",
          message: "bad\u0001message",
          mode: "upsert",
          key: "",
        }),
      ),
    ).toEqual([
      ["targets.0.key", "Name the key"],
      ["targets.2.key", '"a" already goes to expected'],
      ["tags", 'Tag "a/b" may use letters, digits, . _ : and -'],
      ["message", "Change message must not contain control characters"],
      ["key", CHOOSE_KEY],
    ]);
  });

  it("a change message longer than the server takes is refused", () => {
    expect(issues(values({ message: "x".repeat(501) }))).toEqual([["message", "Change message must be at most 500 characters"]]);
  });
});

describe("valuesForFile", () => {
  it("takes the format from the new file's name and the suggested mapping, and keeps the options", () => {
    const before = values({ format: "json", targets: [{ column: "q", kind: "ignore", key: "q" }], tags: "test", mode: "replace", allowDuplicates: true });
    expect(valuesForFile(before, "split.tsv")).toEqual({ ...before, format: "csv", delimiter: "\t", targets: null });
    expect(valuesForFile(before, "notes.txt")).toMatchObject({ format: "csv", delimiter: "" });
  });
});

describe("importParams", () => {
  const mapping = [{ column: "question", target: "input.question" as const }];

  it("an append sends the format, mapping, file name and a default message", () => {
    const params = importParams(values(), { fileName: "qa.csv", mapping, key: null });
    expect(Object.fromEntries(params)).toEqual({ format: "csv", mapping: JSON.stringify(mapping), fileName: "qa.csv", message: "Imported qa.csv" });
  });

  it("sends the options that apply and only those", () => {
    const upsert = importParams(
      values({ delimiter: ";", tags: "test, hard", message: "  March  ", mode: "upsert", key: "input.question", allowDuplicates: true }),
      { fileName: "qa.csv", mapping, key: "input.question" },
    );
    expect(Object.fromEntries(upsert)).toMatchObject({ delimiter: ";", tags: "test,hard", message: "March", mode: "upsert", key: "input.question" });
    expect(upsert.has("allowDuplicates")).toBe(false);
    const replace = importParams(values({ format: "jsonl", delimiter: ";", mode: "replace", key: "input.question", allowDuplicates: true }), {
      fileName: "qa.jsonl",
      mapping,
      key: null,
    });
    expect(Object.fromEntries(replace)).toMatchObject({ format: "jsonl", mode: "replace", allowDuplicates: "1" });
    expect(replace.has("delimiter")).toBe(false);
    expect(replace.has("key")).toBe(false);
  });

  it("keeps the file name and message within the server's limits", () => {
    const params = importParams(values(), { fileName: `${"n".repeat(600)}.csv`, mapping, key: null });
    expect(params.get("fileName")).toHaveLength(255);
    expect(params.get("message")).toHaveLength(500);
  });
});

describe("formFieldOf", () => {
  it("maps the fields the import endpoint names onto the form's", () => {
    expect(formFieldOf("tags.3")).toBe("tags");
    expect(formFieldOf("key")).toBe("key");
    expect(formFieldOf("message")).toBe("message");
    expect(formFieldOf("mapping.2.target")).toBeNull();
    expect(formFieldOf("fileName")).toBeNull();
  });
});
