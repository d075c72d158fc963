"use client";
// The form of the add/edit guardrail dialog. It adapts to the kind of check (personal data, denied
// patterns, JSON Schema, maximum length); it is checked with guardrailForm (JSON syntax and
// regular expressions here, the rest by guardrailInput), and the server's errors land on the field
// they name (config.schema → Schema).
import { useWatch } from "react-hook-form";
import type { GuardrailInput } from "@/server/contracts/observability";
import { Checkbox, FormProblem, type FormProps, Input, Select, Textarea } from "@/components/ui";
import { useZodForm } from "@/components/lib/form-errors";
import {
  ACTION_LABELS,
  GUARDRAIL_LABELS,
  GUARDRAIL_PLACEMENT,
  guardrailForm,
  guardrailValues,
  isOutputOnly,
  KIND_INFO,
  KINDS,
  PII_ENTITY_LABELS,
  PII_MODE_INFO,
  STAGE_HINTS,
  STAGE_LABELS,
  type GuardrailRow,
  type PiiEntity,
  type PiiMode,
  type Stage,
} from "./guardrail-model";
import { RadioGroup, ScopeFields, type ProjectRef } from "./shared";

const ENTITY_NAMES = Object.keys(PII_ENTITY_LABELS) as PiiEntity[];
const MODE_NAMES = Object.keys(PII_MODE_INFO) as PiiMode[];
const STAGES = Object.keys(STAGE_LABELS) as Stage[];

export function GuardrailForm({ orgSlug, projectSlug, row, formId, save }: ProjectRef & FormProps<GuardrailInput> & { row: GuardrailRow | null }) {
  const { form, onSubmit } = useZodForm({ schema: guardrailForm, placement: GUARDRAIL_PLACEMENT, defaultValues: guardrailValues(row), formId, save });
  const {
    register,
    setValue,
    getValues,
    formState: { errors },
  } = form;
  const [kind, promptName, environment] = useWatch({ control: form.control, name: ["kind", "promptName", "environment"] });
  const entitiesErrorId = `${formId}-entities-error`;

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label={row ? "Edit guardrail" : "Add guardrail"} className="flex flex-col gap-5">
      <FormProblem message={errors.root?.message} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Input
          label={GUARDRAIL_LABELS.name}
          {...register("name")}
          error={errors.name?.message}
          maxLength={80}
          autoComplete="off"
          placeholder="e.g. Block card numbers"
        />
        <Input
          label={GUARDRAIL_LABELS.description}
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          {...register("description")}
          error={errors.description?.message}
          maxLength={500}
          autoComplete="off"
          placeholder="Why it exists"
        />
      </div>

      <section aria-labelledby={`${formId}-check`} className="flex flex-col gap-4 rounded-md border border-zinc-200 bg-zinc-50/60 p-3">
        <h3 id={`${formId}-check`} className="sr-only">
          The check
        </h3>
        <Select
          label={GUARDRAIL_LABELS.kind}
          {...register("kind", {
            // A JSON Schema checks replies: move an input-only guardrail to the output.
            onChange: () => isOutputOnly(getValues("kind")) && getValues("stage") === "input" && setValue("stage", "output"),
          })}
          error={errors.kind?.message}
          hint={KIND_INFO[kind].description}
          boxClassName="max-w-xs"
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_INFO[k].label}
            </option>
          ))}
        </Select>

        {kind === "pii" ? (
          <div className="grid gap-4 sm:grid-cols-2">
            <fieldset aria-describedby={errors.entities ? entitiesErrorId : undefined} className="flex flex-col gap-2">
              <legend className="mb-2 text-[13px] font-medium text-zinc-800">{GUARDRAIL_LABELS.entities}</legend>
              {ENTITY_NAMES.map((entity) => (
                <Checkbox
                  key={entity}
                  label={PII_ENTITY_LABELS[entity]}
                  value={entity}
                  {...register("entities")}
                  aria-invalid={errors.entities ? true : undefined}
                />
              ))}
              {errors.entities ? (
                <p id={entitiesErrorId} className="text-xs text-red-700">
                  {errors.entities.message}
                </p>
              ) : null}
            </fieldset>
            <RadioGroup
              legend={GUARDRAIL_LABELS.mode}
              idPrefix={`${formId}-mode`}
              options={MODE_NAMES.map((m) => ({ value: m, label: PII_MODE_INFO[m].label, description: PII_MODE_INFO[m].description }))}
              field={register("mode")}
              error={errors.mode?.message}
            />
          </div>
        ) : kind === "regex_deny" ? (
          <div className="flex flex-col gap-3">
            <Textarea
              label={GUARDRAIL_LABELS.patterns}
              {...register("patterns")}
              error={errors.patterns?.message}
              rows={5}
              spellCheck={false}
              className="font-mono text-[12.5px]"
              placeholder={"\\bpassword\\b\nignore (all )?previous instructions"}
              hint="One regular expression a line (JavaScript syntax). The check fails when any of them matches."
            />
            <Checkbox label="Case-insensitive" description="Match upper and lower case alike." {...register("caseInsensitive")} />
          </div>
        ) : kind === "json_schema" ? (
          <Textarea
            label={GUARDRAIL_LABELS.schema}
            {...register("schema")}
            error={errors.schema?.message}
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
            {...register("maxChars")}
            error={errors.maxChars?.message}
            wrapperClassName="max-w-48"
          />
        )}
      </section>

      <div className="grid gap-4 sm:grid-cols-2">
        <RadioGroup
          legend={GUARDRAIL_LABELS.stage}
          idPrefix={`${formId}-stage`}
          options={STAGES.map((s) => ({ value: s, label: STAGE_LABELS[s], description: STAGE_HINTS[s], disabled: s === "input" && isOutputOnly(kind) }))}
          field={register("stage")}
          error={errors.stage?.message}
        />
        <RadioGroup
          legend={GUARDRAIL_LABELS.action}
          idPrefix={`${formId}-action`}
          options={[
            { value: "block", label: ACTION_LABELS.block, description: "Refuse the call: the client gets an error naming the guardrail." },
            { value: "flag", label: ACTION_LABELS.flag, description: "Let the call through and mark its trace, for the dashboards and review." },
          ]}
          field={register("action")}
          error={errors.action?.message}
        />
      </div>

      <ScopeFields
        orgSlug={orgSlug}
        projectSlug={projectSlug}
        prompt={{ ...register("promptName"), value: promptName, error: errors.promptName?.message }}
        environment={{ ...register("environment"), value: environment, error: errors.environment?.message }}
        promptHint="“All” also covers plain model calls, which belong to no prompt."
      />
      <Checkbox label="Enabled" description="A disabled guardrail keeps its settings and checks nothing." {...register("enabled")} />
    </form>
  );
}
