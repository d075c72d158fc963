"use client";
// The evaluator form's configuration: the kind selector and the kind's own fields (the judge's
// prompt, version, provider and scale for an LLM judge). Every kind's values stay in the form
// while another kind is chosen; choosing a kind sets its case sensitivity default.
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useWatch, type UseFormReturn } from "react-hook-form";
import { EVALUATOR_KINDS, EVALUATOR_KIND_INFO, JUDGE_PROMPT_VARIABLES, type EvaluatorKind } from "@/server/contracts/evaluators";
import { useTRPC } from "@/components/trpc/client";
import { Checkbox, Input, Select, Textarea } from "@/components/ui";
import { caseSensitiveFor, EVALUATOR_LABELS as L, type EvaluatorInput, type EvaluatorValues } from "./evaluator-model";

export type EvaluatorFormApi = UseFormReturn<EvaluatorValues, unknown, EvaluatorInput>;

const optional = <span className="text-xs text-zinc-500">optional</span>;

function Row({ children }: { children: ReactNode }) {
  return <div className="grid gap-4 sm:grid-cols-2">{children}</div>;
}

/** The kind selector and the kind's own fields. */
export function EvaluatorFields({ orgSlug, projectSlug, form }: { orgSlug: string; projectSlug: string; form: EvaluatorFormApi }) {
  const {
    register,
    setValue,
    formState: { errors },
  } = form;
  const [kind, relative] = useWatch({ control: form.control, name: ["kind", "relative"] });
  const caseSensitive = <Checkbox label="Case sensitive" {...register("caseSensitive")} />;
  return (
    <fieldset className="flex flex-col gap-4 rounded-md border border-zinc-200 px-4 pt-2 pb-4">
      <legend className="px-1 text-[13px] font-medium text-zinc-800">Configuration</legend>
      <Select
        label={L.kind}
        {...register("kind", { onChange: (e: { target: { value: string } }) => setValue("caseSensitive", caseSensitiveFor(e.target.value as EvaluatorKind)) })}
        error={errors.kind?.message}
        hint={EVALUATOR_KIND_INFO[kind].description}
      >
        {EVALUATOR_KINDS.map((k) => (
          <option key={k} value={k}>
            {EVALUATOR_KIND_INFO[k].label}
          </option>
        ))}
      </Select>
      {kind === "exact_match" ? (
        <Row>
          {caseSensitive}
          <Checkbox label="Ignore surrounding whitespace" {...register("trim")} />
        </Row>
      ) : null}
      {kind === "contains" || kind === "not_contains" ? (
        <>
          <Textarea
            label={L.value}
            labelAside={optional}
            {...register("value")}
            error={errors.value?.message}
            className="min-h-14 font-mono text-xs"
            spellCheck={false}
            hint={
              kind === "contains"
                ? "The output must contain this. Leave empty to use each item's expected output."
                : "The output must not contain this. Leave empty to use each item's expected output."
            }
          />
          {caseSensitive}
        </>
      ) : null}
      {kind === "regex" ? (
        <Row>
          <Input
            label={L.pattern}
            {...register("pattern")}
            error={errors.pattern?.message}
            className="font-mono"
            spellCheck={false}
            autoComplete="off"
            placeholder="refund|return"
            hint="JavaScript regular expression, without slashes."
          />
          <Input
            label={L.flags}
            labelAside={optional}
            {...register("flags")}
            error={errors.flags?.message}
            className="font-mono"
            spellCheck={false}
            autoComplete="off"
            placeholder="i"
            hint="Any of i, m, s, u."
          />
        </Row>
      ) : null}
      {kind === "valid_json" ? <p className="text-xs text-zinc-500">Nothing to configure: an output passes when it parses as JSON.</p> : null}
      {kind === "json_schema" ? (
        <Textarea
          label={L.schema}
          {...register("schema")}
          error={errors.schema?.message}
          className="min-h-40 font-mono text-xs"
          spellCheck={false}
          hint="The output is parsed as JSON (a ```json block counts) and must match this schema."
        />
      ) : null}
      {kind === "levenshtein" ? (
        <Row>
          <Input
            label={L.threshold}
            inputMode="decimal"
            {...register("threshold")}
            error={errors.threshold?.message}
            hint="Similarity from 0 to 1 needed to pass (default 0.8)."
          />
          <Checkbox label="Case sensitive" {...register("caseSensitive")} className="sm:mt-7" />
        </Row>
      ) : null}
      {kind === "numeric" ? (
        <Row>
          <Input
            label={L.tolerance}
            inputMode="decimal"
            {...register("tolerance")}
            error={errors.tolerance?.message}
            hint={relative ? "A fraction of the expected value (0.05 = 5%)." : "The absolute difference allowed."}
          />
          <Checkbox label="Relative tolerance" description="A fraction of the expected value" {...register("relative")} className="sm:mt-7" />
        </Row>
      ) : null}
      {kind === "length" ? (
        <div className="grid gap-4 sm:grid-cols-3">
          <Input label={L.min} labelAside={optional} inputMode="numeric" {...register("min")} error={errors.min?.message} />
          <Input label={L.max} labelAside={optional} inputMode="numeric" {...register("max")} error={errors.max?.message} />
          <Select label={L.unit} {...register("unit")} error={errors.unit?.message}>
            <option value="chars">Characters</option>
            <option value="words">Words</option>
          </Select>
        </div>
      ) : null}
      {kind === "latency" ? (
        <Input
          label={L.maxMs}
          inputMode="numeric"
          {...register("maxMs")}
          error={errors.maxMs?.message}
          hint="In milliseconds. Slower calls fail."
          wrapperClassName="sm:w-1/2"
        />
      ) : null}
      {kind === "cost" ? (
        <Input
          label={L.maxUsd}
          inputMode="decimal"
          {...register("maxUsd")}
          error={errors.maxUsd?.message}
          hint="In US dollars per call (e.g. 0.002)."
          wrapperClassName="sm:w-1/2"
        />
      ) : null}
      {kind === "llm_judge" ? <JudgeFields orgSlug={orgSlug} projectSlug={projectSlug} form={form} /> : null}
    </fieldset>
  );
}

/** An LLM judge: its prompt and the version or label of it, the provider (and model) that runs it, and its scale. */
function JudgeFields({ orgSlug, projectSlug, form }: { orgSlug: string; projectSlug: string; form: EvaluatorFormApi }) {
  const trpc = useTRPC();
  const {
    register,
    setValue,
    formState: { errors },
  } = form;
  const [promptName, promptRef, providerId] = useWatch({ control: form.control, name: ["promptName", "promptRef", "providerId"] });
  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const prompt = useQuery({ ...trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name: promptName || "x" }), enabled: !!promptName, retry: false });
  const providers = useQuery(trpc.providers.list.queryOptions({ orgSlug, projectSlug }));
  return (
    <>
      <p className="text-xs text-zinc-500">
        The judge is a Keel prompt; it may use the variables {JUDGE_PROMPT_VARIABLES.map((v) => `{{${v}}}`).join(", ")} and should answer with a score on the
        scale.
      </p>
      <Row>
        {/* The selects are controlled: their options arrive after the form's values. */}
        <Select
          label={L.promptName}
          {...register("promptName", { onChange: () => setValue("promptRef", "") })}
          value={promptName}
          error={errors.promptName?.message}
          disabled={prompts.isPending}
        >
          <option value="">{prompts.isPending ? "Loading prompts…" : "Choose a prompt"}</option>
          {(prompts.data?.items ?? []).map((p) => (
            <option key={p.id} value={p.name}>
              {p.name}
            </option>
          ))}
          {promptName && prompts.data && !prompts.data.items.some((p) => p.name === promptName) ? <option value={promptName}>{promptName}</option> : null}
        </Select>
        <Select label={L.promptRef} {...register("promptRef")} value={promptRef} error={errors.promptRef?.message} disabled={!prompt.data}>
          <option value="">Choose a version or label</option>
          {prompt.data?.labels.length ? (
            <optgroup label="Labels (follow the label)">
              {prompt.data.labels.map((l) => (
                <option key={l.name} value={`l:${l.name}`}>
                  {l.name} (now version {l.version})
                </option>
              ))}
            </optgroup>
          ) : null}
          <optgroup label="Versions (pinned)">
            {(prompt.data?.versions ?? []).map((v) => (
              <option key={v.version} value={`v:${v.version}`}>
                Version {v.version}
              </option>
            ))}
          </optgroup>
        </Select>
        <Select label={L.providerId} {...register("providerId")} value={providerId} error={errors.providerId?.message} disabled={providers.isPending}>
          <option value="">{providers.isPending ? "Loading providers…" : "Choose a provider"}</option>
          {(providers.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
        <Input
          label={L.model}
          labelAside={optional}
          {...register("model")}
          error={errors.model?.message}
          className="font-mono"
          spellCheck={false}
          autoComplete="off"
          placeholder="the judge prompt's model"
        />
      </Row>
      <div className="grid gap-4 sm:grid-cols-3">
        <Input label={L.scaleMin} inputMode="numeric" {...register("scaleMin")} error={errors.scaleMin?.message} />
        <Input label={L.scaleMax} inputMode="numeric" {...register("scaleMax")} error={errors.scaleMax?.message} />
        <Input label={L.passAt} inputMode="decimal" {...register("passAt")} error={errors.passAt?.message} hint="A score at least this passes." />
      </div>
    </>
  );
}
