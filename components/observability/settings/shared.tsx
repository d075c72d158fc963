"use client";
// Pieces the observability settings sections share: the section card (title, explanation, add
// button, live status), the prompt/environment scope selects, the enabled switch of a row, and
// the edit/delete buttons of a row.
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Button, Card, Select, cn } from "@/components/ui";
import { PencilIcon, TrashIcon } from "@/components/ui/icons";
import { ALL_ENVIRONMENTS, ALL_PROMPTS } from "./model";

export type ProjectRef = { orgSlug: string; projectSlug: string };

export function SettingsSection({ id, title, description, actions, status, children }: { id: string; title: string; description: ReactNode; actions?: ReactNode; status?: string; children: ReactNode }) {
  return (
    <Card id={id} aria-labelledby={`${id}-title`} className="scroll-mt-4">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2 border-b border-zinc-200 px-4 py-3">
        <div className="min-w-0 max-w-3xl">
          <h2 id={`${id}-title`} className="text-sm font-semibold text-zinc-900">
            {title}
          </h2>
          <div className="mt-0.5 text-[13px] text-zinc-500">{description}</div>
        </div>
        <div className="flex shrink-0 items-center gap-3">
          <p role="status" className="text-xs text-emerald-700">
            {status}
          </p>
          {actions}
        </div>
      </div>
      {children}
    </Card>
  );
}

/** The prompt and environment a rule applies to; "" stands for "all". */
export function ScopeFields({
  orgSlug,
  projectSlug,
  promptName,
  environment,
  errors,
  onChange,
  promptHint,
}: ProjectRef & {
  promptName: string;
  environment: string;
  errors: { promptName?: string; environment?: string };
  onChange: (patch: { promptName?: string; environment?: string }) => void;
  promptHint?: ReactNode;
}) {
  const trpc = useTRPC();
  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const environments = useQuery(trpc.environments.list.queryOptions({ orgSlug, projectSlug }));
  const promptNames = prompts.data?.items.map((p) => p.name) ?? [];
  const envNames = environments.data?.map((e) => e.name) ?? [];
  // A stored scope that is no longer listed (or beyond the first 200 prompts) stays selectable.
  if (promptName && !promptNames.includes(promptName)) promptNames.unshift(promptName);
  if (environment && !envNames.includes(environment)) envNames.unshift(environment);
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Select label="Prompt" value={promptName} error={errors.promptName} onChange={(e) => onChange({ promptName: e.target.value })} hint={promptHint} disabled={prompts.isPending && !promptName}>
        <option value="">{ALL_PROMPTS}</option>
        {promptNames.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </Select>
      <Select label="Environment" value={environment} error={errors.environment} onChange={(e) => onChange({ environment: e.target.value })} hint="The label the prompt was fetched or called with.">
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
export function EnabledSwitch({ name, enabled, canManage, pending, onToggle }: { name: string; enabled: boolean; canManage: boolean; pending?: boolean; onToggle: (next: boolean) => void }) {
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
      <span aria-hidden="true" className={cn("relative inline-flex h-4 w-7 shrink-0 items-center rounded-full transition-colors", enabled ? "bg-accent" : "bg-zinc-300")}>
        <span className={cn("absolute size-3 rounded-full bg-white shadow-xs transition-transform", enabled ? "translate-x-3.5" : "translate-x-0.5")} />
      </span>
      <span aria-hidden="true">{enabled ? "On" : "Off"}</span>
    </button>
  );
}

export function RowActions({ name, onEdit, onDelete }: { name: string; onEdit: () => void; onDelete: () => void }) {
  return (
    <span className="inline-flex">
      <Button size="sm" variant="ghost" className="px-1.5" aria-label={`Edit ${name}`} onClick={onEdit}>
        <PencilIcon size={14} />
      </Button>
      <Button size="sm" variant="danger-ghost" className="px-1.5" aria-label={`Delete ${name}`} onClick={onDelete}>
        <TrashIcon size={14} />
      </Button>
    </span>
  );
}

export type RadioOption<V extends string> = { value: V; label: string; description?: ReactNode; disabled?: boolean };

/**
 * A labelled group of radio buttons (arrow keys move between them), with an error under it. Each
 * option's description is its accessible description, so its name stays the short label.
 */
export function RadioGroup<V extends string>({ legend, name, options, value, onChange, error, className }: { legend: ReactNode; name: string; options: readonly RadioOption<V>[]; value: V; onChange: (value: V) => void; error?: string; className?: string }) {
  const errorId = `${name}-error`;
  return (
    <fieldset aria-describedby={error ? errorId : undefined} className={cn("flex flex-col gap-2", className)}>
      <legend className="mb-2 text-[13px] font-medium text-zinc-800">{legend}</legend>
      {options.map((o) => {
        const id = `${name}-${o.value}`;
        return (
          <div key={o.value} className={cn("flex items-start gap-2.5 text-[13px]", o.disabled && "opacity-50")}>
            <input
              id={id}
              type="radio"
              name={name}
              value={o.value}
              checked={value === o.value}
              disabled={o.disabled}
              aria-describedby={o.description ? `${id}-description` : undefined}
              onChange={() => onChange(o.value)}
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
