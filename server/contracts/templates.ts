// {{variable}} templates: extracting variables and rendering. Pure functions shared by the editor,
// the playground and the public API. Values are inserted as text in one pass, so a value that
// itself contains {{...}} is never re-interpreted as template syntax.
import type { ChatMessage } from "./prompts";

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

export function extractVariables(template: string): string[] {
  const seen = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) seen.add(match[1]!);
  return [...seen];
}

export function extractVariablesFromMessages(messages: ChatMessage[]): string[] {
  return [...new Set(messages.flatMap((m) => extractVariables(m.content)))];
}

export type RenderReport = { missing: string[]; unused: string[] };

export function renderTemplate(template: string, values: Record<string, string>): { text: string } & RenderReport {
  const used = new Set<string>();
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    if (Object.hasOwn(values, name)) {
      used.add(name);
      return values[name]!;
    }
    missing.add(name);
    return whole;
  });
  return { text, missing: [...missing], unused: Object.keys(values).filter((k) => !used.has(k)) };
}

export function renderMessages(messages: ChatMessage[], values: Record<string, string>): { messages: ChatMessage[] } & RenderReport {
  const missing = new Set<string>();
  const used = new Set<string>();
  const rendered = messages.map((m) => {
    const r = renderTemplate(m.content, values);
    r.missing.forEach((v) => missing.add(v));
    Object.keys(values).filter((k) => !r.unused.includes(k)).forEach((k) => used.add(k));
    return { ...m, content: r.text };
  });
  return { messages: rendered, missing: [...missing], unused: Object.keys(values).filter((k) => !used.has(k)) };
}
