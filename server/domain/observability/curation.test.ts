// What a trace's generation becomes as a dataset or review item's input and expected output.
import { describe, expect, it } from "vitest";
import { inputOf, outputText } from "./curation";

describe("trace curation content", () => {
  it("prefers the recorded prompt variables, as JSON text or an object", () => {
    expect(inputOf('{"question":"Where is my order?"}', "ignored")).toEqual({ question: "Where is my order?" });
    expect(inputOf({ ticket: "Refund please" }, null)).toEqual({ ticket: "Refund please" });
  });

  it("takes the last user turn of a captured message list, else the raw text", () => {
    const messages = JSON.stringify([
      { role: "system", content: "Be brief." },
      { role: "user", content: "First question" },
      { role: "assistant", content: "Answer" },
      { role: "user", parts: [{ type: "text", content: "Follow-up" }] },
    ]);
    expect(inputOf(undefined, messages)).toEqual({ input: "Follow-up" });
    expect(inputOf("not json {", "plain prompt")).toEqual({ input: "plain prompt" });
    expect(inputOf(undefined, null)).toEqual({ input: "" });
  });

  it("reads the assistant text out of an output message list", () => {
    expect(outputText(JSON.stringify([{ role: "assistant", content: "It ships tomorrow." }]))).toBe("It ships tomorrow.");
    expect(outputText("[not json")).toBe("[not json");
    expect(outputText("plain")).toBe("plain");
    expect(outputText(null)).toBeNull();
  });
});
