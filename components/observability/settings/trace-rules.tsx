"use client";
// Trace routing rules: which production traces go to a review queue by themselves (negative
// feedback, a score below a threshold, or a random sample), per prompt and environment. Changing
// needs observability:manage; the server checks again and names the field at fault.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useWatch } from "react-hook-form";
import { z } from "zod";
import { TRACE_RULE_KINDS, traceRuleInput, type TraceRuleInput, type TraceRuleKind } from "@/server/contracts/observability";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Badge, Checkbox, CrudSection, FormDialog, FormProblem, type FormProps, Input, Select } from "@/components/ui";
import { ClipboardCheckIcon } from "@/components/ui/icons";
import { useZodForm } from "@/components/lib/form-errors";
import { percentToRate, rateToPercent, scopeValue } from "./model";
import { editAndDelete, enabledToggle, SampleRateField, RadioGroup, ScopeCell, ScopeFields, type ProjectRef } from "./shared";

export type TraceRuleRow = RouterOutputs["traceRules"]["list"][number];

const KIND_NAMES = Object.keys(TRACE_RULE_KINDS) as TraceRuleKind[];
const KIND_LABELS: Record<TraceRuleKind, string> = {
  negative_feedback: "Negative feedback",
  score_below: "Score below a threshold",
  random_sample: "Random sample",
};

/** What sends a trace, in a few words: "user-feedback thumbs-down or ≤ 2", "helpfulness < 3", "5 % of traces". */
export function ruleCondition(rule: Pick<TraceRuleRow, "kind" | "scoreName" | "threshold" | "sampleRate">): string {
  if (rule.kind === "random_sample") return `${rateToPercent(rule.sampleRate ?? 0)} % of traces`;
  if (rule.kind === "score_below") return `${rule.scoreName ?? "?"} < ${rule.threshold ?? "?"}`;
  const score = rule.scoreName ?? "any feedback score";
  return rule.threshold === null ? `${score}: thumbs-down` : `${score}: thumbs-down or ≤ ${rule.threshold}`;
}

export function TraceRules({ orgSlug, projectSlug, projectName, canManage }: ProjectRef & { projectName: string; canManage: boolean }) {
  const trpc = useTRPC();
  const ref = { orgSlug, projectSlug };
  const list = useQuery(trpc.traceRules.list.queryOptions(ref));
  const create = useMutation(trpc.traceRules.create.mutationOptions());
  const update = useMutation(trpc.traceRules.update.mutationOptions());
  const toggle = useMutation(trpc.traceRules.update.mutationOptions());
  const remove = useMutation(trpc.traceRules.delete.mutationOptions());
  const enabled = enabledToggle<TraceRuleRow>({
    canManage,
    name: (r) => r.name,
    mutation: toggle,
    toggle: (r, enabled) => toggle.mutateAsync({ ...ref, id: r.id, ...inputOf(r), enabled }),
    failure: "Could not change the rule",
  });

  return (
    <CrudSection<TraceRuleRow>
      id="trace-rules"
      title="Trace routing rules"
      description="Send production traces to a review queue by themselves: when a customer gives negative feedback, when a score falls below a threshold, or a random sample. A trace is sent once per rule."
      createLabel="Add rule"
      canCreate={canManage}
      query={list}
      what="rules"
      invalidates={[trpc.traceRules.list.queryKey()]}
      empty={{
        icon: <ClipboardCheckIcon />,
        title: "No routing rules",
        description: canManage ? "Add one to review what production users disliked." : "Owners and admins can add rules.",
      }}
      caption={`Trace routing rules of ${projectName}`}
      rowKey={(r) => r.id}
      notice={enabled.notice}
      columns={[
        { header: "Name", className: "font-medium text-zinc-900", cell: (r) => r.name },
        {
          header: "Sends when",
          cell: (r) => (
            <span className="flex flex-col items-start gap-0.5">
              <Badge tone="outline">{KIND_LABELS[r.kind]}</Badge>
              <span className="font-mono text-xs text-zinc-600">{ruleCondition(r)}</span>
            </span>
          ),
        },
        {
          header: "Queue",
          cell: (r) => (
            <Link
              href={`/o/${orgSlug}/p/${projectSlug}/reviews/${encodeURIComponent(r.queue.name)}`}
              className="text-zinc-800 underline-offset-2 hover:underline"
            >
              {r.queue.name}
            </Link>
          ),
        },
        { header: "Scope", cell: (r) => <ScopeCell promptName={r.promptName} environment={r.environment} /> },
        enabled.column,
      ]}
      actions={
        canManage
          ? editAndDelete<TraceRuleRow>(
              (r) => r.name,
              remove,
              (r) => ({
                title: `Delete ${r.name}?`,
                confirmLabel: "Delete rule",
                body: (
                  <p>
                    Traces stop going to <span className="text-zinc-900">{r.queue.name}</span> through this rule. Items it already sent stay in the queue.
                  </p>
                ),
                run: () => remove.mutateAsync({ ...ref, id: r.id }),
                done: `${r.name} was deleted`,
              }),
            )
          : []
      }
      dialog={({ row, open, close, saved }) => (
        <FormDialog
          open={open}
          onClose={close}
          size="lg"
          title={row ? "Edit rule" : "Add rule"}
          description="Matching traces are added to the queue for people to grade; a trace is sent at most once per rule."
          submitLabel={row ? "Save rule" : "Add rule"}
          pending={create.isPending || update.isPending}
        >
          {(formId) => (
            <TraceRuleForm
              {...ref}
              row={row}
              formId={formId}
              save={async (input) => {
                const r = row ? await update.mutateAsync({ ...ref, id: row.id, ...input }) : await create.mutateAsync({ ...ref, ...input });
                await saved(row ? `${r.name} was saved` : `${r.name} now sends traces to ${r.queue.name}`);
              }}
            />
          )}
        </FormDialog>
      )}
    />
  );
}

function inputOf(r: TraceRuleRow): TraceRuleInput {
  return {
    name: r.name,
    kind: r.kind,
    queue: r.queue.name,
    scoreName: r.scoreName,
    threshold: r.threshold,
    sampleRate: r.sampleRate,
    promptName: r.promptName,
    environment: r.environment,
    enabled: r.enabled,
  };
}

const LABELS = {
  name: "Name",
  kind: "Kind",
  queue: "Queue",
  scoreName: "Score name",
  threshold: "Threshold",
  sampleRate: "Sample rate",
  promptName: "Prompt",
  environment: "Environment",
};
/** The form's fields; the sample rate is a percentage, the threshold text. */
type Values = {
  name: string;
  kind: TraceRuleKind;
  queue: string;
  scoreName: string;
  threshold: string;
  sampleRate: string;
  promptName: string;
  environment: string;
  enabled: boolean;
};

function valuesOf(row: TraceRuleRow | null): Values {
  if (!row)
    return { name: "", kind: "negative_feedback", queue: "", scoreName: "", threshold: "", sampleRate: "5", promptName: "", environment: "", enabled: true };
  return {
    name: row.name,
    kind: row.kind,
    queue: row.queue.name,
    scoreName: row.scoreName ?? "",
    threshold: row.threshold === null ? "" : String(row.threshold),
    sampleRate: row.sampleRate === null ? "5" : rateToPercent(row.sampleRate),
    promptName: row.promptName ?? "",
    environment: row.environment ?? "",
    enabled: row.enabled,
  };
}

/** The form as traceRuleInput, checked by it: fields the kind does not use are sent as null. */
export const traceRuleForm = z
  .custom<Values>()
  .transform((v, ctx): z.input<typeof traceRuleInput> => {
    const random = v.kind === "random_sample";
    const thresholdText = v.threshold.trim();
    const threshold = random || thresholdText === "" ? null : Number(thresholdText);
    if (threshold !== null && !Number.isFinite(threshold)) ctx.addIssue({ code: "custom", path: ["threshold"], message: "must be a number" });
    const sampleRate = random ? percentToRate(v.sampleRate) : null;
    if (random && sampleRate === null) ctx.addIssue({ code: "custom", path: ["sampleRate"], message: "must be a percentage from 1 to 100" });
    return {
      name: v.name,
      kind: v.kind,
      queue: v.queue,
      scoreName: random ? null : v.scoreName.trim() || null,
      threshold,
      sampleRate,
      promptName: scopeValue(v.promptName),
      environment: scopeValue(v.environment),
      enabled: v.enabled,
    };
  })
  .pipe(traceRuleInput);

function TraceRuleForm({ orgSlug, projectSlug, row, formId, save }: ProjectRef & FormProps<TraceRuleInput> & { row: TraceRuleRow | null }) {
  const trpc = useTRPC();
  const queues = useQuery(trpc.reviews.list.queryOptions({ orgSlug, projectSlug }));
  const { form, onSubmit } = useZodForm({ schema: traceRuleForm, placement: { labels: LABELS }, defaultValues: valuesOf(row), formId, save });
  const {
    register,
    formState: { errors },
  } = form;
  const [kind, queue, promptName, environment] = useWatch({ control: form.control, name: ["kind", "queue", "promptName", "environment"] });
  const queueNames = queues.data?.map((q) => q.name) ?? [];
  if (queue && !queueNames.includes(queue)) queueNames.unshift(queue);
  const feedback = kind === "negative_feedback";

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label={row ? "Edit rule" : "Add rule"} className="flex flex-col gap-4">
      <FormProblem message={errors.root?.message} />
      <Input
        label={LABELS.name}
        {...register("name")}
        error={errors.name?.message}
        maxLength={80}
        autoComplete="off"
        placeholder="e.g. Thumbs-down to review"
      />
      <RadioGroup
        legend="Sends a trace when"
        idPrefix={`${formId}-kind`}
        options={KIND_NAMES.map((k) => ({ value: k, label: KIND_LABELS[k], description: TRACE_RULE_KINDS[k] }))}
        field={register("kind")}
        error={errors.kind?.message}
      />
      {kind === "random_sample" ? (
        <SampleRateField field={register("sampleRate")} error={errors.sampleRate?.message} hint="1 to 100: the share of matching traces sent." />
      ) : (
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label={LABELS.scoreName}
            labelAside={feedback ? <span className="text-xs text-zinc-500">optional</span> : null}
            {...register("scoreName")}
            error={errors.scoreName?.message}
            maxLength={200}
            className="font-mono"
            spellCheck={false}
            autoComplete="off"
            placeholder={feedback ? "any feedback score" : "e.g. helpfulness"}
            hint={feedback ? "Only this score counts (e.g. user-feedback); empty: any score." : "A feedback score or an online evaluator's name."}
          />
          <Input
            label={LABELS.threshold}
            labelAside={feedback ? <span className="text-xs text-zinc-500">optional</span> : null}
            type="number"
            inputMode="decimal"
            step="any"
            {...register("threshold")}
            error={errors.threshold?.message}
            hint={
              feedback ? "Numeric scores at or below it count as negative; empty: only thumbs-down (false) counts." : "Scores strictly below it send the trace."
            }
          />
        </div>
      )}
      <Select
        label={LABELS.queue}
        {...register("queue")}
        value={queue}
        error={errors.queue?.message}
        hint={
          queues.data && queues.data.length === 0 ? (
            <>
              No review queues yet:{" "}
              <Link href={`/o/${orgSlug}/p/${projectSlug}/reviews/new`} className="font-medium text-accent underline-offset-2 hover:underline">
                create one
              </Link>
              .
            </>
          ) : (
            "The review queue matching traces are added to."
          )
        }
      >
        <option value="" disabled>
          {queues.isPending ? "Loading queues…" : "Choose a queue"}
        </option>
        {queueNames.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </Select>
      <ScopeFields
        orgSlug={orgSlug}
        projectSlug={projectSlug}
        prompt={{ ...register("promptName"), value: promptName, error: errors.promptName?.message }}
        environment={{ ...register("environment"), value: environment, error: errors.environment?.message }}
      />
      <Checkbox label="Enabled" description="A disabled rule keeps its settings and sends nothing." {...register("enabled")} />
    </form>
  );
}
