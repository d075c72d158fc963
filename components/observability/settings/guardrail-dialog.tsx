"use client";
// Adding and editing a guardrail. The form adapts to the kind of check (personal data, denied
// patterns, JSON Schema, maximum length); JSON syntax and regular expressions are checked here,
// everything else by the server, whose errors land on the field they name (config.schema → Schema).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Checkbox, Dialog, Input, Select, Textarea } from "@/components/ui";
import { focusFirstInvalid, NO_ERRORS, type FormErrors } from "@/components/lib/errors";
import {
  ACTION_LABELS,
  checkGuardrail,
  GUARDRAIL_LABELS,
  guardrailValues,
  GUARDRAIL_ITEM_LABELS,
  isOutputOnly,
  KIND_INFO,
  KINDS,
  PII_ENTITY_LABELS,
  PII_MODE_INFO,
  STAGE_HINTS,
  STAGE_LABELS,
  type GuardrailField,
  type GuardrailKind,
  type GuardrailRow,
  type GuardrailValues,
  type PiiEntity,
  type PiiMode,
  type Stage,
} from "./guardrail-model";
import { settingsErrorsFrom } from "./model";
import { RadioGroup, ScopeFields, type ProjectRef } from "./shared";

const ENTITY_NAMES = Object.keys(PII_ENTITY_LABELS) as PiiEntity[];
const MODE_NAMES = Object.keys(PII_MODE_INFO) as PiiMode[];
const STAGES = Object.keys(STAGE_LABELS) as Stage[];

export function GuardrailDialog({ orgSlug, projectSlug, editing, onClose, onSaved }: ProjectRef & { editing: GuardrailRow | "new" | null; onClose: () => void; onSaved: (text: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const row = editing === "new" ? null : editing;
  const [values, setValues] = useState<GuardrailValues>(() => guardrailValues(row));
  const [errors, setErrors] = useState<FormErrors<GuardrailField>>(NO_ERRORS);
  // The fields start from the guardrail (or the defaults) each time the dialog opens.
  const openKey = editing === "new" ? "new" : (editing?.id ?? null);
  const [openedFor, setOpenedFor] = useState<string | null>(null);
  if (openKey !== openedFor) {
    setOpenedFor(openKey);
    if (openKey) {
      setValues(guardrailValues(row));
      setErrors(NO_ERRORS);
    }
  }
  const callbacks = {
    onSuccess: async (saved: { name: string }) => {
      onSaved(`${saved.name} was ${row ? "saved" : "added"}`);
      await queryClient.invalidateQueries({ queryKey: trpc.guardrails.list.queryKey() });
      onClose();
    },
    onError: (error: unknown) => {
      setErrors(settingsErrorsFrom(error, GUARDRAIL_LABELS, GUARDRAIL_ITEM_LABELS));
      focusFirstInvalid(formId);
    },
  };
  const create = useMutation(trpc.guardrails.create.mutationOptions(callbacks));
  const update = useMutation(trpc.guardrails.update.mutationOptions(callbacks));

  const change = (patch: Partial<GuardrailValues>) => {
    setValues((v) => ({ ...v, ...patch }));
    setErrors(NO_ERRORS);
  };

  function changeKind(kind: GuardrailKind) {
    // A JSON Schema checks replies: move an input-only guardrail to the output.
    change(isOutputOnly(kind) && values.stage === "input" ? { kind, stage: "output" } : { kind });
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const checked = checkGuardrail(values);
    if (checked.errors) {
      setErrors(checked.errors);
      return focusFirstInvalid(formId);
    }
    if (row) update.mutate({ orgSlug, projectSlug, id: row.id, ...checked.input });
    else create.mutate({ orgSlug, projectSlug, ...checked.input });
  }

  const title = row ? "Edit guardrail" : "Add guardrail";
  const f = errors.fields;
  const entitiesErrorId = `${formId}-entities-error`;

  return (
    <Dialog
      open={editing !== null}
      onClose={onClose}
      size="lg"
      title={title}
      description="The gateway runs it on every matching call from the next request on."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={create.isPending || update.isPending}>
            {row ? "Save guardrail" : "Add guardrail"}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label={title} className="flex flex-col gap-5">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <div className="grid gap-4 sm:grid-cols-2">
          <Input label={GUARDRAIL_LABELS.name} value={values.name} error={f.name} onChange={(e) => change({ name: e.target.value })} maxLength={80} autoComplete="off" placeholder="e.g. Block card numbers" />
          <Input
            label={GUARDRAIL_LABELS.description}
            labelAside={<span className="text-xs text-zinc-500">optional</span>}
            value={values.description}
            error={f.description}
            onChange={(e) => change({ description: e.target.value })}
            maxLength={500}
            autoComplete="off"
            placeholder="Why it exists"
          />
        </div>

        <section aria-labelledby={`${formId}-check`} className="flex flex-col gap-4 rounded-md border border-zinc-200 bg-zinc-50/60 p-3">
          <h3 id={`${formId}-check`} className="sr-only">
            The check
          </h3>
          <Select label={GUARDRAIL_LABELS.config} value={values.kind} error={f.config} onChange={(e) => changeKind(e.target.value as GuardrailKind)} hint={KIND_INFO[values.kind].description} boxClassName="max-w-xs">
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_INFO[k].label}
              </option>
            ))}
          </Select>

          {values.kind === "pii" ? (
            <div className="grid gap-4 sm:grid-cols-2">
              <fieldset aria-describedby={f.entities ? entitiesErrorId : undefined} className="flex flex-col gap-2">
                <legend className="mb-2 text-[13px] font-medium text-zinc-800">{GUARDRAIL_LABELS.entities}</legend>
                {ENTITY_NAMES.map((entity) => (
                  <Checkbox
                    key={entity}
                    label={PII_ENTITY_LABELS[entity]}
                    checked={values.entities.includes(entity)}
                    aria-invalid={f.entities ? true : undefined}
                    onChange={(e) => change({ entities: e.target.checked ? ENTITY_NAMES.filter((x) => x === entity || values.entities.includes(x)) : values.entities.filter((x) => x !== entity) })}
                  />
                ))}
                {f.entities ? (
                  <p id={entitiesErrorId} className="text-xs text-red-700">
                    {f.entities}
                  </p>
                ) : null}
              </fieldset>
              <RadioGroup
                legend={GUARDRAIL_LABELS.mode}
                name={`${formId}-mode`}
                options={MODE_NAMES.map((m) => ({ value: m, label: PII_MODE_INFO[m].label, description: PII_MODE_INFO[m].description }))}
                value={values.mode}
                onChange={(mode) => change({ mode })}
                error={f.mode}
              />
            </div>
          ) : values.kind === "regex_deny" ? (
            <div className="flex flex-col gap-3">
              <Textarea
                label={GUARDRAIL_LABELS.patterns}
                value={values.patterns}
                error={f.patterns}
                onChange={(e) => change({ patterns: e.target.value })}
                rows={5}
                spellCheck={false}
                className="font-mono text-[12.5px]"
                placeholder={"\\bpassword\\b\nignore (all )?previous instructions"}
                hint="One regular expression a line (JavaScript syntax). The check fails when any of them matches."
              />
              <Checkbox label="Case-insensitive" description="Match upper and lower case alike." checked={values.caseInsensitive} onChange={(e) => change({ caseInsensitive: e.target.checked })} />
            </div>
          ) : values.kind === "json_schema" ? (
            <Textarea
              label={GUARDRAIL_LABELS.schema}
              value={values.schema}
              error={f.schema}
              onChange={(e) => change({ schema: e.target.value })}
              rows={9}
              spellCheck={false}
              className="font-mono text-[12.5px]"
              hint="The JSON Schema the reply must match (draft-07 unless $schema names 2019-09 or 2020-12). A reply that does not match is asked for once more, with the errors; the guardrail acts if the second one fails too."
            />
          ) : (
            <Input
              label={GUARDRAIL_LABELS.maxChars}
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              value={values.maxChars}
              error={f.maxChars}
              onChange={(e) => change({ maxChars: e.target.value })}
              wrapperClassName="max-w-48"
            />
          )}
        </section>

        <div className="grid gap-4 sm:grid-cols-2">
          <RadioGroup
            legend={GUARDRAIL_LABELS.stage}
            name={`${formId}-stage`}
            options={STAGES.map((s) => ({ value: s, label: STAGE_LABELS[s], description: STAGE_HINTS[s], disabled: s === "input" && isOutputOnly(values.kind) }))}
            value={values.stage}
            onChange={(stage) => change({ stage })}
            error={f.stage}
          />
          <RadioGroup
            legend={GUARDRAIL_LABELS.action}
            name={`${formId}-action`}
            options={[
              { value: "block", label: ACTION_LABELS.block, description: "Refuse the call: the client gets an error naming the guardrail." },
              { value: "flag", label: ACTION_LABELS.flag, description: "Let the call through and mark its trace, for the dashboards and review." },
            ]}
            value={values.action}
            onChange={(action) => change({ action })}
            error={f.action}
          />
        </div>

        <ScopeFields orgSlug={orgSlug} projectSlug={projectSlug} promptName={values.promptName} environment={values.environment} errors={f} onChange={change} promptHint="“All” also covers plain model calls, which belong to no prompt." />
        <Checkbox label="Enabled" description="A disabled guardrail keeps its settings and checks nothing." checked={values.enabled} onChange={(e) => change({ enabled: e.target.checked })} />
      </form>
    </Dialog>
  );
}
