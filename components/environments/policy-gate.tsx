"use client";
// The rules editor's evaluation gate: the prompts it applies to, the dataset (a version and a tag
// of it), the evaluator thresholds and an optional minimum human review grade. Its values are
// kept while it is off (only sent while it is on).
import { useQuery } from "@tanstack/react-query";
import { Controller, useFormContext, useWatch } from "react-hook-form";
import { useTRPC } from "@/components/trpc/client";
import { Checkbox, Input, Select } from "@/components/ui";
import type { PolicyValues } from "./policy-model";
import { CheckboxGroup, FieldError, rootOf, Section, toggled, useProblem } from "./policy-parts";
import { ThresholdsEditor } from "./policy-thresholds";

type Scope = { orgSlug: string; projectSlug: string };

export function GateSection({
  id,
  scope,
  prompts,
  datasets,
  evaluators,
  queues,
}: {
  id: string;
  scope: Scope;
  prompts: string[];
  datasets: { name: string; latestVersion: number }[];
  evaluators: string[];
  queues: string[];
}) {
  const { register, control, setValue, clearErrors } = useFormContext<PolicyValues>();
  const problem = useProblem();
  const [gateOn, datasetName, datasetVersion, reviewOn, reviewQueue] = useWatch({
    control,
    name: ["gateOn", "gate.dataset", "gate.datasetVersion", "gate.reviewOn", "gate.review.queue"],
  });
  const dataset = datasets.find((d) => d.name === datasetName);
  return (
    <Section id={id} title="Evaluation gate" description="A version deploys only with a completed evaluation run that reaches these thresholds.">
      <Checkbox label="Require an evaluation gate" {...register("gateOn", { onChange: () => clearErrors("gate") })} />
      {gateOn ? (
        <div className="flex flex-col gap-4 rounded-md border border-zinc-200 bg-zinc-50/40 p-3">
          <Controller
            control={control}
            name="gate.prompts"
            render={({ field }) => (
              <CheckboxGroup legend="Prompts it applies to" hint="None chosen: every prompt deployed to this environment." error={problem("gate.prompts")}>
                {prompts.length === 0 ? <p className="text-xs text-zinc-500">This project has no prompts yet.</p> : null}
                {[...new Set([...prompts, ...field.value])].map((name) => (
                  <Checkbox
                    key={name}
                    label={<span className="font-mono text-[12.5px]">{name}</span>}
                    checked={field.value.includes(name)}
                    onChange={(e) => field.onChange(toggled(field.value, name, e.target.checked))}
                  />
                ))}
              </CheckboxGroup>
            )}
          />
          <div className="grid gap-3 sm:grid-cols-3">
            <Select
              label="Dataset"
              {...register("gate.dataset", {
                // Another dataset: its version and tag start over.
                onChange: () => {
                  setValue("gate.datasetVersion", "");
                  setValue("gate.tag", "");
                  clearErrors(["gate.datasetVersion", "gate.tag"]);
                },
              })}
              error={problem("gate.dataset")}
            >
              <option value="">Choose a dataset</option>
              {[...new Set([...datasets.map((d) => d.name), ...(datasetName ? [datasetName] : [])])].map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </Select>
            <Input
              label="Dataset version"
              labelAside={<span className="text-xs text-zinc-500">optional</span>}
              type="number"
              min={1}
              max={dataset?.latestVersion}
              {...register("gate.datasetVersion")}
              error={problem("gate.datasetVersion")}
              hint={dataset ? `Empty: any version (latest is v${dataset.latestVersion}).` : "Empty: any version."}
            />
            <TagSelect scope={scope} dataset={dataset?.name ?? null} version={datasetVersion} error={problem("gate.tag")} />
          </div>
          <ThresholdsEditor evaluators={evaluators} />
          <div className="flex flex-col gap-3">
            <Checkbox
              label="Require a minimum human review grade"
              description="The mean final grade from a review queue on the gate's run (grades scaled to 0–1)."
              {...register("gate.reviewOn", { onChange: () => clearErrors("gate.review") })}
            />
            {reviewOn ? (
              <div className="grid gap-3 sm:grid-cols-3">
                <Select
                  label="Review queue"
                  {...register("gate.review.queue", {
                    // Another queue: its dimension starts over.
                    onChange: () => {
                      setValue("gate.review.dimension", "");
                      clearErrors("gate.review.dimension");
                    },
                  })}
                  error={problem("gate.review.queue")}
                >
                  <option value="">Choose a queue</option>
                  {[...new Set([...queues, ...(reviewQueue ? [reviewQueue] : [])])].map((q) => (
                    <option key={q} value={q}>
                      {q}
                    </option>
                  ))}
                </Select>
                <DimensionSelect scope={scope} queue={reviewQueue || null} error={problem("gate.review.dimension")} />
                <Input
                  label="Minimum grade"
                  type="number"
                  min={0}
                  max={1}
                  step={0.01}
                  {...register("gate.review.min")}
                  error={problem("gate.review.min")}
                  hint="From 0 to 1."
                />
              </div>
            ) : null}
            <FieldError>{problem(rootOf("gate.review"))}</FieldError>
          </div>
        </div>
      ) : null}
      <FieldError>{problem(rootOf("gate"))}</FieldError>
    </Section>
  );
}

/** The dataset's tags (with how many items have each); controlled, as they arrive after the form. */
function TagSelect({ scope, dataset, version, error }: { scope: Scope; dataset: string | null; version: string; error?: string }) {
  const trpc = useTRPC();
  const { register, control } = useFormContext<PolicyValues>();
  const value = useWatch({ control, name: "gate.tag" });
  const v = Number(version);
  const tags = useQuery({
    ...trpc.datasets.tags.queryOptions({ ...scope, name: dataset ?? "", ...(Number.isInteger(v) && v > 0 ? { version: v } : {}) }),
    enabled: !!dataset,
  });
  const names = [...new Set([...(tags.data?.map((t) => t.tag) ?? []), ...(value ? [value] : [])])];
  return (
    <Select
      label="Tag"
      labelAside={<span className="text-xs text-zinc-500">optional</span>}
      {...register("gate.tag")}
      value={value}
      error={error}
      disabled={!dataset}
      hint="Runs restricted to items with this tag."
    >
      <option value="">None: the whole dataset</option>
      {names.map((tag) => {
        const count = tags.data?.find((t) => t.tag === tag)?.count;
        return (
          <option key={tag} value={tag}>
            {tag}
            {count !== undefined ? ` (${count})` : ""}
          </option>
        );
      })}
    </Select>
  );
}

/** The queue's graded dimensions (free text is not graded); controlled, as they arrive after the form. */
function DimensionSelect({ scope, queue, error }: { scope: Scope; queue: string | null; error?: string }) {
  const trpc = useTRPC();
  const { register, control } = useFormContext<PolicyValues>();
  const value = useWatch({ control, name: "gate.review.dimension" });
  const detail = useQuery({ ...trpc.reviews.get.queryOptions({ ...scope, name: queue ?? "" }), enabled: !!queue });
  const dims = (detail.data?.rubric ?? []).filter((d) => d.type !== "text").map((d) => ({ key: d.key, label: d.label }));
  if (value && !dims.some((d) => d.key === value)) dims.push({ key: value, label: value });
  return (
    <Select
      label="Dimension"
      labelAside={<span className="text-xs text-zinc-500">optional</span>}
      {...register("gate.review.dimension")}
      value={value}
      error={error}
      disabled={!queue}
    >
      <option value="">Every graded dimension</option>
      {dims.map((d) => (
        <option key={d.key} value={d.key}>
          {d.label} ({d.key})
        </option>
      ))}
    </Select>
  );
}
