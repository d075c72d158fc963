"use client";
// Trace routing rules: which production traces go to a review queue by themselves (negative
// feedback, a score below a threshold, or a random sample), per prompt and environment. Changing
// needs observability:manage; the server checks again and names the field at fault.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { TRACE_RULE_KINDS, traceRuleInput, type TraceRuleInput, type TraceRuleKind } from "@/server/contracts/observability";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { ActionsTH, Alert, Badge, Button, Checkbox, ConfirmDialog, Dialog, EmptyState, Input, QueryBody, Select, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { ClipboardCheckIcon, PlusIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid, NO_ERRORS, type FormErrors } from "@/components/lib/errors";
import { errorsFromIssues, percentToRate, rateToPercent, scopeValue, settingsErrorsFrom } from "./model";
import { EnabledSwitch, RadioGroup, RowActions, ScopeCell, ScopeFields, SettingsSection, type ProjectRef } from "./shared";

export type TraceRuleRow = RouterOutputs["traceRules"]["list"][number];

const KIND_NAMES = Object.keys(TRACE_RULE_KINDS) as TraceRuleKind[];
const KIND_LABELS: Record<TraceRuleKind, string> = { negative_feedback: "Negative feedback", score_below: "Score below a threshold", random_sample: "Random sample" };

/** What sends a trace, in a few words: "user-feedback thumbs-down or ≤ 2", "helpfulness < 3", "5 % of traces". */
export function ruleCondition(rule: Pick<TraceRuleRow, "kind" | "scoreName" | "threshold" | "sampleRate">): string {
  if (rule.kind === "random_sample") return `${rateToPercent(rule.sampleRate ?? 0)} % of traces`;
  if (rule.kind === "score_below") return `${rule.scoreName ?? "?"} < ${rule.threshold ?? "?"}`;
  const score = rule.scoreName ?? "any feedback score";
  return rule.threshold === null ? `${score}: thumbs-down` : `${score}: thumbs-down or ≤ ${rule.threshold}`;
}

export function TraceRules({ orgSlug, projectSlug, projectName, canManage }: ProjectRef & { projectName: string; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.traceRules.list.queryOptions({ orgSlug, projectSlug }));
  const [editing, setEditing] = useState<TraceRuleRow | "new" | null>(null);
  const [deleting, setDeleting] = useState<TraceRuleRow | null>(null);
  const [status, setStatus] = useState("");
  const [toggleError, setToggleError] = useState<string | null>(null);
  const toggle = useMutation(
    trpc.traceRules.update.mutationOptions({
      onSuccess: async (row) => {
        setStatus(`${row.name} was ${row.enabled ? "enabled" : "disabled"}`);
        await queryClient.invalidateQueries({ queryKey: trpc.traceRules.list.queryKey() });
      },
      onError: (error) => setToggleError(errorInfo(error).message),
    }),
  );

  const addButton = canManage ? (
    <Button variant="primary" size="sm" icon={<PlusIcon />} onClick={() => setEditing("new")}>
      Add rule
    </Button>
  ) : null;

  return (
    <SettingsSection
      id="trace-rules"
      title="Trace routing rules"
      description="Send production traces to a review queue by themselves: when a customer gives negative feedback, when a score falls below a threshold, or a random sample. A trace is sent once per rule."
      actions={addButton}
      status={status}
    >
      {toggleError ? (
        <div className="px-4 pt-3">
          <Alert tone="error" title="Could not change the rule">
            {toggleError}
          </Alert>
        </div>
      ) : null}
      <QueryBody query={list} what="rules">
        {(rows) =>
          rows.length === 0 ? (
            <EmptyState icon={<ClipboardCheckIcon />} title="No routing rules" description={canManage ? "Add one to review what production users disliked." : "Owners and admins can add rules."} action={addButton} />
          ) : (
            <Table caption={`Trace routing rules of ${projectName}`}>
              <THead>
                <TR>
                  <TH>Name</TH>
                  <TH>Sends when</TH>
                  <TH>Queue</TH>
                  <TH>Scope</TH>
                  <TH>Enabled</TH>
                  {canManage ? (
                    <ActionsTH />
                  ) : null}
                </TR>
              </THead>
              <TBody>
                {rows.map((r) => (
                  <TR key={r.id}>
                    <TD className="font-medium text-zinc-900">{r.name}</TD>
                    <TD>
                      <span className="flex flex-col items-start gap-0.5">
                        <Badge tone="outline">{KIND_LABELS[r.kind]}</Badge>
                        <span className="font-mono text-xs text-zinc-600">{ruleCondition(r)}</span>
                      </span>
                    </TD>
                    <TD>
                      <Link href={`/o/${orgSlug}/p/${projectSlug}/reviews/${encodeURIComponent(r.queue.name)}`} className="text-zinc-800 underline-offset-2 hover:underline">
                        {r.queue.name}
                      </Link>
                    </TD>
                    <TD>
                      <ScopeCell promptName={r.promptName} environment={r.environment} />
                    </TD>
                    <TD>
                      <EnabledSwitch
                        name={r.name}
                        enabled={r.enabled}
                        canManage={canManage}
                        pending={toggle.isPending && toggle.variables?.id === r.id}
                        onToggle={(enabled) => {
                          setToggleError(null);
                          toggle.mutate({ orgSlug, projectSlug, id: r.id, ...inputOf(r), enabled });
                        }}
                      />
                    </TD>
                    {canManage ? (
                      <TD className="text-right whitespace-nowrap">
                        <RowActions name={r.name} onEdit={() => setEditing(r)} onDelete={() => setDeleting(r)} />
                      </TD>
                    ) : null}
                  </TR>
                ))}
              </TBody>
            </Table>
          )
        }
      </QueryBody>
      {canManage ? (
        <>
          <TraceRuleDialog orgSlug={orgSlug} projectSlug={projectSlug} editing={editing} onClose={() => setEditing(null)} onSaved={setStatus} />
          <DeleteTraceRuleDialog orgSlug={orgSlug} projectSlug={projectSlug} row={deleting} onClose={() => setDeleting(null)} onDeleted={setStatus} />
        </>
      ) : null}
    </SettingsSection>
  );
}

function inputOf(r: TraceRuleRow): TraceRuleInput {
  return { name: r.name, kind: r.kind, queue: r.queue.name, scoreName: r.scoreName, threshold: r.threshold, sampleRate: r.sampleRate, promptName: r.promptName, environment: r.environment, enabled: r.enabled };
}

const LABELS = { name: "Name", kind: "Kind", queue: "Queue", scoreName: "Score name", threshold: "Threshold", sampleRate: "Sample rate", promptName: "Prompt", environment: "Environment" };
type Field = keyof typeof LABELS;
type Values = { name: string; kind: TraceRuleKind; queue: string; scoreName: string; threshold: string; percent: string; promptName: string; environment: string; enabled: boolean };

function valuesOf(row: TraceRuleRow | null): Values {
  if (!row) return { name: "", kind: "negative_feedback", queue: "", scoreName: "", threshold: "", percent: "5", promptName: "", environment: "", enabled: true };
  return {
    name: row.name,
    kind: row.kind,
    queue: row.queue.name,
    scoreName: row.scoreName ?? "",
    threshold: row.threshold === null ? "" : String(row.threshold),
    percent: row.sampleRate === null ? "5" : rateToPercent(row.sampleRate),
    promptName: row.promptName ?? "",
    environment: row.environment ?? "",
    enabled: row.enabled,
  };
}

/** The form as the procedure's input (fields the kind does not use are sent as null), or its problems. */
export function checkTraceRule(values: Values): { input: TraceRuleInput; errors: null } | { input: null; errors: FormErrors<Field> } {
  const fields: Partial<Record<Field, string>> = {};
  const thresholdText = values.threshold.trim();
  const threshold = thresholdText === "" ? null : Number(thresholdText);
  if (values.kind !== "random_sample" && threshold !== null && !Number.isFinite(threshold)) fields.threshold = "Threshold must be a number";
  const sampleRate = values.kind === "random_sample" ? percentToRate(values.percent) : null;
  if (values.kind === "random_sample" && sampleRate === null) fields.sampleRate = "Sample rate must be a percentage from 1 to 100";
  const parsed = traceRuleInput.safeParse({
    name: values.name,
    kind: values.kind,
    queue: values.queue,
    scoreName: values.kind === "random_sample" ? null : values.scoreName.trim() || null,
    threshold: values.kind === "random_sample" || fields.threshold ? null : threshold,
    sampleRate,
    promptName: scopeValue(values.promptName),
    environment: scopeValue(values.environment),
    enabled: values.enabled,
  });
  const found = parsed.success ? { fields: {}, form: null } : errorsFromIssues(parsed.error.issues, LABELS);
  const all = { ...found.fields, ...fields };
  if (Object.keys(all).length || found.form || !parsed.success) return { input: null, errors: { fields: all, form: Object.keys(all).length ? null : (found.form ?? "Check the form") } };
  return { input: parsed.data, errors: null };
}

function TraceRuleDialog({ orgSlug, projectSlug, editing, onClose, onSaved }: ProjectRef & { editing: TraceRuleRow | "new" | null; onClose: () => void; onSaved: (text: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const row = editing === "new" ? null : editing;
  const queues = useQuery({ ...trpc.reviews.list.queryOptions({ orgSlug, projectSlug }), enabled: editing !== null });
  const [values, setValues] = useState<Values>(() => valuesOf(row));
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  // The fields start from the row (or the defaults) each time the dialog opens.
  const openKey = editing === "new" ? "new" : (editing?.id ?? null);
  const [openedFor, setOpenedFor] = useState<string | null>(null);
  if (openKey !== openedFor) {
    setOpenedFor(openKey);
    if (openKey) {
      setValues(valuesOf(row));
      setErrors(NO_ERRORS);
    }
  }
  const callbacks = {
    onSuccess: async (saved: { name: string; queue: { name: string } }) => {
      onSaved(row ? `${saved.name} was saved` : `${saved.name} now sends traces to ${saved.queue.name}`);
      await queryClient.invalidateQueries({ queryKey: trpc.traceRules.list.queryKey() });
      onClose();
    },
    onError: (error: unknown) => {
      setErrors(settingsErrorsFrom(error, LABELS));
      focusFirstInvalid(formId);
    },
  };
  const create = useMutation(trpc.traceRules.create.mutationOptions(callbacks));
  const update = useMutation(trpc.traceRules.update.mutationOptions(callbacks));

  const change = (patch: Partial<Values>) => {
    setValues((v) => ({ ...v, ...patch }));
    setErrors(NO_ERRORS);
  };

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const checked = checkTraceRule(values);
    if (checked.errors) {
      setErrors(checked.errors);
      return focusFirstInvalid(formId);
    }
    if (row) update.mutate({ orgSlug, projectSlug, id: row.id, ...checked.input });
    else create.mutate({ orgSlug, projectSlug, ...checked.input });
  }

  const queueNames = queues.data?.map((q) => q.name) ?? [];
  if (values.queue && !queueNames.includes(values.queue)) queueNames.unshift(values.queue);
  const title = row ? "Edit rule" : "Add rule";

  return (
    <Dialog
      open={editing !== null}
      onClose={onClose}
      size="lg"
      title={title}
      description="Matching traces are added to the queue for people to grade; a trace is sent at most once per rule."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={create.isPending || update.isPending}>
            {row ? "Save rule" : "Add rule"}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label={title} className="flex flex-col gap-4">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Input label={LABELS.name} value={values.name} error={errors.fields.name} onChange={(e) => change({ name: e.target.value })} maxLength={80} autoComplete="off" placeholder="e.g. Thumbs-down to review" />
        <RadioGroup
          legend="Sends a trace when"
          name={`${formId}-kind`}
          options={KIND_NAMES.map((kind) => ({ value: kind, label: KIND_LABELS[kind], description: TRACE_RULE_KINDS[kind] }))}
          value={values.kind}
          onChange={(kind) => change({ kind })}
          error={errors.fields.kind}
        />
        {values.kind === "random_sample" ? (
          <Input
            label="Sample rate (%)"
            type="number"
            inputMode="decimal"
            min={1}
            max={100}
            step="any"
            value={values.percent}
            error={errors.fields.sampleRate}
            onChange={(e) => change({ percent: e.target.value })}
            wrapperClassName="max-w-48"
            hint="1 to 100: the share of matching traces sent."
          />
        ) : (
          <div className="grid gap-4 sm:grid-cols-2">
            <Input
              label={LABELS.scoreName}
              labelAside={values.kind === "negative_feedback" ? <span className="text-xs text-zinc-500">optional</span> : null}
              value={values.scoreName}
              error={errors.fields.scoreName}
              onChange={(e) => change({ scoreName: e.target.value })}
              maxLength={200}
              className="font-mono"
              spellCheck={false}
              autoComplete="off"
              placeholder={values.kind === "negative_feedback" ? "any feedback score" : "e.g. helpfulness"}
              hint={values.kind === "negative_feedback" ? "Only this score counts (e.g. user-feedback); empty: any score." : "A feedback score or an online evaluator's name."}
            />
            <Input
              label={LABELS.threshold}
              labelAside={values.kind === "negative_feedback" ? <span className="text-xs text-zinc-500">optional</span> : null}
              type="number"
              inputMode="decimal"
              step="any"
              value={values.threshold}
              error={errors.fields.threshold}
              onChange={(e) => change({ threshold: e.target.value })}
              hint={values.kind === "negative_feedback" ? "Numeric scores at or below it count as negative; empty: only thumbs-down (false) counts." : "Scores strictly below it send the trace."}
            />
          </div>
        )}
        <Select
          label={LABELS.queue}
          value={values.queue}
          error={errors.fields.queue}
          onChange={(e) => change({ queue: e.target.value })}
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
        <ScopeFields orgSlug={orgSlug} projectSlug={projectSlug} promptName={values.promptName} environment={values.environment} errors={errors.fields} onChange={change} />
        <Checkbox label="Enabled" description="A disabled rule keeps its settings and sends nothing." checked={values.enabled} onChange={(e) => change({ enabled: e.target.checked })} />
      </form>
    </Dialog>
  );
}

function DeleteTraceRuleDialog({ orgSlug, projectSlug, row, onClose, onDeleted }: ProjectRef & { row: TraceRuleRow | null; onClose: () => void; onDeleted: (text: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.traceRules.delete.mutationOptions({
      onSuccess: async () => {
        if (row) onDeleted(`${row.name} was deleted`);
        await queryClient.invalidateQueries({ queryKey: trpc.traceRules.list.queryKey() });
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog open={!!row} onClose={onClose} title={`Delete ${row?.name ?? "this rule"}?`} confirmLabel="Delete rule" onConfirm={() => row && remove.mutate({ orgSlug, projectSlug, id: row.id })} mutation={remove}>
      <p>
        Traces stop going to <span className="text-zinc-900">{row?.queue.name}</span> through this rule. Items it already sent stay in the queue.
      </p>
    </ConfirmDialog>
  );
}
