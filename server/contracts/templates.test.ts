import { describe, expect, it } from "vitest";
import { versionContent } from "./prompts";
import {
  checkTemplate,
  contentProblems,
  extractVariables,
  meaningfulDeclarations,
  missingVariablesMessage,
  renderMessages,
  renderPrompt,
  renderTemplate,
  resolveVariables,
} from "./templates";

describe("templates", () => {
  it("extracts variables once each, in order, tolerating spaces", () => {
    expect(extractVariables("Hi {{name}}, about {{ topic }} and {{name}} again; not {{ 1bad }} or {single}")).toEqual(["name", "topic"]);
  });
  it("reports missing and unused variables", () => {
    expect(renderTemplate("Hello {{name}} from {{team}}", { name: "Ada", extra: "x" })).toEqual({
      text: "Hello Ada from {{team}}",
      missing: ["team"],
      unused: ["extra"],
      defaulted: [],
    });
  });
  it("inserts values as text, never as template syntax", () => {
    const r = renderTemplate("Q: {{question}} / {{secret}}", { question: "what is {{secret}}?", secret: "42" });
    expect(r.text).toBe("Q: what is {{secret}}? / 42");
  });
  it("does not treat $-patterns in values specially", () => {
    expect(renderTemplate("{{a}}", { a: "$& $1 $$" }).text).toBe("$& $1 $$");
  });
  it("renders chat messages and aggregates the report", () => {
    const r = renderMessages(
      [
        { role: "system", content: "You help {{company}}." },
        { role: "user", content: "{{question}}" },
      ],
      { company: "Acme", tone: "calm" },
    );
    expect(r.messages[0]!.content).toBe("You help Acme.");
    expect(r.missing).toEqual(["question"]);
    expect(r.unused).toEqual(["tone"]);
  });
  it("keeps a triple brace's outer braces as text", () => {
    expect(renderTemplate("{{{x}}}", { x: "1" }).text).toBe("{1}");
    expect(checkTemplate("{{{x}}}")).toEqual([]);
  });
});

describe("the one rendering rule", () => {
  const declared = { tone: { description: "How to sound", default: "calm" }, name: { description: "", default: null }, sign: { description: "", default: "" } };

  it("uses a given value, the empty string included, over the default", () => {
    expect(resolveVariables(["tone"], declared, { tone: "" })).toEqual({ values: { tone: "" }, defaulted: [], missing: [] });
    expect(resolveVariables(["tone"], declared, { tone: "stern" }).values).toEqual({ tone: "stern" });
  });
  it("falls back to the declared default when no value is given (an empty default is a default)", () => {
    expect(resolveVariables(["tone", "sign"], declared, {})).toEqual({ values: { tone: "calm", sign: "" }, defaulted: ["tone", "sign"], missing: [] });
  });
  it("fails with the same message when there is neither", () => {
    const r = renderPrompt({ type: "text", template: "{{name}} in a {{tone}} voice, {{mood}}" }, declared, {});
    expect(r.error).toBe("Missing variables: name, mood");
    expect(r.missing).toEqual(["name", "mood"]);
    expect(r.messages).toEqual([{ role: "user", content: "{{name}} in a calm voice, {{mood}}" }]);
    expect(missingVariablesMessage(["tone"])).toBe("Missing variables: tone");
  });
  it("renders chat content with defaults and no error when everything resolves", () => {
    const r = renderPrompt(
      {
        type: "chat",
        messages: [
          { role: "system", content: "Be {{tone}}." },
          { role: "user", content: "{{name}}" },
        ],
      },
      declared,
      { name: "Ada" },
    );
    expect(r.error).toBeNull();
    expect(r.defaulted).toEqual(["tone"]);
    expect(r.messages.map((m) => m.content)).toEqual(["Be calm.", "Ada"]);
  });
  it("does not take a default from the prototype chain", () => {
    expect(resolveVariables(["toString"], {}, {}).missing).toEqual(["toString"]);
  });
  it("stores and hashes only declarations that say something, in name order", () => {
    expect(meaningfulDeclarations({ b: { description: "", default: null }, z: { description: "x", default: null }, a: { default: "" } })).toEqual({
      a: { description: "", default: "" },
      z: { description: "x", default: null },
    });
  });
});

describe("template syntax", () => {
  it("accepts well-formed templates and JSON examples with single braces", () => {
    expect(checkTemplate('Hi {{ name }}. Answer as {"a": {"b": 1}} and {x}.')).toEqual([]);
  });
  it("flags an unclosed {{ with its line and column", () => {
    expect(checkTemplate("Hello\n  {{name and bye")).toEqual([{ offset: 8, line: 2, column: 3, message: "{{ is never closed with }}" }]);
  });
  it("flags an unclosed {{ before a later variable, and still reads the later one", () => {
    const text = "a {{ b {{c}}";
    expect(checkTemplate(text).map((p) => [p.column, p.message])).toEqual([[3, "{{ is never closed with }}"]]);
    expect(extractVariables(text)).toEqual(["c"]);
  });
  it("flags }} without an opener", () => {
    expect(checkTemplate("name}} here")).toEqual([{ offset: 4, line: 1, column: 5, message: "}} closes no {{" }]);
  });
  it("flags {{ }} with an invalid or no name", () => {
    expect(checkTemplate("x {{first name}}")[0]).toMatchObject({ column: 3, message: expect.stringContaining("{{first name}} is not a variable name") });
    expect(checkTemplate("{{ }}")[0]).toMatchObject({ column: 1, message: "{{ }} names no variable" });
    expect(checkTemplate("{{1bad}}")).toHaveLength(1);
  });
  it("is linear on hostile input", () => {
    // 50k openers without a closer, 100k stray closers: one pass each, the first 100 problems reported.
    expect(checkTemplate("{{ a".repeat(50_000)).length).toBe(100);
    const closers = checkTemplate(`${"x\n".repeat(1000)}${"}}".repeat(100_000)}`);
    expect(closers.length).toBe(100);
    expect(closers[99]).toMatchObject({ line: 1001, column: 199 });
    expect(extractVariables(`{{${"a".repeat(500_000)}`)).toEqual([]);
  });
});

describe("content a version can be saved with", () => {
  it("refuses an empty template and empty messages", () => {
    expect(contentProblems({ type: "text", template: "  \n" })).toEqual([{ path: ["template"], message: "The template is empty: write the prompt" }]);
    expect(
      contentProblems({
        type: "chat",
        messages: [
          { role: "system", content: "Hi" },
          { role: "user", content: "" },
        ],
      }),
    ).toEqual([{ path: ["messages", 1, "content"], message: "Message 2 is empty: write its content or remove it" }]);
  });
  it("names the position of a syntax error", () => {
    expect(contentProblems({ type: "chat", messages: [{ role: "user", content: "Hi {{name" }] })).toEqual([
      { path: ["messages", 0, "content"], message: "Message 1: {{ is never closed with }} (line 1, column 4)" },
    ]);
  });
  it("refuses declarations of variables the content does not use", () => {
    expect(contentProblems({ type: "text", template: "{{a}}" }, { a: {}, b: {} })).toEqual([
      { path: ["variableDetails", "b"], message: 'declares "b", which the template does not use' },
    ]);
  });
  it("is what the versionContent schema enforces", () => {
    const bad = versionContent.safeParse({ type: "text", template: "Hi {{name", variableDetails: { name: { default: 3 } } });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toContain("variableDetails.name.default");
    const good = versionContent.parse({ type: "text", template: "Hi {{name}}", variableDetails: { name: { default: "" } } });
    expect(good.variableDetails).toEqual({ name: { description: "", default: "" } });
    expect(versionContent.safeParse({ type: "text", template: "Hi {{name}}", variableDetails: { "bad name": {} } }).success).toBe(false);
  });
});
