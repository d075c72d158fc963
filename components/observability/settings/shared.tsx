"use client";
// Pieces the observability settings sections share: the section card, the sample rate field and
// the prompt/environment scope selects of a form and the scope cell of a row, a row's enabled switch (the "Enabled" column of a
// list), a row's edit and delete buttons, and a labelled radio group.
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { UseFormRegisterReturn } from "react-hook-form";
import { useTRPC } from "@/components/trpc/client";
import {
  Alert,
  Badge,
  cn,
  type Column,
  type Confirmation,
  type ConfirmMutation,
  deleteAction,
  editAction,
  Input,
  type RowAction,
  SectionCard,
  Select,
} from "@/components/ui";
import { errorInfo } from "@/components/lib/errors";
import { ALL_ENVIRONMENTS, ALL_PROMPTS } from "./model";

export type ProjectRef = { orgSlug: string; projectSlug: string };

/** A section of the settings page: a card with a heading, an explanation, a status line and actions. */
export const SettingsSection = SectionCard;

/** A registered select's field, with the value it shows (its options may arrive after it) and its error. */
export type SelectField = UseFormRegisterReturn & { value: string; error?: string };

/** A share of traffic as a percentage (the form turns it into a rate with percentText). */
export function SampleRateField({ field, error, hint }: { field: UseFormRegisterReturn; error?: string; hint: ReactNode }) {
  return (
    <Input
      label="Sample rate (%)"
      type="number"
      inputMode="decimal"
      min={1}
      max={100}
      step="any"
      {...field}
      error={error}
      wrapperClassName="max-w-48"
      hint={hint}
    />
  );
}

/** The prompt and environment a rule applies to; "" stands for "all". */
export function ScopeFields({
  orgSlug,
  projectSlug,
  prompt,
  environment,
  promptHint,
}: ProjectRef & { prompt: SelectField; environment: SelectField; promptHint?: ReactNode }) {
  const trpc = useTRPC();
  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const environments = useQuery(trpc.environments.list.queryOptions({ orgSlug, projectSlug }));
  const promptNames = prompts.data?.items.map((p) => p.name) ?? [];
  const envNames = environments.data?.map((e) => e.name) ?? [];
  // A stored scope that is no longer listed (or beyond the first 200 prompts) stays selectable.
  if (prompt.value && !promptNames.includes(prompt.value)) promptNames.unshift(prompt.value);
  if (environment.value && !envNames.includes(environment.value)) envNames.unshift(environment.value);
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Select label="Prompt" {...prompt} hint={promptHint} disabled={prompts.isPending && !prompt.value}>
        <option value="">{ALL_PROMPTS}</option>
        {promptNames.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </Select>
      <Select label="Environment" {...environment} hint="The label the prompt was fetched or called with.">
        <option value="">{ALL_ENVIRONMENTS}</option>
        {envNames.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </Select>
    </div>
  );
}

/** A row's scope, two short lines. */
export function ScopeCell({ promptName, environment }: { promptName: string | null; environment: string | null }) {
  return (
    <span className="flex flex-col gap-0.5 text-xs">
      <span className={cn(promptName ? "font-mono text-zinc-800" : "text-zinc-500")}>
        <span className="sr-only">Prompt: </span>
        {promptName ?? "All prompts"}
      </span>
      <span className={cn(environment ? "font-mono text-zinc-800" : "text-zinc-500")}>
        <span className="sr-only">Environment: </span>
        {environment ?? "All environments"}
      </span>
    </span>
  );
}

/**
 * Whether a rule is on: a switch for those who may change it, a badge for everyone else.
 * `name` makes the switch's accessible name ("<name> enabled").
 */
export function EnabledSwitch({
  name,
  enabled,
  canManage,
  pending,
  onToggle,
}: {
  name: string;
  enabled: boolean;
  canManage: boolean;
  pending?: boolean;
  onToggle: (next: boolean) => void;
}) {
  if (!canManage) return enabled ? <Badge tone="success">Enabled</Badge> : <Badge tone="outline">Disabled</Badge>;
  return (
    <button
      type="button"
      role="switch"
      aria-checked={enabled}
      aria-label={`${name} enabled`}
      disabled={pending}
      onClick={() => onToggle(!enabled)}
      className="group inline-flex items-center gap-2 rounded-md py-0.5 text-xs text-zinc-600 disabled:cursor-wait disabled:opacity-60"
    >
      <span
        aria-hidden="true"
        className={cn("relative inline-flex h-4 w-7 shrink-0 items-center rounded-full transition-colors", enabled ? "bg-accent" : "bg-zinc-300")}
      >
        <span className={cn("absolute size-3 rounded-full bg-white shadow-xs transition-transform", enabled ? "translate-x-3.5" : "translate-x-0.5")} />
      </span>
      <span aria-hidden="true">{enabled ? "On" : "Off"}</span>
    </button>
  );
}

type ToggleMutation = { isPending: boolean; variables?: { id: string }; error: unknown };

/**
 * A list's "Enabled" column (a switch per row; each change is said in the status line) and the
 * notice shown when a change failed.
 */
export function enabledToggle<Row extends { id: string; enabled: boolean }>({
  canManage,
  name,
  mutation,
  toggle,
  failure,
}: {
  canManage: boolean;
  name: (row: Row) => string;
  mutation: ToggleMutation;
  /** Saves the row with `enabled` (a mutateAsync). */
  toggle: (row: Row, enabled: boolean) => Promise<unknown>;
  /** The notice's title: "Could not change the guardrail". */
  failure: string;
}): { column: Column<Row>; notice: ReactNode } {
  return {
    column: {
      header: "Enabled",
      cell: (row, section) => (
        <EnabledSwitch
          name={name(row)}
          enabled={row.enabled}
          canManage={canManage}
          pending={mutation.isPending && mutation.variables?.id === row.id}
          onToggle={(enabled) =>
            void toggle(row, enabled).then(
              () => section.changed(`${name(row)} was ${enabled ? "enabled" : "disabled"}`),
              // The mutation's error is the notice.
              () => undefined,
            )
          }
        />
      ),
    },
    notice: mutation.error ? (
      <Alert tone="error" title={failure}>
        {errorInfo(mutation.error).message}
      </Alert>
    ) : null,
  };
}

/** Edit and delete, as icons (the settings tables are wide). */
export function editAndDelete<Row>(name: (row: Row) => string, remove: ConfirmMutation, confirm: (row: Row) => Confirmation): RowAction<Row>[] {
  return [editAction(name, { iconOnly: true }), deleteAction(name, remove, confirm, { iconOnly: true })];
}

export type RadioOption<V extends string> = { value: V; label: string; description?: ReactNode; disabled?: boolean };

/**
 * A labelled group of radio buttons on one registered field (arrow keys move between them), with
 * an error under it. Each option's description is its accessible description, so its name stays
 * the short label.
 */
export function RadioGroup<V extends string>({
  legend,
  idPrefix,
  options,
  field,
  error,
  className,
}: {
  legend: ReactNode;
  idPrefix: string;
  options: readonly RadioOption<V>[];
  field: UseFormRegisterReturn;
  error?: string;
  className?: string;
}) {
  const errorId = `${idPrefix}-error`;
  return (
    <fieldset aria-describedby={error ? errorId : undefined} className={cn("flex flex-col gap-2", className)}>
      <legend className="mb-2 text-[13px] font-medium text-zinc-800">{legend}</legend>
      {options.map((o) => {
        const id = `${idPrefix}-${o.value}`;
        return (
          <div key={o.value} className={cn("flex items-start gap-2.5 text-[13px]", o.disabled && "opacity-50")}>
            <input
              {...field}
              id={id}
              type="radio"
              value={o.value}
              disabled={o.disabled}
              aria-describedby={o.description ? `${id}-description` : undefined}
              className="mt-0.5 size-4 shrink-0 accent-[var(--color-accent)] disabled:cursor-not-allowed"
            />
            <div className="flex flex-col gap-0.5 leading-tight">
              <label htmlFor={id} className={cn("font-medium text-zinc-800", o.disabled && "cursor-not-allowed")}>
                {o.label}
              </label>
              {o.description ? (
                <p id={`${id}-description`} className="text-xs text-zinc-500">
                  {o.description}
                </p>
              ) : null}
            </div>
          </div>
        );
      })}
      {error ? (
        <p id={errorId} className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
