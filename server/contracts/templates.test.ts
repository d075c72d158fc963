import { describe, expect, it } from "vitest";
import { extractVariables, renderMessages, renderTemplate } from "./templates";

describe("templates", () => {
  it("extracts variables once each, in order, tolerating spaces", () => {
    expect(extractVariables("Hi {{name}}, about {{ topic }} and {{name}} again; not {{ 1bad }} or {single}")).toEqual(["name", "topic"]);
  });
  it("reports missing and unused variables", () => {
    expect(renderTemplate("Hello {{name}} from {{team}}", { name: "Ada", extra: "x" })).toEqual({ text: "Hello Ada from {{team}}", missing: ["team"], unused: ["extra"] });
  });
  it("inserts values as text, never as template syntax", () => {
    const r = renderTemplate("Q: {{question}} / {{secret}}", { question: "what is {{secret}}?", secret: "42" });
    expect(r.text).toBe("Q: what is {{secret}}? / 42");
  });
  it("does not treat $-patterns in values specially", () => {
    expect(renderTemplate("{{a}}", { a: "$& $1 $$" }).text).toBe("$& $1 $$");
  });
  it("renders chat messages and aggregates the report", () => {
    const r = renderMessages([{ role: "system", content: "You help {{company}}." }, { role: "user", content: "{{question}}" }], { company: "Acme", tone: "calm" });
    expect(r.messages[0]!.content).toBe("You help Acme.");
    expect(r.missing).toEqual(["question"]);
    expect(r.unused).toEqual(["tone"]);
  });
});
