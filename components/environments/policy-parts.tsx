"use client";
// Pieces the protection rules editor's sections share: a section, a message under a group of
// controls, a bordered list of checkboxes, and the message at a place of the form (a control's, or
// a list's own at `<list>.root`, see POLICY_PLACEMENT).
import { useId, type ReactNode } from "react";
import { get, useFormContext, useFormState, type FieldPath } from "react-hook-form";
import { cn } from "@/components/ui";
import type { PolicyValues } from "./policy-model";

/** The message shown at a place of the form (rules.0.required, gate.evaluators.root), if any. */
export function useProblem(): (field: string) => string | undefined {
  const { control } = useFormContext<PolicyValues>();
  const { errors } = useFormState({ control });
  return (field) => {
    const message = (get(errors, field) as { message?: unknown } | undefined)?.message;
    return typeof message === "string" && message ? message : undefined;
  };
}

export function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="flex flex-col gap-3 border-b border-zinc-200 px-4 py-4 last:border-b-0">
      <div>
        <h3 id={id} className="text-[13px] font-semibold text-zinc-900">
          {title}
        </h3>
        {description ? <p className="mt-0.5 text-xs text-zinc-500">{description}</p> : null}
      </div>
      {children}
    </section>
  );
}

export function FieldError({ children }: { children: ReactNode }) {
  return children ? <p className="text-xs text-red-700">{children}</p> : null;
}

export function CheckboxGroup({
  legend,
  hint,
  error,
  children,
  className,
}: {
  legend: string;
  hint?: string;
  error?: string;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  return (
    <fieldset aria-describedby={`${id}-note`} className={cn("flex min-w-0 flex-col gap-1.5", className)}>
      <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">{legend}</legend>
      <div className={cn("flex max-h-44 flex-col gap-2 overflow-y-auto rounded-md border bg-white p-2.5", error ? "border-red-500" : "border-zinc-200")}>
        {children}
      </div>
      <p id={`${id}-note`} className={cn("text-xs", error ? "text-red-700" : "text-zinc-500")}>
        {error ?? hint}
      </p>
    </fieldset>
  );
}

/** A list chosen with checkboxes, after one of them is checked or unchecked. */
export function toggled<T>(list: T[], item: T, checked: boolean): T[] {
  return checked ? [...list, item] : list.filter((x) => x !== item);
}

/** A list's or group's own message (not one of its items'): the rules, the thresholds, the review grade… */
export const rootOf = (group: "rules" | "gate" | "gate.evaluators" | "gate.review" | "freezeWindows") => `${group}.root` as FieldPath<PolicyValues>;
