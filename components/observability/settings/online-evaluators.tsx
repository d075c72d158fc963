"use client";
// Online evaluators: project evaluators run on a sampled share of production generations, per
// prompt and environment; their scores appear beside feedback on traces and the dashboards.
// Evaluators that compare with an expected output cannot score production traffic (there is
// none), so the form warns about them. Changing needs observability:manage; the server checks again.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useWatch } from "react-hook-form";
import { z } from "zod";
import { onlineEvaluatorInput, type OnlineEvaluatorInput } from "@/server/contracts/observability";
import { EVALUATOR_KIND_INFO, needsExpectedOutput, storedEvaluatorConfig, type EvaluatorKind } from "@/server/contracts/evaluators";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Alert, Badge, Checkbox, CrudSection, FormDialog, FormProblem, type FormProps, Select } from "@/components/ui";
import { FlaskIcon } from "@/components/ui/icons";
import { useZodForm } from "@/components/lib/form-errors";
import { percentText, rateToPercent, scopeValue } from "./model";
import { editAndDelete, enabledToggle, SampleRateField, ScopeCell, ScopeFields, type ProjectRef } from "./shared";

export type OnlineEvaluatorRow = RouterOutputs["onlineEvaluators"]["list"][number];

type EvaluatorOption = { name: string; kind: string; description: string; config: unknown };

/** Whether an evaluator (its latest version) needs an expected output, which production traffic lacks. */
export function needsReference(e: Pick<EvaluatorOption, "config">): boolean {
  const parsed = storedEvaluatorConfig.safeParse(e.config);
  return parsed.success && needsExpectedOutput(parsed.data);
}

function kindLabel(kind: string): string {
  return EVALUATOR_KIND_INFO[kind as EvaluatorKind]?.label ?? kind;
}

export function OnlineEvaluators({
  orgSlug,
  projectSlug,
  projectName,
  canManage,
  canReadEvaluators,
}: ProjectRef & { projectName: string; canManage: boolean; canReadEvaluators: boolean }) {
  const trpc = useTRPC();
  const ref = { orgSlug, projectSlug };
  const list = useQuery(trpc.onlineEvaluators.list.queryOptions(ref));
  const evaluators = useQuery({ ...trpc.evaluators.list.queryOptions({ ...ref, includeArchived: false }), enabled: canReadEvaluators });
  const create = useMutation(trpc.onlineEvaluators.create.mutationOptions());
  const update = useMutation(trpc.onlineEvaluators.update.mutationOptions());
  const toggle = useMutation(trpc.onlineEvaluators.update.mutationOptions());
  const remove = useMutation(trpc.onlineEvaluators.delete.mutationOptions());
  const byName = new Map((evaluators.data ?? []).map((e) => [e.name, e]));
  const enabled = enabledToggle<OnlineEvaluatorRow>({
    canManage,
    name: (o) => o.evaluator.name,
    mutation: toggle,
    toggle: (o, enabled) =>
      toggle.mutateAsync({
        ...ref,
        id: o.id,
        evaluator: o.evaluator.name,
        sampleRate: o.sampleRate,
        promptName: o.promptName,
        environment: o.environment,
        enabled,
      }),
    failure: "Could not change the evaluator",
  });

  return (
    <CrudSection<OnlineEvaluatorRow>
      id="online-evaluators"
      title="Online evaluators"
      description="Score a sampled share of production generations with a project evaluator. Sampling is by span, so the same generation is always in or out. Use reference-free evaluators (LLM judge, valid JSON, JSON Schema, regex, length, latency, cost): production traffic has no expected output."
      createLabel="Add online evaluator"
      canCreate={canManage}
      query={list}
      what="online evaluators"
      invalidates={[trpc.onlineEvaluators.list.queryKey()]}
      empty={{
        icon: <FlaskIcon />,
        title: "No online evaluators",
        description: canManage ? "Add one to score production traffic continuously." : "Owners and admins can add online evaluators.",
      }}
      caption={`Online evaluators of ${projectName}`}
      rowKey={(o) => o.id}
      notice={enabled.notice}
      columns={[
        {
          header: "Evaluator",
          cell: (o) => {
            const info = byName.get(o.evaluator.name);
            return (
              <>
                <span className="flex flex-wrap items-center gap-1.5">
                  <span className="font-mono text-[12.5px] font-medium text-zinc-900">{o.evaluator.name}</span>
                  {info ? <Badge tone="outline">{kindLabel(info.kind)}</Badge> : null}
                  {info && needsReference(info) ? (
                    <Badge tone="warning" title="Production traffic has no expected output: this evaluator's scores will fail">
                      Needs expected output
                    </Badge>
                  ) : null}
                </span>
                {info?.description ? <span className="block text-xs text-zinc-500">{info.description}</span> : null}
              </>
            );
          },
        },
        { header: "Sample rate", className: "whitespace-nowrap tabular-nums", cell: (o) => `${rateToPercent(o.sampleRate)} %` },
        { header: "Scope", cell: (o) => <ScopeCell promptName={o.promptName} environment={o.environment} /> },
        enabled.column,
      ]}
      actions={
        canManage
          ? editAndDelete<OnlineEvaluatorRow>(
              (o) => `${o.evaluator.name} (${o.promptName ?? "all prompts"}, ${o.environment ?? "all environments"})`,
              remove,
              (o) => ({
                title: "Delete this online evaluator?",
                confirmLabel: "Delete online evaluator",
                body: (
                  <p>
                    <span className="font-mono text-zinc-900">{o.evaluator.name}</span> stops scoring {o.promptName ?? "all prompts"} in{" "}
                    {o.environment ?? "all environments"}. Scores it already wrote stay on their traces.
                  </p>
                ),
                run: () => remove.mutateAsync({ ...ref, id: o.id }),
                done: `${o.evaluator.name} no longer scores production traffic`,
              }),
            )
          : []
      }
      dialog={({ row, open, close, saved }) => (
        <FormDialog
          open={open}
          onClose={close}
          title={row ? "Edit online evaluator" : "Add online evaluator"}
          description="Scores are written as the evaluator's name, with source online_eval, on the generations sampled."
          submitLabel={row ? "Save online evaluator" : "Add online evaluator"}
          pending={create.isPending || update.isPending}
        >
          {(formId) => (
            <OnlineEvaluatorForm
              {...ref}
              row={row}
              evaluators={evaluators.data ?? []}
              evaluatorsLoading={evaluators.isPending}
              formId={formId}
              save={async (input) => {
                const o = row ? await update.mutateAsync({ ...ref, id: row.id, ...input }) : await create.mutateAsync({ ...ref, ...input });
                await saved(`${o.evaluator.name} ${row ? "was saved" : `now scores ${rateToPercent(o.sampleRate)} % of matching generations`}`);
              }}
            />
          )}
        </FormDialog>
      )}
    />
  );
}

const LABELS = { evaluator: "Evaluator", sampleRate: "Sample rate", promptName: "Prompt", environment: "Environment" };

/** The form as onlineEvaluatorInput (the sample rate is a percentage, "" scopes stand for all), checked by it. */
const onlineEvaluatorForm = z
  .object({ evaluator: onlineEvaluatorInput.shape.evaluator, sampleRate: percentText, promptName: z.string(), environment: z.string(), enabled: z.boolean() })
  .transform((v): z.input<typeof onlineEvaluatorInput> => ({ ...v, promptName: scopeValue(v.promptName), environment: scopeValue(v.environment) }))
  .pipe(onlineEvaluatorInput);

function valuesOf(row: OnlineEvaluatorRow | null): z.input<typeof onlineEvaluatorForm> {
  return row
    ? {
        evaluator: row.evaluator.name,
        sampleRate: rateToPercent(row.sampleRate),
        promptName: row.promptName ?? "",
        environment: row.environment ?? "",
        enabled: row.enabled,
      }
    : { evaluator: "", sampleRate: "10", promptName: "", environment: "", enabled: true };
}

function OnlineEvaluatorForm({
  orgSlug,
  projectSlug,
  row,
  evaluators,
  evaluatorsLoading,
  formId,
  save,
}: ProjectRef & FormProps<OnlineEvaluatorInput> & { row: OnlineEvaluatorRow | null; evaluators: EvaluatorOption[]; evaluatorsLoading: boolean }) {
  const { form, onSubmit } = useZodForm({ schema: onlineEvaluatorForm, placement: { labels: LABELS }, defaultValues: valuesOf(row), formId, save });
  const {
    register,
    formState: { errors },
  } = form;
  const [evaluator, promptName, environment] = useWatch({ control: form.control, name: ["evaluator", "promptName", "environment"] });
  const selected = evaluators.find((e) => e.name === evaluator);
  const options = evaluator && !selected ? [{ name: evaluator, kind: "", description: "", config: null }, ...evaluators] : evaluators;

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label={row ? "Edit online evaluator" : "Add online evaluator"} className="flex flex-col gap-4">
      <FormProblem message={errors.root?.message} />
      <Select
        label={LABELS.evaluator}
        {...register("evaluator")}
        value={evaluator}
        error={errors.evaluator?.message}
        hint={
          evaluators.length === 0 && !evaluatorsLoading ? (
            <>
              This project has no evaluators yet:{" "}
              <Link href={`/o/${orgSlug}/p/${projectSlug}/evaluations/evaluators`} className="font-medium text-accent underline-offset-2 hover:underline">
                create one under Evaluations
              </Link>
              .
            </>
          ) : selected ? (
            EVALUATOR_KIND_INFO[selected.kind as EvaluatorKind]?.description
          ) : (
            "The evaluator's latest version scores each sampled generation."
          )
        }
      >
        <option value="" disabled>
          {evaluatorsLoading ? "Loading evaluators…" : "Choose an evaluator"}
        </option>
        {options.map((e) => (
          <option key={e.name} value={e.name}>
            {e.name}
            {e.kind ? ` (${kindLabel(e.kind)}${needsReference(e) ? ", needs an expected output" : ""})` : ""}
          </option>
        ))}
      </Select>
      {selected && needsReference(selected) ? (
        <Alert tone="warning" title="This evaluator compares with an expected output">
          Production generations have none, so its scores would fail. Choose a reference-free evaluator: an LLM judge, valid JSON, JSON Schema, regex, length,
          latency or cost (or contains with a fixed text).
        </Alert>
      ) : null}
      <SampleRateField field={register("sampleRate")} error={errors.sampleRate?.message} hint="1 to 100: the share of matching generations scored." />
      <ScopeFields
        orgSlug={orgSlug}
        projectSlug={projectSlug}
        prompt={{ ...register("promptName"), value: promptName, error: errors.promptName?.message }}
        environment={{ ...register("environment"), value: environment, error: errors.environment?.message }}
        promptHint="Plain model calls through the gateway belong to no prompt: only “all” covers them."
      />
      <Checkbox label="Enabled" description="A disabled evaluator keeps its settings and scores nothing." {...register("enabled")} />
    </form>
  );
}
