"use client";
// The rubric as a real form: one fieldset (legend = the dimension) per dimension. Categories,
// digit scales and yes/no are native radio groups drawn as segmented buttons, so the mouse, Tab
// and screen readers work as usual; the grading view adds the single-key shortcuts on top.
import type { ComponentProps, ReactNode } from "react";
import type { GradeValue, Rubric, RubricDimension } from "@/server/contracts/reviews";
import { cn } from "@/components/ui";
import { digitScale, type Draft } from "./model";
import { formatCount } from "@/components/lib/format";

type Props = {
  formId: string;
  rubric: Rubric;
  draft: Draft;
  errors: Partial<Record<string, string>>;
  active: number;
  onActivate: (index: number) => void;
  onChange: (key: string, value: GradeValue | undefined) => void;
  onSubmit: () => void;
  /** The buttons under the dimensions. */
  footer: ReactNode;
  /** Something above the dimensions (draft notice, form error). */
  header?: ReactNode;
};

export function RubricForm({ formId, rubric, draft, errors, active, onActivate, onChange, onSubmit, footer, header }: Props) {
  return (
    <form
      id={formId}
      aria-label="Grade"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
      className="flex flex-col"
    >
      {header}
      <div className="flex flex-col gap-2 p-3">
        {rubric.map((d, i) => (
          <Dimension
            key={d.key}
            formId={formId}
            index={i}
            total={rubric.length}
            d={d}
            value={draft[d.key]}
            error={errors[d.key]}
            active={i === active}
            onActivate={() => onActivate(i)}
            onChange={(v) => onChange(d.key, v)}
          />
        ))}
      </div>
      <div className="flex flex-wrap items-center justify-end gap-2 border-t border-zinc-200 bg-zinc-50/60 px-3 py-2.5">{footer}</div>
    </form>
  );
}

/** A key cap. Pass aria-hidden where the key is already conveyed (aria-keyshortcuts, a key hint). */
export function Kbd({ children, className, ...props }: ComponentProps<"kbd">) {
  return (
    <kbd
      {...props}
      className={cn(
        "inline-flex h-[18px] min-w-[18px] items-center justify-center rounded border border-zinc-300 bg-white px-1 font-mono text-[10px] font-medium text-zinc-600 shadow-[0_1px_0_0_rgb(0_0_0/0.08)]",
        className,
      )}
    >
      {children}
    </kbd>
  );
}

function keyHint(d: RubricDimension): string | null {
  if (d.type === "categorical") return `keys 1–${d.options.length}`;
  if (d.type === "boolean") return "keys y / n";
  if (d.type === "numeric") return digitScale(d) ? `keys ${d.min}–${d.max}` : "type a number";
  return null;
}

type DimensionProps = {
  formId: string;
  index: number;
  total: number;
  d: RubricDimension;
  value: GradeValue | undefined;
  error?: string;
  active: boolean;
  onActivate: () => void;
  onChange: (v: GradeValue | undefined) => void;
};

function Dimension({ formId, index, total, d, value, error, active, onActivate, onChange }: DimensionProps) {
  const base = `${formId}-${d.key}`;
  const descId = d.description ? `${base}-desc` : undefined;
  const errorId = error ? `${base}-error` : undefined;
  const describedBy = [errorId, descId].filter(Boolean).join(" ") || undefined;
  const hint = keyHint(d);
  return (
    <fieldset
      data-dimension={index}
      tabIndex={-1}
      aria-describedby={describedBy}
      onFocus={onActivate}
      onPointerDown={onActivate}
      className={cn(
        "relative min-w-0 rounded-md border px-3 pt-2 pb-3 transition-colors outline-none",
        active ? "border-accent-ring bg-accent-soft/40 ring-1 ring-accent-ring/40" : "border-zinc-200 bg-white",
        error && "border-red-400 bg-red-50/40 ring-1 ring-red-300",
      )}
    >
      {/* The legend names the group for assistive technology; the position reads like "2 of 3". */}
      <legend className="sr-only">
        {d.label}
        {d.required ? " (required)" : " (optional)"}, dimension {index + 1} of {total}
      </legend>
      <div aria-hidden="true" className="flex items-baseline justify-between gap-2">
        <span className="text-[13px] font-semibold text-zinc-900">
          <span className="mr-1.5 font-mono text-[11px] font-normal text-zinc-500">{index + 1}.</span>
          {d.label}
          {d.required ? null : <span className="ml-1.5 text-xs font-normal text-zinc-500">optional</span>}
        </span>
        {hint ? <span className="shrink-0 text-[11px] text-zinc-500">{hint}</span> : null}
      </div>
      {d.description ? (
        <p id={descId} className="mt-0.5 text-xs text-zinc-500">
          {d.description}
        </p>
      ) : null}
      <div className="mt-2">
        <Control base={base} d={d} value={value} error={!!error} onChange={onChange} />
      </div>
      {error ? (
        <p id={errorId} className="mt-1.5 text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

type Choice = { value: GradeValue; label: string; key: string };

function choicesOf(d: RubricDimension): Choice[] | null {
  if (d.type === "categorical") return d.options.map((o, i) => ({ value: o.value, label: o.label, key: String(i + 1) }));
  if (d.type === "boolean")
    return [
      { value: true, label: "Yes", key: "y" },
      { value: false, label: "No", key: "n" },
    ];
  const scale = digitScale(d);
  return scale ? scale.map((v) => ({ value: v, label: String(v), key: String(v) })) : null;
}

function Control({
  base,
  d,
  value,
  error,
  onChange,
}: {
  base: string;
  d: RubricDimension;
  value: GradeValue | undefined;
  error: boolean;
  onChange: (v: GradeValue | undefined) => void;
}) {
  const choices = choicesOf(d);
  if (choices) {
    return (
      <div className={cn("flex flex-wrap gap-1.5")}>
        {choices.map((c) => {
          const id = `${base}-${String(c.value)}`;
          const checked = value === c.value;
          return (
            <label key={id} htmlFor={id} className="relative">
              <input id={id} type="radio" name={base} className="peer sr-only" checked={checked} onChange={() => onChange(c.value)} />
              <span
                className={cn(
                  "inline-flex h-8 cursor-pointer items-center gap-1.5 rounded-md border px-2.5 text-[13px] font-medium shadow-xs transition-colors select-none",
                  "peer-focus-visible:ring-2 peer-focus-visible:ring-accent-ring peer-focus-visible:ring-offset-1",
                  checked ? "border-accent bg-accent text-white" : "border-zinc-300 bg-white text-zinc-800 hover:border-zinc-400 hover:bg-zinc-50",
                )}
              >
                <Kbd aria-hidden="true" className={checked ? "border-indigo-300 bg-indigo-500 text-white" : undefined}>
                  {c.key}
                </Kbd>
                {c.label}
              </span>
            </label>
          );
        })}
      </div>
    );
  }
  if (d.type === "numeric") {
    const id = `${base}-input`;
    return (
      <div className="flex items-center gap-2">
        <label htmlFor={id} className="sr-only">
          {d.label} score
        </label>
        <input
          id={id}
          type="number"
          inputMode="decimal"
          min={d.min}
          max={d.max}
          step={d.step}
          value={typeof value === "number" ? value : ""}
          aria-invalid={error || undefined}
          onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
          className={cn(
            "block h-8 w-28 rounded-md border bg-white px-2.5 text-sm text-zinc-900 shadow-xs focus:ring-2 focus:ring-accent-ring/30 focus:outline-none",
            error ? "border-red-500" : "border-zinc-300 focus:border-accent-ring",
          )}
        />
        <span className="text-xs text-zinc-500">
          {d.min} to {d.max}
          {d.step !== 1 ? `, steps of ${d.step}` : ""}
        </span>
      </div>
    );
  }
  if (d.type === "text") {
    const id = `${base}-text`;
    const text = typeof value === "string" ? value : "";
    return (
      <div className="flex flex-col gap-1">
        <label htmlFor={id} className="sr-only">
          {d.label}
        </label>
        <textarea
          id={id}
          rows={3}
          maxLength={d.maxLength}
          value={text}
          aria-invalid={error || undefined}
          onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
          className={cn(
            "block w-full rounded-md border bg-white px-2.5 py-1.5 text-[13px] text-zinc-900 shadow-xs focus:ring-2 focus:ring-accent-ring/30 focus:outline-none",
            error ? "border-red-500" : "border-zinc-300 focus:border-accent-ring",
          )}
        />
        <p className="text-[11px] text-zinc-500">
          {formatCount(text.length)} / {formatCount(d.maxLength)} · <Kbd>Ctrl</Kbd> + <Kbd>Enter</Kbd> submits · <Kbd>Esc</Kbd> leaves the box
        </p>
      </div>
    );
  }
  return null;
}
