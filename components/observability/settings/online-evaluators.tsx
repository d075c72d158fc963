"use client";
// Online evaluators: project evaluators run on a sampled share of production generations, per
// prompt and environment; their scores appear beside feedback on traces and the dashboards.
// Evaluators that compare with an expected output cannot score production traffic (there is
// none), so the form warns about them. Changing needs observability:manage; the server checks again.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { onlineEvaluatorInput, type OnlineEvaluatorInput } from "@/server/contracts/observability";
import { EVALUATOR_KIND_INFO, needsExpectedOutput, storedEvaluatorConfig, type EvaluatorKind } from "@/server/contracts/evaluators";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { ActionsTH, Alert, Badge, Button, Checkbox, ConfirmDialog, Dialog, EmptyState, Input, QueryBody, Select, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { FlaskIcon, PlusIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid, NO_ERRORS, type FormErrors } from "@/components/lib/errors";
import { errorsFromIssues, percentToRate, rateToPercent, scopeValue, settingsErrorsFrom } from "./model";
import { EnabledSwitch, RowActions, ScopeCell, ScopeFields, SettingsSection, type ProjectRef } from "./shared";

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

export function OnlineEvaluators({ orgSlug, projectSlug, projectName, canManage, canReadEvaluators }: ProjectRef & { projectName: string; canManage: boolean; canReadEvaluators: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.onlineEvaluators.list.queryOptions({ orgSlug, projectSlug }));
  const evaluators = useQuery({ ...trpc.evaluators.list.queryOptions({ orgSlug, projectSlug, includeArchived: false }), enabled: canReadEvaluators });
  const [editing, setEditing] = useState<OnlineEvaluatorRow | "new" | null>(null);
  const [deleting, setDeleting] = useState<OnlineEvaluatorRow | null>(null);
  const [status, setStatus] = useState("");
  const [toggleError, setToggleError] = useState<string | null>(null);
  const toggle = useMutation(
    trpc.onlineEvaluators.update.mutationOptions({
      onSuccess: async (row) => {
        setStatus(`${row.evaluator.name} was ${row.enabled ? "enabled" : "disabled"}`);
        await queryClient.invalidateQueries({ queryKey: trpc.onlineEvaluators.list.queryKey() });
      },
      onError: (error) => setToggleError(errorInfo(error).message),
    }),
  );
  const byName = new Map((evaluators.data ?? []).map((e) => [e.name, e]));

  const addButton = canManage ? (
    <Button variant="primary" size="sm" icon={<PlusIcon />} onClick={() => setEditing("new")}>
      Add online evaluator
    </Button>
  ) : null;

  return (
    <SettingsSection
      id="online-evaluators"
      title="Online evaluators"
      description="Score a sampled share of production generations with a project evaluator. Sampling is by span, so the same generation is always in or out. Use reference-free evaluators (LLM judge, valid JSON, JSON Schema, regex, length, latency, cost): production traffic has no expected output."
      actions={addButton}
      status={status}
    >
      {toggleError ? (
        <div className="px-4 pt-3">
          <Alert tone="error" title="Could not change the evaluator">
            {toggleError}
          </Alert>
        </div>
      ) : null}
      <QueryBody query={list} what="online evaluators">
        {(rows) =>
          rows.length === 0 ? (
            <EmptyState icon={<FlaskIcon />} title="No online evaluators" description={canManage ? "Add one to score production traffic continuously." : "Owners and admins can add online evaluators."} action={addButton} />
          ) : (
            <Table caption={`Online evaluators of ${projectName}`}>
              <THead>
                <TR>
                  <TH>Evaluator</TH>
                  <TH>Sample rate</TH>
                  <TH>Scope</TH>
                  <TH>Enabled</TH>
                  {canManage ? (
                    <ActionsTH />
                  ) : null}
                </TR>
              </THead>
              <TBody>
                {rows.map((o) => {
                  const info = byName.get(o.evaluator.name);
                  return (
                    <TR key={o.id}>
                      <TD>
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
                      </TD>
                      <TD className="whitespace-nowrap tabular-nums">{rateToPercent(o.sampleRate)} %</TD>
                      <TD>
                        <ScopeCell promptName={o.promptName} environment={o.environment} />
                      </TD>
                      <TD>
                        <EnabledSwitch
                          name={o.evaluator.name}
                          enabled={o.enabled}
                          canManage={canManage}
                          pending={toggle.isPending && toggle.variables?.id === o.id}
                          onToggle={(enabled) => {
                            setToggleError(null);
                            toggle.mutate({ orgSlug, projectSlug, id: o.id, evaluator: o.evaluator.name, sampleRate: o.sampleRate, promptName: o.promptName, environment: o.environment, enabled });
                          }}
                        />
                      </TD>
                      {canManage ? (
                        <TD className="text-right whitespace-nowrap">
                          <RowActions name={`${o.evaluator.name} (${o.promptName ?? "all prompts"}, ${o.environment ?? "all environments"})`} onEdit={() => setEditing(o)} onDelete={() => setDeleting(o)} />
                        </TD>
                      ) : null}
                    </TR>
                  );
                })}
              </TBody>
            </Table>
          )
        }
      </QueryBody>
      {canManage ? (
        <>
          <OnlineEvaluatorDialog
            orgSlug={orgSlug}
            projectSlug={projectSlug}
            editing={editing}
            evaluators={evaluators.data ?? []}
            evaluatorsLoading={evaluators.isPending}
            onClose={() => setEditing(null)}
            onSaved={(text) => setStatus(text)}
          />
          <DeleteOnlineEvaluatorDialog orgSlug={orgSlug} projectSlug={projectSlug} row={deleting} onClose={() => setDeleting(null)} onDeleted={(text) => setStatus(text)} />
        </>
      ) : null}
    </SettingsSection>
  );
}

const LABELS = { evaluator: "Evaluator", sampleRate: "Sample rate", promptName: "Prompt", environment: "Environment" };
type Field = keyof typeof LABELS;
type Values = { evaluator: string; percent: string; promptName: string; environment: string; enabled: boolean };

function valuesOf(row: OnlineEvaluatorRow | null): Values {
  return row
    ? { evaluator: row.evaluator.name, percent: rateToPercent(row.sampleRate), promptName: row.promptName ?? "", environment: row.environment ?? "", enabled: row.enabled }
    : { evaluator: "", percent: "10", promptName: "", environment: "", enabled: true };
}

export function checkOnlineEvaluator(values: Values): { input: OnlineEvaluatorInput; errors: null } | { input: null; errors: FormErrors<Field> } {
  const rate = percentToRate(values.percent);
  if (rate === null) {
    const evaluator = values.evaluator ? {} : { evaluator: "Evaluator is required" };
    return { input: null, errors: { fields: { ...evaluator, sampleRate: "Sample rate must be a percentage from 1 to 100" }, form: null } };
  }
  const parsed = onlineEvaluatorInput.safeParse({ evaluator: values.evaluator, sampleRate: rate, promptName: scopeValue(values.promptName), environment: scopeValue(values.environment), enabled: values.enabled });
  if (!parsed.success) return { input: null, errors: errorsFromIssues(parsed.error.issues, LABELS) };
  return { input: parsed.data, errors: null };
}

function OnlineEvaluatorDialog({
  orgSlug,
  projectSlug,
  editing,
  evaluators,
  evaluatorsLoading,
  onClose,
  onSaved,
}: ProjectRef & { editing: OnlineEvaluatorRow | "new" | null; evaluators: EvaluatorOption[]; evaluatorsLoading: boolean; onClose: () => void; onSaved: (text: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const row = editing === "new" ? null : editing;
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
    onSuccess: async (saved: { evaluator: { name: string }; sampleRate: number }) => {
      onSaved(`${saved.evaluator.name} ${row ? "was saved" : `now scores ${rateToPercent(saved.sampleRate)} % of matching generations`}`);
      await queryClient.invalidateQueries({ queryKey: trpc.onlineEvaluators.list.queryKey() });
      onClose();
    },
    onError: (error: unknown) => {
      setErrors(settingsErrorsFrom(error, LABELS));
      focusFirstInvalid(formId);
    },
  };
  const create = useMutation(trpc.onlineEvaluators.create.mutationOptions(callbacks));
  const update = useMutation(trpc.onlineEvaluators.update.mutationOptions(callbacks));
  const pending = create.isPending || update.isPending;

  const change = (patch: Partial<Values>) => {
    setValues((v) => ({ ...v, ...patch }));
    setErrors(NO_ERRORS);
  };

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const checked = checkOnlineEvaluator(values);
    if (checked.errors) {
      setErrors(checked.errors);
      return focusFirstInvalid(formId);
    }
    if (row) update.mutate({ orgSlug, projectSlug, id: row.id, ...checked.input });
    else create.mutate({ orgSlug, projectSlug, ...checked.input });
  }

  const selected = evaluators.find((e) => e.name === values.evaluator);
  const options = values.evaluator && !selected ? [{ name: values.evaluator, kind: "", description: "", config: null }, ...evaluators] : evaluators;
  const title = row ? "Edit online evaluator" : "Add online evaluator";

  return (
    <Dialog
      open={editing !== null}
      onClose={onClose}
      title={title}
      description="Scores are written as the evaluator's name, with source online_eval, on the generations sampled."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={pending}>
            {row ? "Save online evaluator" : "Add online evaluator"}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label={title} className="flex flex-col gap-4">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Select
          label={LABELS.evaluator}
          value={values.evaluator}
          error={errors.fields.evaluator}
          onChange={(e) => change({ evaluator: e.target.value })}
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
            Production generations have none, so its scores would fail. Choose a reference-free evaluator: an LLM judge, valid JSON, JSON Schema, regex, length, latency or cost (or contains with a fixed text).
          </Alert>
        ) : null}
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
          hint="1 to 100: the share of matching generations scored."
        />
        <ScopeFields
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          promptName={values.promptName}
          environment={values.environment}
          errors={errors.fields}
          onChange={change}
          promptHint="Plain model calls through the gateway belong to no prompt: only “all” covers them."
        />
        <Checkbox label="Enabled" description="A disabled evaluator keeps its settings and scores nothing." checked={values.enabled} onChange={(e) => change({ enabled: e.target.checked })} />
      </form>
    </Dialog>
  );
}

function DeleteOnlineEvaluatorDialog({ orgSlug, projectSlug, row, onClose, onDeleted }: ProjectRef & { row: OnlineEvaluatorRow | null; onClose: () => void; onDeleted: (text: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.onlineEvaluators.delete.mutationOptions({
      onSuccess: async () => {
        if (row) onDeleted(`${row.evaluator.name} no longer scores production traffic`);
        await queryClient.invalidateQueries({ queryKey: trpc.onlineEvaluators.list.queryKey() });
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog open={!!row} onClose={onClose} title="Delete this online evaluator?" confirmLabel="Delete online evaluator" onConfirm={() => row && remove.mutate({ orgSlug, projectSlug, id: row.id })} mutation={remove}>
      <p>
        <span className="font-mono text-zinc-900">{row?.evaluator.name}</span> stops scoring {row?.promptName ?? "all prompts"} in {row?.environment ?? "all environments"}. Scores it already wrote stay on their traces.
      </p>
    </ConfirmDialog>
  );
}
