"use client";
// The evaluator form: one field set per kind, built from the kind's zod schema in
// server/contracts/evaluators.ts (same defaults, bounds and messages). It checks the
// configuration with that schema before sending; the server's own checks (a regex or JSON Schema
// that does not compile, a judge prompt that does not exist) come back as `config.<field>` and are
// shown on the field. Used to create an evaluator and to save a new version of one.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import {
  EVALUATOR_KINDS,
  EVALUATOR_KIND_INFO,
  JUDGE_PROMPT_VARIABLES,
  evaluatorConfig,
  evaluatorName,
  type EvaluatorConfigInput,
  type EvaluatorKind,
} from "@/server/contracts/evaluators";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Checkbox, Dialog, Input, Select, Textarea } from "@/components/ui";
import { errorInfo, focusFirstInvalid, phraseFieldMessage } from "@/components/lib/errors";

/** The form's values as typed: text for numbers (so a field can be empty), booleans for switches. */
export type EvaluatorDraft = {
  kind: EvaluatorKind;
  caseSensitive: boolean;
  trim: boolean;
  value: string;
  pattern: string;
  flags: string;
  schema: string;
  threshold: string;
  tolerance: string;
  relative: boolean;
  min: string;
  max: string;
  unit: "chars" | "words";
  maxMs: string;
  maxUsd: string;
  promptName: string;
  /** "v:3" or "l:production". */
  promptRef: string;
  providerId: string;
  model: string;
  scaleMin: string;
  scaleMax: string;
  passAt: string;
};

const BLANK: EvaluatorDraft = {
  kind: "contains",
  caseSensitive: false,
  trim: true,
  value: "",
  pattern: "",
  flags: "",
  schema: '{\n  "type": "object",\n  "required": []\n}',
  threshold: "0.8",
  tolerance: "0",
  relative: false,
  min: "",
  max: "",
  unit: "chars",
  maxMs: "",
  maxUsd: "",
  promptName: "",
  promptRef: "",
  providerId: "",
  model: "",
  scaleMin: "1",
  scaleMax: "5",
  passAt: "4",
};

/** Case sensitivity defaults differ per kind (exact match: on; contains, similarity: off). */
function withKind(draft: EvaluatorDraft, kind: EvaluatorKind): EvaluatorDraft {
  return { ...draft, kind, caseSensitive: kind === "exact_match" };
}

export function draftFromConfig(config: unknown): EvaluatorDraft {
  const c = (config ?? {}) as Record<string, unknown>;
  const kind = (EVALUATOR_KINDS as readonly string[]).includes(String(c.kind)) ? (c.kind as EvaluatorKind) : "contains";
  const str = (v: unknown, fallback: string) => (v === undefined || v === null ? fallback : String(v));
  const scale = (c.scale ?? {}) as { min?: number; max?: number };
  return {
    ...withKind(BLANK, kind),
    caseSensitive: typeof c.caseSensitive === "boolean" ? c.caseSensitive : kind === "exact_match",
    trim: typeof c.trim === "boolean" ? c.trim : true,
    value: str(c.value, ""),
    pattern: str(c.pattern, ""),
    flags: str(c.flags, ""),
    schema: c.schema ? JSON.stringify(c.schema, null, 2) : BLANK.schema,
    threshold: str(c.threshold, BLANK.threshold),
    tolerance: str(c.tolerance, BLANK.tolerance),
    relative: c.relative === true,
    min: str(c.min, ""),
    max: str(c.max, ""),
    unit: c.unit === "words" ? "words" : "chars",
    maxMs: str(c.maxMs, ""),
    maxUsd: str(c.maxUsd, ""),
    promptName: str(c.promptName, ""),
    promptRef: c.promptVersion ? `v:${String(c.promptVersion)}` : c.promptLabel ? `l:${String(c.promptLabel)}` : "",
    providerId: str(c.providerId, ""),
    model: str(c.model, ""),
    scaleMin: str(scale.min, BLANK.scaleMin),
    scaleMax: str(scale.max, BLANK.scaleMax),
    passAt: str(c.passAt, BLANK.passAt),
  };
}

/** Numbers from text: empty stays undefined (the schema then applies its default or says it is required); junk stays NaN and fails. */
const num = (text: string): number | undefined => (text.trim() === "" ? undefined : Number(text.trim()));

/** The configuration the draft describes, or the field errors that stop it from being one. */
export function configFromDraft(d: EvaluatorDraft): { config: EvaluatorConfigInput; errors: null } | { config: null; errors: Record<string, string> } {
  let raw: Record<string, unknown>;
  switch (d.kind) {
    case "exact_match":
      raw = { kind: d.kind, caseSensitive: d.caseSensitive, trim: d.trim };
      break;
    case "contains":
    case "not_contains":
      raw = { kind: d.kind, caseSensitive: d.caseSensitive, ...(d.value !== "" ? { value: d.value } : {}) };
      break;
    case "regex":
      raw = { kind: d.kind, pattern: d.pattern, flags: d.flags.trim() };
      break;
    case "valid_json":
      raw = { kind: d.kind };
      break;
    case "json_schema": {
      try {
        raw = { kind: d.kind, schema: JSON.parse(d.schema) as unknown };
      } catch (error) {
        return { config: null, errors: { schema: `Not valid JSON: ${(error as Error).message}` } };
      }
      break;
    }
    case "levenshtein":
      raw = { kind: d.kind, threshold: num(d.threshold), caseSensitive: d.caseSensitive };
      break;
    case "numeric":
      raw = { kind: d.kind, tolerance: num(d.tolerance), relative: d.relative };
      break;
    case "length":
      raw = { kind: d.kind, min: num(d.min), max: num(d.max), unit: d.unit };
      break;
    case "latency":
      raw = { kind: d.kind, maxMs: num(d.maxMs) };
      break;
    case "cost":
      raw = { kind: d.kind, maxUsd: num(d.maxUsd) };
      break;
    case "llm_judge":
      raw = {
        kind: d.kind,
        promptName: d.promptName,
        ...(d.promptRef.startsWith("v:")
          ? { promptVersion: Number(d.promptRef.slice(2)) }
          : d.promptRef.startsWith("l:")
            ? { promptLabel: d.promptRef.slice(2) }
            : {}),
        providerId: d.providerId,
        ...(d.model.trim() ? { model: d.model.trim() } : {}),
        scale: { min: num(d.scaleMin), max: num(d.scaleMax) },
        passAt: num(d.passAt),
      };
      break;
  }
  // Drop undefined keys so defaults apply.
  const config = JSON.parse(JSON.stringify(raw, (_k, v: unknown) => (typeof v === "number" && Number.isNaN(v) ? "not a number" : v))) as Record<
    string,
    unknown
  >;
  const parsed = evaluatorConfig.safeParse(config);
  if (parsed.success) return { config: config as EvaluatorConfigInput, errors: null };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = fieldKey(issue.path.map(String).join("."));
    if (!errors[key])
      errors[key] = phraseFieldMessage(
        issue.message === "Invalid input: expected number, received string" ? "must be a number" : issue.message,
        key,
        FIELD_LABELS[key] ?? key,
      );
  }
  return { config: null, errors };
}

const FIELD_LABELS: Record<string, string> = {
  value: "Text",
  pattern: "Pattern",
  flags: "Flags",
  schema: "JSON Schema",
  threshold: "Threshold",
  tolerance: "Tolerance",
  min: "Minimum",
  max: "Maximum",
  unit: "Unit",
  maxMs: "Maximum latency",
  maxUsd: "Maximum cost",
  promptName: "Judge prompt",
  promptRef: "Version or label",
  providerId: "Provider",
  model: "Model",
  scaleMin: "Lowest score",
  scaleMax: "Highest score",
  passAt: "Pass at",
  kind: "Kind",
};

/** A schema path ("scale.max", "promptVersion") to the form field showing it. */
function fieldKey(path: string): string {
  if (path === "scale.min") return "scaleMin";
  if (path === "scale.max" || path === "scale") return "scaleMax";
  if (path === "promptVersion" || path === "promptLabel") return "promptRef";
  return path || "kind";
}

type Mode = { type: "create" } | { type: "version"; name: string; description: string };

export function EvaluatorDialog({
  orgSlug,
  projectSlug,
  mode,
  initial,
  onClose,
  onSaved,
}: {
  orgSlug: string;
  projectSlug: string;
  mode: Mode;
  initial?: EvaluatorDraft;
  onClose: () => void;
  onSaved: (result: { name: string; version: number; changed: boolean }) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [draft, setDraft] = useState<EvaluatorDraft>(initial ?? BLANK);
  const [name, setName] = useState("");
  const [description, setDescription] = useState(mode.type === "version" ? mode.description : "");
  const [commitMessage, setCommitMessage] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  function onError(error: unknown) {
    const info = errorInfo(error);
    const path = info.field ?? "";
    if (path === "name" || path === "description" || path === "commitMessage") {
      setErrors({
        [path]: phraseFieldMessage(
          info.message.replace(/^\w+: /, ""),
          path,
          path === "name" ? "Name" : path === "description" ? "Description" : "Change message",
        ),
      });
    } else if (path.startsWith("config")) {
      const key = fieldKey(path.replace(/^config\.?/, ""));
      const message = info.message.replace(/^config[\w.]*:? /, "");
      setErrors({ [key]: phraseFieldMessage(message, key, FIELD_LABELS[key] ?? key) });
    } else setFormError(info.message);
    focusFirstInvalid(formId);
  }

  const done = async (result: { name: string; version: number; changed: boolean }) => {
    await queryClient.invalidateQueries({ queryKey: trpc.evaluators.list.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.evaluators.get.queryKey({ orgSlug, projectSlug, name: result.name }) });
    onSaved(result);
  };
  const create = useMutation(trpc.evaluators.create.mutationOptions({ onSuccess: (r) => done({ ...r, changed: true }), onError }));
  const save = useMutation(
    trpc.evaluators.saveVersion.mutationOptions({ onSuccess: (r) => done({ name: mode.type === "version" ? mode.name : "", ...r }), onError }),
  );

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const next: Record<string, string> = {};
    if (mode.type === "create") {
      const parsedName = evaluatorName.safeParse(name.trim());
      if (!parsedName.success) next.name = phraseFieldMessage(parsedName.error.issues[0]?.message ?? "is not valid", "name", "Name");
    }
    const result = configFromDraft(draft);
    if (result.errors) Object.assign(next, result.errors);
    setErrors(next);
    if (Object.keys(next).length || !result.config) return focusFirstInvalid(formId);
    if (mode.type === "create") create.mutate({ orgSlug, projectSlug, name: name.trim(), description: description.trim(), config: result.config });
    else save.mutate({ orgSlug, projectSlug, name: mode.name, config: result.config, commitMessage: commitMessage.trim(), description: description.trim() });
  }

  const pending = create.isPending || save.isPending;
  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      title={mode.type === "create" ? "New evaluator" : `Save a new version of ${mode.name}`}
      description={
        mode.type === "create"
          ? "An evaluator scores each answer of a run. Changing it later makes a new version; runs keep the version they used."
          : "Runs started from now on use the new version; earlier runs keep theirs."
      }
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={pending}>
            {mode.type === "create" ? "Create evaluator" : "Save new version"}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        onSubmit={onSubmit}
        noValidate
        aria-label={mode.type === "create" ? "New evaluator" : "New evaluator version"}
        className="flex flex-col gap-4"
      >
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        {mode.type === "create" ? (
          <Input
            label="Name"
            value={name}
            error={errors.name}
            onChange={(e) => setName(e.target.value)}
            placeholder="mentions-refund"
            className="font-mono"
            spellCheck={false}
            autoComplete="off"
            hint="Letters, digits, . _ and -. Runs, the API and the CLI refer to the evaluator by this name."
          />
        ) : null}
        <Textarea
          label="Description"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          value={description}
          error={errors.description}
          onChange={(e) => setDescription(e.target.value)}
          maxLength={2000}
          className="min-h-14"
        />
        <EvaluatorFields orgSlug={orgSlug} projectSlug={projectSlug} draft={draft} errors={errors} onChange={(next) => setDraft(next)} />
        {mode.type === "version" ? (
          <Input
            label="Change message"
            labelAside={<span className="text-xs text-zinc-500">optional</span>}
            value={commitMessage}
            error={errors.commitMessage}
            onChange={(e) => setCommitMessage(e.target.value)}
            maxLength={500}
            placeholder="Stricter threshold"
          />
        ) : null}
      </form>
    </Dialog>
  );
}

function Row({ children }: { children: ReactNode }) {
  return <div className="grid gap-4 sm:grid-cols-2">{children}</div>;
}

/** The kind selector and the kind's own fields. */
export function EvaluatorFields({
  orgSlug,
  projectSlug,
  draft: d,
  errors,
  onChange,
}: {
  orgSlug: string;
  projectSlug: string;
  draft: EvaluatorDraft;
  errors: Record<string, string>;
  onChange: (draft: EvaluatorDraft) => void;
}) {
  const set = <K extends keyof EvaluatorDraft>(key: K, value: EvaluatorDraft[K]) => onChange({ ...d, [key]: value });
  const text = (key: keyof EvaluatorDraft) => (e: { target: { value: string } }) => set(key, e.target.value as never);
  return (
    <fieldset className="flex flex-col gap-4 rounded-md border border-zinc-200 px-4 pt-2 pb-4">
      <legend className="px-1 text-[13px] font-medium text-zinc-800">Configuration</legend>
      <Select
        label="Kind"
        value={d.kind}
        error={errors.kind}
        onChange={(e) => onChange(withKind(d, e.target.value as EvaluatorKind))}
        hint={EVALUATOR_KIND_INFO[d.kind].description}
      >
        {EVALUATOR_KINDS.map((k) => (
          <option key={k} value={k}>
            {EVALUATOR_KIND_INFO[k].label}
          </option>
        ))}
      </Select>
      {d.kind === "exact_match" ? (
        <Row>
          <Checkbox label="Case sensitive" checked={d.caseSensitive} onChange={(e) => set("caseSensitive", e.target.checked)} />
          <Checkbox label="Ignore surrounding whitespace" checked={d.trim} onChange={(e) => set("trim", e.target.checked)} />
        </Row>
      ) : null}
      {d.kind === "contains" || d.kind === "not_contains" ? (
        <>
          <Textarea
            label="Text"
            labelAside={<span className="text-xs text-zinc-500">optional</span>}
            value={d.value}
            error={errors.value}
            onChange={text("value")}
            className="min-h-14 font-mono text-xs"
            spellCheck={false}
            hint={
              d.kind === "contains"
                ? "The output must contain this. Leave empty to use each item's expected output."
                : "The output must not contain this. Leave empty to use each item's expected output."
            }
          />
          <Checkbox label="Case sensitive" checked={d.caseSensitive} onChange={(e) => set("caseSensitive", e.target.checked)} />
        </>
      ) : null}
      {d.kind === "regex" ? (
        <Row>
          <Input
            label="Pattern"
            value={d.pattern}
            error={errors.pattern}
            onChange={text("pattern")}
            className="font-mono"
            spellCheck={false}
            autoComplete="off"
            placeholder="refund|return"
            hint="JavaScript regular expression, without slashes."
          />
          <Input
            label="Flags"
            labelAside={<span className="text-xs text-zinc-500">optional</span>}
            value={d.flags}
            error={errors.flags}
            onChange={text("flags")}
            className="font-mono"
            spellCheck={false}
            autoComplete="off"
            placeholder="i"
            hint="Any of i, m, s, u."
          />
        </Row>
      ) : null}
      {d.kind === "valid_json" ? <p className="text-xs text-zinc-500">Nothing to configure: an output passes when it parses as JSON.</p> : null}
      {d.kind === "json_schema" ? (
        <Textarea
          label="JSON Schema"
          value={d.schema}
          error={errors.schema}
          onChange={text("schema")}
          className="min-h-40 font-mono text-xs"
          spellCheck={false}
          hint="The output is parsed as JSON (a ```json block counts) and must match this schema."
        />
      ) : null}
      {d.kind === "levenshtein" ? (
        <Row>
          <Input
            label="Threshold"
            inputMode="decimal"
            value={d.threshold}
            error={errors.threshold}
            onChange={text("threshold")}
            hint="Similarity from 0 to 1 needed to pass (default 0.8)."
          />
          <Checkbox label="Case sensitive" checked={d.caseSensitive} onChange={(e) => set("caseSensitive", e.target.checked)} className="sm:mt-7" />
        </Row>
      ) : null}
      {d.kind === "numeric" ? (
        <Row>
          <Input
            label="Tolerance"
            inputMode="decimal"
            value={d.tolerance}
            error={errors.tolerance}
            onChange={text("tolerance")}
            hint={d.relative ? "A fraction of the expected value (0.05 = 5%)." : "The absolute difference allowed."}
          />
          <Checkbox
            label="Relative tolerance"
            description="A fraction of the expected value"
            checked={d.relative}
            onChange={(e) => set("relative", e.target.checked)}
            className="sm:mt-7"
          />
        </Row>
      ) : null}
      {d.kind === "length" ? (
        <div className="grid gap-4 sm:grid-cols-3">
          <Input
            label="Minimum"
            labelAside={<span className="text-xs text-zinc-500">optional</span>}
            inputMode="numeric"
            value={d.min}
            error={errors.min}
            onChange={text("min")}
          />
          <Input
            label="Maximum"
            labelAside={<span className="text-xs text-zinc-500">optional</span>}
            inputMode="numeric"
            value={d.max}
            error={errors.max}
            onChange={text("max")}
          />
          <Select label="Unit" value={d.unit} error={errors.unit} onChange={(e) => set("unit", e.target.value === "words" ? "words" : "chars")}>
            <option value="chars">Characters</option>
            <option value="words">Words</option>
          </Select>
        </div>
      ) : null}
      {d.kind === "latency" ? (
        <Input
          label="Maximum latency"
          inputMode="numeric"
          value={d.maxMs}
          error={errors.maxMs}
          onChange={text("maxMs")}
          hint="In milliseconds. Slower calls fail."
          wrapperClassName="sm:w-1/2"
        />
      ) : null}
      {d.kind === "cost" ? (
        <Input
          label="Maximum cost"
          inputMode="decimal"
          value={d.maxUsd}
          error={errors.maxUsd}
          onChange={text("maxUsd")}
          hint="In US dollars per call (e.g. 0.002)."
          wrapperClassName="sm:w-1/2"
        />
      ) : null}
      {d.kind === "llm_judge" ? <JudgeFields orgSlug={orgSlug} projectSlug={projectSlug} draft={d} errors={errors} onChange={onChange} /> : null}
    </fieldset>
  );
}

function JudgeFields({
  orgSlug,
  projectSlug,
  draft: d,
  errors,
  onChange,
}: {
  orgSlug: string;
  projectSlug: string;
  draft: EvaluatorDraft;
  errors: Record<string, string>;
  onChange: (draft: EvaluatorDraft) => void;
}) {
  const trpc = useTRPC();
  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const prompt = useQuery({ ...trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name: d.promptName || "x" }), enabled: !!d.promptName, retry: false });
  const providers = useQuery(trpc.providers.list.queryOptions({ orgSlug, projectSlug }));
  const set = <K extends keyof EvaluatorDraft>(key: K, value: EvaluatorDraft[K]) => onChange({ ...d, [key]: value });
  return (
    <>
      <p className="text-xs text-zinc-500">
        The judge is a Keel prompt; it may use the variables {JUDGE_PROMPT_VARIABLES.map((v) => `{{${v}}}`).join(", ")} and should answer with a score on the
        scale.
      </p>
      <Row>
        <Select
          label="Judge prompt"
          value={d.promptName}
          error={errors.promptName}
          onChange={(e) => onChange({ ...d, promptName: e.target.value, promptRef: "" })}
          disabled={prompts.isPending}
        >
          <option value="">{prompts.isPending ? "Loading prompts…" : "Choose a prompt"}</option>
          {(prompts.data?.items ?? []).map((p) => (
            <option key={p.id} value={p.name}>
              {p.name}
            </option>
          ))}
          {d.promptName && prompts.data && !prompts.data.items.some((p) => p.name === d.promptName) ? (
            <option value={d.promptName}>{d.promptName}</option>
          ) : null}
        </Select>
        <Select
          label="Version or label"
          value={d.promptRef}
          error={errors.promptRef}
          onChange={(e) => set("promptRef", e.target.value)}
          disabled={!prompt.data}
        >
          <option value="">Choose a version or label</option>
          {prompt.data?.labels.length ? (
            <optgroup label="Labels (follow the label)">
              {prompt.data.labels.map((l) => (
                <option key={l.name} value={`l:${l.name}`}>
                  {l.name} (now version {l.version})
                </option>
              ))}
            </optgroup>
          ) : null}
          <optgroup label="Versions (pinned)">
            {(prompt.data?.versions ?? []).map((v) => (
              <option key={v.version} value={`v:${v.version}`}>
                Version {v.version}
              </option>
            ))}
          </optgroup>
        </Select>
        <Select
          label="Provider"
          value={d.providerId}
          error={errors.providerId}
          onChange={(e) => set("providerId", e.target.value)}
          disabled={providers.isPending}
        >
          <option value="">{providers.isPending ? "Loading providers…" : "Choose a provider"}</option>
          {(providers.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
        <Input
          label="Model"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          value={d.model}
          error={errors.model}
          onChange={(e) => set("model", e.target.value)}
          className="font-mono"
          spellCheck={false}
          autoComplete="off"
          placeholder="the judge prompt's model"
        />
      </Row>
      <div className="grid gap-4 sm:grid-cols-3">
        <Input label="Lowest score" inputMode="numeric" value={d.scaleMin} error={errors.scaleMin} onChange={(e) => set("scaleMin", e.target.value)} />
        <Input label="Highest score" inputMode="numeric" value={d.scaleMax} error={errors.scaleMax} onChange={(e) => set("scaleMax", e.target.value)} />
        <Input
          label="Pass at"
          inputMode="decimal"
          value={d.passAt}
          error={errors.passAt}
          onChange={(e) => set("passAt", e.target.value)}
          hint="A score at least this passes."
        />
      </div>
    </>
  );
}

/** A configuration as a short list of its settings (for lists and version history). */
export function describeConfig(config: unknown): string {
  const c = (config ?? {}) as Record<string, unknown>;
  switch (c.kind) {
    case "exact_match":
      return `${c.caseSensitive === false ? "case-insensitive" : "case-sensitive"}${c.trim === false ? "" : ", trimmed"}`;
    case "contains":
    case "not_contains":
      return `${c.value !== undefined ? `"${String(c.value).slice(0, 60)}"` : "the expected output"}${c.caseSensitive ? ", case-sensitive" : ""}`;
    case "regex":
      return `/${String(c.pattern).slice(0, 60)}/${String(c.flags ?? "")}`;
    case "valid_json":
      return "parses as JSON";
    case "json_schema":
      return "matches a JSON Schema";
    case "levenshtein":
      return `similarity ≥ ${String(c.threshold ?? 0.8)}`;
    case "numeric":
      return `within ${String(c.tolerance ?? 0)}${c.relative ? " (relative)" : ""}`;
    case "length": {
      const unit = c.unit === "words" ? "words" : "chars";
      if (c.min !== undefined && c.max !== undefined) return `${String(c.min)}–${String(c.max)} ${unit}`;
      return c.min !== undefined ? `≥ ${String(c.min)} ${unit}` : `≤ ${String(c.max)} ${unit}`;
    }
    case "latency":
      return `≤ ${String(c.maxMs)} ms`;
    case "cost":
      return `≤ $${String(c.maxUsd)}`;
    case "llm_judge": {
      const scale = (c.scale ?? { min: 1, max: 5 }) as { min: number; max: number };
      return `${String(c.promptName)}${c.promptVersion ? ` v${String(c.promptVersion)}` : c.promptLabel ? ` @${String(c.promptLabel)}` : ""}, pass at ${String(c.passAt ?? 4)} on ${scale.min}–${scale.max}`;
    }
    default:
      return "";
  }
}
