"use client";
// The evaluation gate's evaluator thresholds (a field array): evaluator, metric and minimum, one row each.
import { useFieldArray, useFormContext, useWatch } from "react-hook-form";
import { GATE_METRICS, GATE_METRIC_LABELS } from "@/server/contracts/deployments";
import { Button, Input, Select } from "@/components/ui";
import { PlusIcon, TrashIcon } from "@/components/ui/icons";
import { blankThreshold, type PolicyValues } from "./policy-model";
import { FieldError, rootOf, useProblem } from "./policy-parts";

export function ThresholdsEditor({ evaluators }: { evaluators: string[] }) {
  const { register, control, clearErrors } = useFormContext<PolicyValues>();
  const thresholds = useFieldArray({ control, name: "gate.evaluators" });
  const chosen = useWatch({ control, name: "gate.evaluators" });
  const problem = useProblem();
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Evaluator thresholds</legend>
      {thresholds.fields.length ? (
        <div className="grid grid-cols-[1fr_9rem_7rem_2rem] gap-2 text-xs font-medium text-zinc-600" aria-hidden="true">
          <span>Evaluator</span>
          <span>Metric</span>
          <span>At least (0–1)</span>
          <span />
        </div>
      ) : null}
      <ol className="flex flex-col gap-2">
        {thresholds.fields.map((field, i) => {
          const current = chosen?.[i]?.name ?? "";
          return (
            <li key={field.id} className="grid grid-cols-[1fr_9rem_7rem_2rem] items-start gap-2">
              <Select label={`Threshold ${i + 1} evaluator`} hideLabel {...register(`gate.evaluators.${i}.name`)} error={problem(`gate.evaluators.${i}.name`)}>
                <option value="">Choose an evaluator</option>
                {[...new Set([...evaluators, ...(current ? [current] : [])])].map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </Select>
              <Select label={`Threshold ${i + 1} metric`} hideLabel {...register(`gate.evaluators.${i}.metric`)} error={problem(`gate.evaluators.${i}.metric`)}>
                {GATE_METRICS.map((m) => (
                  <option key={m} value={m}>
                    {GATE_METRIC_LABELS[m]}
                  </option>
                ))}
              </Select>
              <Input
                label={`Threshold ${i + 1} minimum`}
                hideLabel
                type="number"
                min={0}
                max={1}
                step={0.01}
                {...register(`gate.evaluators.${i}.min`)}
                error={problem(`gate.evaluators.${i}.min`)}
              />
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Remove threshold ${i + 1}`}
                className="mt-0.5 px-1.5"
                onClick={() => {
                  clearErrors(rootOf("gate.evaluators"));
                  thresholds.remove(i);
                }}
              >
                <TrashIcon size={14} />
              </Button>
            </li>
          );
        })}
      </ol>
      <FieldError>{problem(rootOf("gate.evaluators"))}</FieldError>
      <div>
        <Button
          size="sm"
          icon={<PlusIcon size={14} />}
          disabled={thresholds.fields.length >= 20}
          onClick={() => {
            clearErrors(rootOf("gate.evaluators"));
            thresholds.append(blankThreshold(), { shouldFocus: false });
          }}
        >
          Add threshold
        </Button>
      </div>
    </fieldset>
  );
}
