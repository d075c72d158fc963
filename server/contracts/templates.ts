// {{variable}} templates: the grammar, the syntax check, extracting variables, and THE rule for
// rendering. Pure functions shared by the editor, the playground, the evaluation worker, the
// gateway, the pre-run coverage check and the public API, so they cannot disagree:
//   - a variable with a value (its key is present, any string, "" included) uses that value;
//   - without a value it uses the default its prompt version declares;
//   - with neither, rendering fails: "Missing variables: <names>" (missingVariablesMessage).
// One linear scan (no regular expression over user text) reads a template; values are inserted
// as text in one pass, so a value that itself contains {{...}} is never re-interpreted.
import type { ChatMessage } from "./prompts";

/** A variable name: a letter or _, then letters, digits, _ . - (checked by hand, see isVariableName). */
export const VARIABLE_NAME_RULE = "starts with a letter or _ and uses letters, digits, _ . -";

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}
export function isVariableName(s: string): boolean {
  if (s.length === 0 || !isNameStart(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) if (!isNameChar(s.charCodeAt(i))) return false;
  return true;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** At most this many problems are reported per template (the first ones are what an editor shows). */
export const MAX_TEMPLATE_PROBLEMS = 100;

export type TemplateProblem = {
  /** 0-based offset into the template. */
  offset: number;
  /** 1-based line and column (in UTF-16 units, as editors count). */
  line: number;
  column: number;
  message: string;
};

type Token = { kind: "text"; text: string } | { kind: "variable"; name: string; raw: string; offset: number };

function position(template: string, offset: number, from: { offset: number; line: number; column: number }) {
  let { line, column } = from;
  for (let i = from.offset; i < offset; i++) {
    if (template.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { offset, line, column };
}

/**
 * Reads a template in one pass. `{{ name }}` is a variable; anything that is not (an unclosed
 * `{{`, `{{ }}` with an invalid name, a `}}` that closes nothing) stays text and is reported.
 * Single braces are text: they are counted so JSON examples (`{"a": {"b": 1}}`) are not mistaken
 * for a stray `}}`.
 */
export function parseTemplate(template: string): { tokens: Token[]; problems: TemplateProblem[] } {
  const tokens: Token[] = [];
  const problemOffsets: { offset: number; message: string }[] = [];
  const report = (offset: number, message: string) => {
    if (problemOffsets.length < MAX_TEMPLATE_PROBLEMS) problemOffsets.push({ offset, message });
  };
  let textStart = 0;
  let depth = 0; // single braces opened as text
  const n = template.length;
  const flush = (end: number) => {
    if (end > textStart) tokens.push({ kind: "text", text: template.slice(textStart, end) });
  };
  let i = 0;
  while (i < n) {
    const c = template.charCodeAt(i);
    if (c === 123 /* { */) {
      // "{{{x}}}": the first brace is text, "{{x}}" the variable.
      if (template.charCodeAt(i + 1) === 123 && template.charCodeAt(i + 2) !== 123) {
        // Find the first "}}" or "{{" after the opener (each character is looked at once).
        let j = i + 2;
        let close = -1;
        let reopen = -1;
        while (j < n - 1) {
          const d = template.charCodeAt(j);
          if (d === 125 && template.charCodeAt(j + 1) === 125) {
            close = j;
            break;
          }
          if (d === 123 && template.charCodeAt(j + 1) === 123) {
            reopen = j;
            break;
          }
          j++;
        }
        if (close < 0) {
          report(i, "{{ is never closed with }}");
          // Continue at the next "{{" (or the end): the opener is text.
          i = reopen < 0 ? n : reopen;
          continue;
        }
        let a = i + 2;
        let b = close;
        while (a < b && isSpace(template.charCodeAt(a))) a++;
        while (b > a && isSpace(template.charCodeAt(b - 1))) b--;
        const name = template.slice(a, b);
        if (isVariableName(name)) {
          flush(i);
          tokens.push({ kind: "variable", name, raw: template.slice(i, close + 2), offset: i });
          textStart = close + 2;
        } else {
          report(
            i,
            name === ""
              ? "{{ }} names no variable"
              : `{{${name.length > 40 ? `${name.slice(0, 40)}…` : name}}} is not a variable name (a name ${VARIABLE_NAME_RULE})`,
          );
        }
        i = close + 2;
        continue;
      }
      depth++;
      i++;
      continue;
    }
    if (c === 125 /* } */) {
      if (depth > 0) {
        depth--;
        i++;
        continue;
      }
      if (template.charCodeAt(i + 1) === 125) {
        report(i, "}} closes no {{");
        i += 2;
        continue;
      }
    }
    i++;
  }
  flush(n);
  let at = { offset: 0, line: 1, column: 1 };
  const problems = problemOffsets.map((p) => {
    at = position(template, p.offset, at);
    return { ...at, message: p.message };
  });
  return { tokens, problems };
}

/** Syntax problems of a template, in order ("{{ is never closed with }}" at line 2, column 5). */
export function checkTemplate(template: string): TemplateProblem[] {
  return parseTemplate(template).problems;
}

export function describeProblem(p: TemplateProblem): string {
  return `${p.message} (line ${p.line}, column ${p.column})`;
}

export function extractVariables(template: string): string[] {
  const seen = new Set<string>();
  for (const t of parseTemplate(template).tokens) if (t.kind === "variable") seen.add(t.name);
  return [...seen];
}

export function extractVariablesFromMessages(messages: ChatMessage[]): string[] {
  return [...new Set(messages.flatMap((m) => extractVariables(m.content)))];
}

// ---- declarations and the one rendering rule --------------------------------------------------

/** What a version declares about one variable: a description and an optional default (null: none). */
export type VariableDeclaration = { description: string; default: string | null };
export type VariableDeclarations = Record<string, VariableDeclaration>;

/** Every variable of a version with its declaration (an empty description and no default when none). */
export function declarationsFor(
  variables: readonly string[],
  declared: Readonly<Record<string, Partial<VariableDeclaration>>> | null | undefined,
): VariableDeclarations {
  const out: VariableDeclarations = {};
  for (const name of variables) {
    const d = declared && Object.hasOwn(declared, name) ? declared[name] : undefined;
    out[name] = { description: d?.description ?? "", default: d?.default ?? null };
  }
  return out;
}

/** Only the declarations that say something (what is stored and hashed): keeps old hashes valid. */
export function meaningfulDeclarations(declared: Readonly<Record<string, Partial<VariableDeclaration>>> | null | undefined): VariableDeclarations {
  const out: VariableDeclarations = {};
  for (const name of Object.keys(declared ?? {}).sort()) {
    const d = declared![name]!;
    const description = d.description ?? "";
    const dflt = d.default ?? null;
    if (description !== "" || dflt !== null) out[name] = { description, default: dflt };
  }
  return out;
}

/** The one message for a variable without a value or a default, everywhere Keel renders. */
export function missingVariablesMessage(missing: readonly string[]): string {
  return `Missing variables: ${missing.join(", ")}`;
}

export type Resolution = {
  /** The value each variable renders with. */
  values: Record<string, string>;
  /** Variables that took their declared default (no value given). */
  defaulted: string[];
  /** Variables with neither a value nor a default: rendering fails. */
  missing: string[];
};

/**
 * THE rule: a given value (key present, "" included) wins; otherwise the declared default;
 * otherwise the variable is missing.
 */
export function resolveVariables(
  variables: readonly string[],
  declarations: Readonly<Record<string, Partial<VariableDeclaration>>> | null | undefined,
  values: Readonly<Record<string, string>>,
): Resolution {
  const out: Record<string, string> = {};
  const defaulted: string[] = [];
  const missing: string[] = [];
  for (const name of variables) {
    if (Object.hasOwn(values, name)) out[name] = values[name]!;
    else {
      const d = declarations && Object.hasOwn(declarations, name) ? declarations[name]?.default : undefined;
      if (d !== undefined && d !== null) {
        out[name] = d;
        defaulted.push(name);
      } else missing.push(name);
    }
  }
  return { values: out, defaulted, missing };
}

export type RenderReport = { missing: string[]; unused: string[]; defaulted: string[] };

function renderTokens(tokens: Token[], values: Record<string, string>, missing: Set<string>): string {
  let text = "";
  for (const t of tokens) {
    if (t.kind === "text") text += t.text;
    else if (Object.hasOwn(values, t.name)) text += values[t.name]!;
    else {
      missing.add(t.name);
      text += t.raw;
    }
  }
  return text;
}

/** Renders one template. A variable left missing stays as written ({{name}}) and is reported. */
export function renderTemplate(
  template: string,
  values: Record<string, string>,
  declarations?: Readonly<Record<string, Partial<VariableDeclaration>>> | null,
): { text: string } & RenderReport {
  const r = renderMessages([{ role: "user", content: template }], values, declarations);
  return { text: r.messages[0]!.content, missing: r.missing, unused: r.unused, defaulted: r.defaulted };
}

export function renderMessages(
  messages: ChatMessage[],
  values: Record<string, string>,
  declarations?: Readonly<Record<string, Partial<VariableDeclaration>>> | null,
): { messages: ChatMessage[] } & RenderReport {
  const parsed = messages.map((m) => parseTemplate(m.content).tokens);
  const variables = [...new Set(parsed.flatMap((tokens) => tokens.flatMap((t) => (t.kind === "variable" ? [t.name] : []))))];
  const resolution = resolveVariables(variables, declarations, values);
  const missing = new Set<string>();
  const rendered = messages.map((m, i) => ({ ...m, content: renderTokens(parsed[i]!, resolution.values, missing) }));
  const used = new Set(variables);
  return { messages: rendered, missing: [...missing], unused: Object.keys(values).filter((k) => !used.has(k)), defaulted: resolution.defaulted };
}

/** A version's content as the messages sent to a model (a text template is one user message). */
export type RenderableContent = { type: "text"; template: string } | { type: "chat"; messages: ChatMessage[] };

/**
 * Renders a version's content with the one rule. `error` is "Missing variables: <names>" when a
 * variable has neither a value nor a default (callers refuse or fail the item with it, adding
 * their own hint after it), null otherwise.
 */
export function renderPrompt(
  content: RenderableContent,
  declarations: Readonly<Record<string, Partial<VariableDeclaration>>> | null | undefined,
  values: Record<string, string>,
): { messages: ChatMessage[]; error: string | null } & RenderReport {
  const r =
    content.type === "text"
      ? renderMessages([{ role: "user", content: content.template }], values, declarations)
      : renderMessages(content.messages, values, declarations);
  return { ...r, error: r.missing.length ? missingVariablesMessage(r.missing) : null };
}

// ---- saving: what a version's content must satisfy ------------------------------------------

export type ContentProblem = { path: (string | number)[]; message: string };

/**
 * Why content cannot be saved as a version: an empty template or message, template syntax, and
 * declarations of variables the content does not use. Paths are relative to the content
 * (["template"], ["messages", 1, "content"], ["variableDetails", "tone"]). The editor shows the
 * same problems as you type.
 */
export function contentProblems(
  content: { type: "text"; template: string } | { type: "chat"; messages: ChatMessage[] },
  variableDetails?: Readonly<Record<string, unknown>> | null,
): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const templates: { path: (string | number)[]; text: string; label: string }[] =
    content.type === "text"
      ? [{ path: ["template"], text: content.template, label: "The template" }]
      : content.messages.map((m, i) => ({ path: ["messages", i, "content"], text: m.content, label: `Message ${i + 1}` }));
  for (const t of templates) {
    if (t.text.trim() === "") {
      problems.push({
        path: t.path,
        message: content.type === "text" ? "The template is empty: write the prompt" : `${t.label} is empty: write its content or remove it`,
      });
      continue;
    }
    const first = checkTemplate(t.text)[0];
    if (first) problems.push({ path: t.path, message: `${t.label}: ${describeProblem(first)}` });
  }
  if (variableDetails) {
    const used = new Set(content.type === "text" ? extractVariables(content.template) : extractVariablesFromMessages(content.messages));
    for (const name of Object.keys(variableDetails)) {
      if (!used.has(name))
        problems.push({
          path: ["variableDetails", name],
          message: `declares "${name}", which the ${content.type === "text" ? "template does" : "messages do"} not use`,
        });
    }
  }
  return problems;
}
