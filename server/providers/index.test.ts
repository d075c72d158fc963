import { describe, expect, it } from "vitest";
import { createProvider } from "./index";
import { joinUrl } from "./http";

describe("createProvider", () => {
  it("builds each kind, named by the connection or its host", () => {
    expect(createProvider({ kind: "openai_compatible", apiKey: "sk-x" })).toMatchObject({ kind: "openai_compatible", name: "api.openai.com" });
    expect(createProvider({ kind: "anthropic", apiKey: "sk-ant" })).toMatchObject({ kind: "anthropic", name: "api.anthropic.com" });
    expect(createProvider({ kind: "openai_compatible", baseUrl: "http://localhost:11434/v1", name: " Ollama " })).toMatchObject({ name: "Ollama" });
    expect(createProvider({ kind: "simulated" })).toMatchObject({ kind: "simulated", name: "Simulated" });
  });

  it("refuses an unknown kind", () => {
    expect(() => createProvider({ kind: "cohere" as never })).toThrow(/Unknown provider kind "cohere"/);
  });

  it("calls the right URL for each kind, keeping a base URL's query string", async () => {
    const urls: string[] = [];
    const record: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response("{}", { status: 400 });
    };
    const req = { model: "m", messages: [] };
    await createProvider({ kind: "openai_compatible", baseUrl: "https://gw.example.com/openai/v1/?api-version=1" }, { fetch: record })
      .complete(req)
      .catch(() => {});
    await createProvider({ kind: "anthropic" }, { fetch: record })
      .complete(req)
      .catch(() => {});
    await createProvider({ kind: "anthropic", baseUrl: "https://proxy.example.com/anthropic/v1/" }, { fetch: record })
      .complete(req)
      .catch(() => {});
    expect(urls).toEqual([
      "https://gw.example.com/openai/v1/chat/completions?api-version=1",
      "https://api.anthropic.com/v1/messages",
      "https://proxy.example.com/anthropic/v1/messages",
    ]);
    expect(joinUrl("not a url/", "/x")).toBe("not a url/x");
  });
});
