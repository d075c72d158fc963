"use client";
// The rules editor's rollback policy: how a request to go back to a version this environment
// served before is approved (one radio button a policy).
import { useId, type ComponentProps } from "react";
import { useFormContext } from "react-hook-form";
import { ROLLBACK_POLICIES, ROLLBACK_POLICY_LABELS } from "@/server/contracts/deployments";
import type { PolicyValues } from "./policy-model";
import { Section } from "./policy-parts";

export function RollbacksSection({ id }: { id: string }) {
  const { register } = useFormContext<PolicyValues>();
  return (
    <Section id={id} title="Rollbacks" description="How a request to go back to a version this environment served before is approved.">
      <fieldset className="flex flex-col gap-2">
        <legend className="sr-only">Rollback policy</legend>
        {ROLLBACK_POLICIES.map((p) => {
          // "Fast path: one approval from…" -> the label and its explanation.
          const [label = p, ...rest] = ROLLBACK_POLICY_LABELS[p].split(": ");
          const explanation = rest.join(": ");
          return (
            <Radio key={p} {...register("rollbackPolicy")} value={p} label={label} description={explanation.charAt(0).toUpperCase() + explanation.slice(1)} />
          );
        })}
      </fieldset>
    </Section>
  );
}

function Radio({ label, description, ...props }: Omit<ComponentProps<"input">, "type"> & { label: string; description: string }) {
  const id = useId();
  return (
    <div className="flex items-start gap-2.5">
      <input id={id} type="radio" aria-describedby={`${id}-d`} className="mt-0.5 size-4 shrink-0 accent-[var(--color-accent)]" {...props} />
      <div className="flex flex-col gap-0.5 leading-tight">
        <label htmlFor={id} className="text-[13px] font-medium text-zinc-800">
          {label}
        </label>
        <p id={`${id}-d`} className="text-xs text-zinc-500">
          {description}
        </p>
      </div>
    </div>
  );
}
