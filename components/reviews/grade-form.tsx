"use client";
// A grade on a queue's rubric, one control per dimension: radio buttons for categories, yes/no
// and short numeric scales, a number field for long scales, a text box for free text. Used by
// the lead's gold and adjudication dialogs; checked with the rubric's own `checkGrade`.
import { checkGrade, type Grade, type Rubric, type RubricDimension } from "@/server/contracts/reviews";
import { Input, Textarea, cn } from "@/components/ui";

/** The form's values as typed (text), by dimension key. */
export type GradeDraft = Record<string, string>;

export function draftFromGrade(rubric: Rubric, grade: Grade | null | undefined): GradeDraft {
  const draft: GradeDraft = {};
  for (const d of rubric) {
    const v = grade?.[d.key];
    if (v !== undefined) draft[d.key] = String(v);
  }
  return draft;
}

/** The dimensions on which all the given grades agree, as a starting draft. */
export function draftFromAgreement(rubric: Rubric, grades: Grade[]): GradeDraft {
  const draft: GradeDraft = {};
  for (const d of rubric) {
    if (d.type === "text") continue;
    const values = grades.map((g) => g[d.key]).filter((v) => v !== undefined);
    if (values.length && values.every((v) => v === values[0])) draft[d.key] = String(values[0]);
  }
  return draft;
}

export function gradeFromDraft(rubric: Rubric, draft: GradeDraft): Grade {
  const grade: Grade = {};
  for (const d of rubric) {
    const raw = draft[d.key];
    if (raw === undefined || raw === "") continue;
    if (d.type === "numeric") grade[d.key] = raw.trim() === "" ? NaN : Number(raw);
    else if (d.type === "boolean") grade[d.key] = raw === "true";
    else grade[d.key] = raw;
  }
  return grade;
}

/** The grade, or the first problem on its dimension. */
export function checkDraft(rubric: Rubric, draft: GradeDraft): { grade: Grade; errors: null } | { grade: null; errors: Record<string, string> } {
  const grade = gradeFromDraft(rubric, draft);
  const problem = checkGrade(rubric, grade);
  if (problem) return { grade: null, errors: { [problem.dimension]: problem.message } };
  return { grade, errors: null };
}

/**
 * Moves focus to the first control with a problem in the form (by id), in the page's order. Radios
 * cannot carry aria-invalid, so a dimension's radio group is found by its error (the group is
 * described by it) and its first radio takes focus.
 */
export function focusFirstProblem(formId: string) {
  requestAnimationFrame(() =>
    document.getElementById(formId)?.querySelector<HTMLElement>('[aria-invalid="true"], fieldset[aria-describedby$="-error"] input')?.focus(),
  );
}

function numericChoices(d: Extract<RubricDimension, { type: "numeric" }>): number[] | null {
  const n = Math.round((d.max - d.min) / d.step);
  if (n > 10) return null;
  return Array.from({ length: n + 1 }, (_, i) => Number((d.min + i * d.step).toFixed(6)));
}

export function GradeForm({
  rubric,
  draft,
  onChange,
  errors,
  idPrefix,
}: {
  rubric: Rubric;
  draft: GradeDraft;
  onChange: (next: GradeDraft) => void;
  errors: Record<string, string>;
  idPrefix: string;
}) {
  const set = (key: string, value: string) => onChange({ ...draft, [key]: value });
  return (
    <div className="flex flex-col gap-4">
      {rubric.map((d) => {
        const error = errors[d.key];
        const id = `${idPrefix}-${d.key}`;
        const optional = !d.required ? <span className="text-xs text-zinc-500">optional</span> : null;
        if (d.type === "text") {
          return (
            <Textarea
              key={d.key}
              id={id}
              label={d.label}
              labelAside={optional}
              hint={d.description || undefined}
              error={error}
              value={draft[d.key] ?? ""}
              maxLength={d.maxLength}
              onChange={(e) => set(d.key, e.target.value)}
              rows={2}
            />
          );
        }
        const choices: { value: string; label: string }[] | null =
          d.type === "boolean"
            ? [
                { value: "true", label: "Yes" },
                { value: "false", label: "No" },
              ]
            : d.type === "categorical"
              ? d.options.map((o) => ({ value: o.value, label: o.label }))
              : (numericChoices(d)?.map((n) => ({ value: String(n), label: String(n) })) ?? null);
        if (!choices) {
          return (
            <Input
              key={d.key}
              id={id}
              type="number"
              label={d.label}
              labelAside={optional}
              min={d.type === "numeric" ? d.min : undefined}
              max={d.type === "numeric" ? d.max : undefined}
              step={d.type === "numeric" ? d.step : undefined}
              hint={d.description || (d.type === "numeric" ? `From ${d.min} to ${d.max} in steps of ${d.step}` : undefined)}
              error={error}
              value={draft[d.key] ?? ""}
              onChange={(e) => set(d.key, e.target.value)}
              className="w-32"
            />
          );
        }
        return (
          <fieldset key={d.key} aria-describedby={error ? `${id}-error` : d.description ? `${id}-hint` : undefined}>
            <legend className="mb-1.5 flex items-baseline gap-2 text-[13px] font-medium text-zinc-800">
              {d.label}
              {optional}
              {d.type === "numeric" ? <span className="text-xs font-normal text-zinc-500">{`${d.min}–${d.max}`}</span> : null}
            </legend>
            <div className="flex flex-wrap gap-1.5">
              {choices.map((c) => {
                const checked = draft[d.key] === c.value;
                return (
                  <label
                    key={c.value}
                    className={cn(
                      "inline-flex h-7 cursor-pointer items-center gap-1.5 rounded-md border px-2.5 text-[13px] transition-colors has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-accent-ring/40",
                      checked ? "border-accent bg-accent-soft font-medium text-indigo-800" : "border-zinc-300 bg-white text-zinc-700 hover:border-zinc-400",
                      error && !checked && "border-red-300",
                    )}
                  >
                    <input type="radio" className="sr-only" name={id} value={c.value} checked={checked} onChange={() => set(d.key, c.value)} />
                    {c.label}
                  </label>
                );
              })}
              {!d.required && draft[d.key] ? (
                <button type="button" className="px-1 text-xs text-zinc-500 hover:text-zinc-800 hover:underline" onClick={() => set(d.key, "")}>
                  Clear
                </button>
              ) : null}
            </div>
            {error ? (
              <p id={`${id}-error`} className="mt-1.5 text-xs text-red-700">
                {error}
              </p>
            ) : d.description ? (
              <p id={`${id}-hint`} className="mt-1.5 text-xs text-zinc-500">
                {d.description}
              </p>
            ) : null}
          </fieldset>
        );
      })}
    </div>
  );
}
