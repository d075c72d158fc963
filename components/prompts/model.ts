// Client-side shapes of prompt content while it is edited: the template or messages, and the
// model configuration as form text (numbers and JSON are parsed and checked on the way out with
// the same zod schema the server uses).
import { modelConfig, type ChatMessage, type ModelConfig, type VersionContent } from "@/server/contracts/prompts";
import { contentProblems, extractVariables, extractVariablesFromMessages, type ContentProblem } from "@/server/contracts/templates";

export type PromptType = "text" | "chat";
export type EditableMessage = ChatMessage & { key: string };

export type ConfigDraft = {
  providerId: string;
  model: string;
  temperature: string;
  maxTokens: string;
  stop: string[];
  responseFormat: "" | "text" | "json_object" | "json_schema";
  schemaName: string;
  schemaText: string;
  strict: boolean;
  toolsText: string;
};

/** One variable's declaration as edited: "has default" is separate so an empty default differs from none. */
export type VariableDraft = { description: string; hasDefault: boolean; default: string };

export type ContentDraft = {
  type: PromptType;
  template: string;
  messages: EditableMessage[];
  config: ConfigDraft;
  /** Declarations by name; kept for variables removed from the text (typing them back restores them), sent only for used ones. */
  variables: Record<string, VariableDraft>;
};

export type VersionLike = { template?: string | null; messages?: unknown; config?: unknown; variableDetails?: unknown };

export const EMPTY_VARIABLE: VariableDraft = { description: "", hasDefault: false, default: "" };

/** A version's stored declarations ({ name: { description, default } }) as drafts. */
export function variablesToDraft(value: unknown): Record<string, VariableDraft> {
  const out: Record<string, VariableDraft> = {};
  if (!value || typeof value !== "object") return out;
  for (const [name, d] of Object.entries(value as Record<string, { description?: unknown; default?: unknown }>)) {
    const dflt = typeof d?.default === "string" ? d.default : null;
    out[name] = { description: typeof d?.description === "string" ? d.description : "", hasDefault: dflt !== null, default: dflt ?? "" };
  }
  return out;
}

// A message's key is part of element ids (its move buttons, its problem text). Messages added while
// editing take the next number; a draft built while rendering (a new one, or from a version) is
// built on the server and again in the browser, so its keys come from positions, or the ids of the
// server's HTML would not match the browser's (React leaves such attributes as the server wrote them).
let keyCounter = 0;
export function messageKey(): string {
  keyCounter += 1;
  return `m${keyCounter}`;
}

export const EMPTY_CONFIG: ConfigDraft = {
  providerId: "",
  model: "",
  temperature: "",
  maxTokens: "",
  stop: [],
  responseFormat: "",
  schemaName: "",
  schemaText: "",
  strict: false,
  toolsText: "",
};

export function newDraft(type: PromptType): ContentDraft {
  return {
    type,
    template: "",
    messages: [
      { key: "new-0", role: "system", content: "" },
      { key: "new-1", role: "user", content: "" },
    ],
    config: EMPTY_CONFIG,
    variables: {},
  };
}

export function asConfig(value: unknown): ModelConfig {
  return value && typeof value === "object" ? (value as ModelConfig) : {};
}

export function asMessages(value: unknown): ChatMessage[] {
  return Array.isArray(value) ? (value as ChatMessage[]) : [];
}

export function configToDraft(config: ModelConfig): ConfigDraft {
  const rf = config.responseFormat;
  return {
    providerId: config.providerId ?? "",
    model: config.model ?? "",
    temperature: config.temperature === undefined ? "" : String(config.temperature),
    maxTokens: config.maxTokens === undefined ? "" : String(config.maxTokens),
    stop: config.stop ?? [],
    responseFormat: rf?.type ?? "",
    schemaName: rf?.type === "json_schema" ? rf.name : "",
    schemaText: rf?.type === "json_schema" ? JSON.stringify(rf.schema, null, 2) : "",
    strict: rf?.type === "json_schema" ? !!rf.strict : false,
    toolsText: config.tools?.length ? JSON.stringify(config.tools, null, 2) : "",
  };
}

export function draftFromVersion(type: PromptType, version: VersionLike): ContentDraft {
  return {
    type,
    template: version.template ?? "",
    messages: asMessages(version.messages).map((m, i) => ({ key: `v-${i}`, role: m.role, content: m.content })),
    config: configToDraft(asConfig(version.config)),
    variables: variablesToDraft(version.variableDetails),
  };
}

export type ConfigErrors = Partial<Record<"temperature" | "maxTokens" | "stop" | "schemaName" | "schemaText" | "toolsText" | "config", string>>;

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${error instanceof Error ? error.message : "parse error"}` };
  }
}

/** The draft as a ModelConfig, or the problems, keyed by form field. */
export function draftToConfig(draft: ConfigDraft): { config: ModelConfig; errors: ConfigErrors } {
  const errors: ConfigErrors = {};
  const config: Record<string, unknown> = {};
  if (draft.providerId) config.providerId = draft.providerId;
  if (draft.model.trim()) config.model = draft.model.trim();
  if (draft.temperature.trim()) {
    const t = Number(draft.temperature);
    if (!Number.isFinite(t) || t < 0 || t > 2) errors.temperature = "Temperature must be a number between 0 and 2";
    else config.temperature = t;
  }
  if (draft.maxTokens.trim()) {
    const n = Number(draft.maxTokens);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) errors.maxTokens = "Max tokens must be a whole number from 1 to 1,000,000";
    else config.maxTokens = n;
  }
  const stop = draft.stop.filter((s) => s !== "");
  if (stop.length > 4) errors.stop = "At most 4 stop sequences";
  else if (stop.length) config.stop = stop;
  if (draft.responseFormat === "text" || draft.responseFormat === "json_object") config.responseFormat = { type: draft.responseFormat };
  if (draft.responseFormat === "json_schema") {
    if (!/^[\w-]{1,64}$/.test(draft.schemaName)) errors.schemaName = "Schema name is required: letters, digits, _ and -";
    const parsed = parseJson(draft.schemaText || "");
    if (!parsed.ok) errors.schemaText = draft.schemaText.trim() ? parsed.message : "JSON Schema is required";
    else if (!parsed.value || typeof parsed.value !== "object" || Array.isArray(parsed.value)) errors.schemaText = "The JSON Schema must be an object";
    else config.responseFormat = { type: "json_schema", name: draft.schemaName, schema: parsed.value, ...(draft.strict ? { strict: true } : {}) };
  }
  if (draft.toolsText.trim()) {
    const parsed = parseJson(draft.toolsText);
    if (!parsed.ok) errors.toolsText = parsed.message;
    else if (!Array.isArray(parsed.value)) errors.toolsText = "Tools must be a JSON array of { name, description?, parameters }";
    else config.tools = parsed.value;
  }
  if (Object.keys(errors).length === 0) {
    const checked = modelConfig.safeParse(config);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue?.path.join(".") ?? "config";
      const message = `${where}: ${issue?.message ?? "is not valid"}`;
      if (where.startsWith("tools")) errors.toolsText = message;
      else if (where.startsWith("responseFormat")) errors.schemaText = message;
      else errors.config = message;
    } else {
      return { config: checked.data, errors };
    }
  }
  return { config: config as ModelConfig, errors };
}

/** Declarations of the variables the draft uses that say something (what the server stores). */
export function draftDeclarations(draft: ContentDraft): Record<string, { description: string; default: string | null }> {
  const out: Record<string, { description: string; default: string | null }> = {};
  for (const name of draftVariables(draft)) {
    const v = draft.variables[name];
    if (!v) continue;
    const description = v.description.trim();
    if (description !== "" || v.hasDefault) out[name] = { description, default: v.hasDefault ? v.default : null };
  }
  return out;
}

export function draftToContent(draft: ContentDraft): { content: VersionContent; errors: ConfigErrors } {
  const { config, errors } = draftToConfig(draft.config);
  const variableDetails = draftDeclarations(draft);
  const content: VersionContent =
    draft.type === "text"
      ? { type: "text", template: draft.template, config, variableDetails }
      : { type: "chat", messages: draft.messages.map(({ role, content }) => ({ role, content })), config, variableDetails };
  return { content, errors };
}

/** What the server would refuse about the draft's content (empty text, {{ }} syntax), as the editor shows it. */
export function draftProblems(draft: ContentDraft): ContentProblem[] {
  return contentProblems(draft.type === "text" ? { type: "text", template: draft.template } : { type: "chat", messages: draft.messages });
}

export function draftVariables(draft: Pick<ContentDraft, "type" | "template" | "messages">): string[] {
  return draft.type === "text" ? extractVariables(draft.template) : extractVariablesFromMessages(draft.messages);
}

/** A comparable key of the content (what the server hashes), for "unsaved changes" checks. */
export function contentKey(draft: ContentDraft): string {
  const { content } = draftToContent(draft);
  return JSON.stringify(content);
}

/** Path of a prompt page: folders of the name are path segments. */
export function promptHref(
  orgSlug: string,
  projectSlug: string,
  name: string,
  action?: "edit" | "compare",
  query?: Record<string, string | number | undefined>,
): string {
  const path = `/o/${orgSlug}/p/${projectSlug}/prompts/${name.split("/").map(encodeURIComponent).join("/")}${action ? `/~${action}` : ""}`;
  const qs = new URLSearchParams(
    Object.entries(query ?? {})
      .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== "")
      .map(([k, v]) => [k, String(v)]),
  ).toString();
  return qs ? `${path}?${qs}` : path;
}

export function playgroundHref(orgSlug: string, projectSlug: string, name?: string, version?: number): string {
  const qs = new URLSearchParams();
  if (name) qs.set("prompt", name);
  if (version) qs.set("version", String(version));
  const q = qs.toString();
  return `/o/${orgSlug}/p/${projectSlug}/playground${q ? `?${q}` : ""}`;
}

/** Comma-separated tags, checked like the server does. */
export function parseTags(text: string): { tags: string[]; error?: string } {
  const tags = [
    ...new Set(
      text
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  const bad = tags.find((t) => !/^[\w.-]{1,40}$/.test(t));
  if (bad) return { tags, error: `Tag "${bad}" may use letters, digits, . _ - (up to 40 characters)` };
  if (tags.length > 20) return { tags, error: "At most 20 tags" };
  return { tags };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** JSON with object keys sorted, so equal values compare and display the same whatever their key order. */
export function stableJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent) ?? "";
}
