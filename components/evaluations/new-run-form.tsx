"use client";
// Starting an evaluation run: a prompt version (or label), a dataset version and optional tag, the
// evaluators, and optionally another provider/model and sampling settings; repetitions and
// concurrency. Before starting, the dataset is checked against the prompt's variables
// (datasets.coverage): items missing a variable would render it empty, so that warns first.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { EVALUATOR_KIND_INFO, type EvaluatorKind } from "@/server/contracts/evaluators";
import { MAX_REPETITIONS, MAX_RUN_CONCURRENCY, type CreateRunInput } from "@/server/contracts/evaluations";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, ButtonLink, Card, CardBody, CardHeader, Checkbox, Input, PageHeader, Select, Spinner } from "@/components/ui";
import { CheckCircleIcon, PlayIcon } from "@/components/ui/icons";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors } from "@/components/lib/form-errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { evaluationsHref, runHref } from "./model";
import { CoverageAlerts, CoverageTable, type Coverage } from "./coverage-summary";
import { formatCount } from "@/components/lib/format";

type Props = { orgSlug: string; projectSlug: string; projectName: string };

type Field =
  | "prompt"
  | "promptVersion"
  | "dataset"
  | "datasetVersion"
  | "tag"
  | "evaluators"
  | "providerId"
  | "model"
  | "temperature"
  | "maxTokens"
  | "repetitions"
  | "concurrency";
const LABELS: Record<Field, string> = {
  prompt: "Prompt",
  promptVersion: "Version",
  dataset: "Dataset",
  datasetVersion: "Dataset version",
  tag: "Tag",
  evaluators: "Evaluators",
  providerId: "Provider",
  model: "Model",
  temperature: "Temperature",
  maxTokens: "Max tokens",
  repetitions: "Repetitions",
  concurrency: "Concurrency",
};

/** Server field paths ("prompt.label", "dataset.version", ...) to the form's fields. */
function fieldOf(path: string | undefined): Field | null {
  if (!path) return null;
  if (path === "prompt.label" || path === "prompt.version") return "promptVersion";
  if (path === "dataset.version") return "datasetVersion";
  const first = path.split(".")[0] as Field;
  return first in LABELS ? first : null;
}

const optional = (text: string) => text.trim() === "";
const wholeIn = (text: string, min: number, max: number) => !optional(text) && Number.isInteger(Number(text)) && Number(text) >= min && Number(text) <= max;

// The form holds text (selects and inputs); it becomes CreateRunInput, which the server checks
// again with createRunInput. The messages are the ones the form has always shown.
const formSchema = z.object({
  prompt: z.string().min(1, "Choose a prompt"),
  // "v:3" (a version) or "l:production" (a label); empty: the latest version.
  promptVersion: z.string(),
  dataset: z.string().min(1, "Choose a dataset"),
  datasetVersion: z.string(),
  tag: z.string(),
  evaluators: z.array(z.string()),
  providerId: z.string(),
  model: z.string().max(120, "Model must be at most 120 characters"),
  temperature: z.string().refine((t) => optional(t) || (Number.isFinite(Number(t)) && Number(t) >= 0 && Number(t) <= 2), "Temperature must be between 0 and 2"),
  maxTokens: z.string().refine((t) => optional(t) || wholeIn(t, 1, 200_000), "Max tokens must be a whole number from 1 to 200,000"),
  repetitions: z.string().refine((t) => wholeIn(t, 1, MAX_REPETITIONS), `Repetitions must be a whole number from 1 to ${MAX_REPETITIONS}`),
  concurrency: z.string().refine((t) => wholeIn(t, 1, MAX_RUN_CONCURRENCY), `Concurrency must be a whole number from 1 to ${MAX_RUN_CONCURRENCY}`),
}) satisfies z.ZodType<Record<Field, unknown>>;
type FormValues = z.infer<typeof formSchema>;

function toInput(v: FormValues): CreateRunInput {
  const ref = v.promptVersion;
  return {
    prompt: { name: v.prompt, ...(ref.startsWith("l:") ? { label: ref.slice(2) } : ref.startsWith("v:") ? { version: Number(ref.slice(2)) } : {}) },
    dataset: { name: v.dataset, ...(v.datasetVersion ? { version: Number(v.datasetVersion) } : {}) },
    ...(v.tag ? { tag: v.tag } : {}),
    evaluators: v.evaluators,
    ...(v.providerId ? { providerId: v.providerId } : {}),
    ...(v.model.trim() ? { model: v.model.trim() } : {}),
    ...(v.temperature.trim() ? { temperature: Number(v.temperature) } : {}),
    ...(v.maxTokens.trim() ? { maxTokens: Number(v.maxTokens) } : {}),
    repetitions: Number(v.repetitions),
    concurrency: Number(v.concurrency),
  };
}

export function NewRunForm({ orgSlug, projectSlug, projectName }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const searchParams = useSearchParams();
  const formId = useId();

  const form = useForm<FormValues>({
    resolver: zodResolver(formSchema),
    defaultValues: {
      prompt: searchParams.get("prompt") ?? "",
      promptVersion: searchParams.get("version") ? `v:${searchParams.get("version")}` : "",
      dataset: searchParams.get("dataset") ?? "",
      // ?datasetVersion=, ?tag= and repeated ?evaluator= prefill the rest (e.g. from a deployment gate).
      datasetVersion: searchParams.get("datasetVersion") ?? "",
      tag: searchParams.get("tag") ?? "",
      evaluators: [...new Set(searchParams.getAll("evaluator").filter(Boolean))],
      providerId: "",
      model: "",
      temperature: "",
      maxTokens: "",
      repetitions: "1",
      concurrency: "8",
    },
  });
  const {
    register,
    setValue,
    setError,
    clearErrors,
    formState: { errors },
  } = form;
  // The selects stay controlled: their options arrive with the queries, after a prefilled value.
  const [promptName, promptRef, datasetName, datasetVersion, tag, evaluators, providerId] = useWatch({
    control: form.control,
    name: ["prompt", "promptVersion", "dataset", "datasetVersion", "tag", "evaluators", "providerId"],
  });
  const [formError, setFormError] = useState<string | null>(null);
  const [checkRequested, setCheckRequested] = useState(false);
  // Set when the user chose to start despite missing variables.
  const [acceptedGaps, setAcceptedGaps] = useState(false);
  const [checking, setChecking] = useState(false);

  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const prompt = useQuery({ ...trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name: promptName || "x" }), enabled: !!promptName, retry: false });
  const datasets = useQuery(trpc.datasets.list.queryOptions({ orgSlug, projectSlug }));
  const dataset = datasets.data?.find((d) => d.name === datasetName);
  const datasetVersions = useQuery({
    ...trpc.datasets.versions.queryOptions({ orgSlug, projectSlug, name: datasetName || "x", limit: 200 }),
    enabled: !!dataset,
  });
  const chosenDatasetVersion = datasetVersion ? Number(datasetVersion) : dataset?.latestVersion;
  const tags = useQuery({
    ...trpc.datasets.tags.queryOptions({ orgSlug, projectSlug, name: datasetName || "x", version: chosenDatasetVersion || undefined }),
    enabled: !!dataset && !!chosenDatasetVersion,
  });
  const evaluatorList = useQuery(trpc.evaluators.list.queryOptions({ orgSlug, projectSlug }));
  const providers = useQuery(trpc.providers.list.queryOptions({ orgSlug, projectSlug }));

  // The prompt version the choice resolves to now (a label points at a version).
  const resolvedVersion: number | null = (() => {
    if (!prompt.data) return null;
    if (promptRef.startsWith("v:")) return Number(promptRef.slice(2));
    if (promptRef.startsWith("l:")) return prompt.data.labels.find((l) => l.name === promptRef.slice(2))?.version ?? null;
    return prompt.data.latestVersion || null;
  })();
  const version = useQuery({
    ...trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name: promptName || "x", version: resolvedVersion ?? 1 }),
    enabled: !!prompt.data && resolvedVersion !== null,
  });
  const versionConfig = (version.data?.config ?? {}) as { providerId?: string | null; model?: string; temperature?: number; maxTokens?: number };
  const defaultProvider = providers.data?.find((p) => (versionConfig.providerId ? p.id === versionConfig.providerId : p.kind === "simulated"));
  const chosenProvider = providers.data?.find((p) => p.id === providerId);
  const defaultModel = chosenProvider
    ? chosenProvider.kind === "simulated"
      ? (chosenProvider.defaultModel ?? "simulated-1")
      : (versionConfig.model ?? chosenProvider.defaultModel ?? "")
    : defaultProvider?.kind === "simulated"
      ? (defaultProvider.defaultModel ?? "simulated-1")
      : (versionConfig.model ?? defaultProvider?.defaultModel ?? "");

  const coverageInput = {
    orgSlug,
    projectSlug,
    name: datasetName || "x",
    version: chosenDatasetVersion || undefined,
    promptName: promptName || "x",
    promptVersion: resolvedVersion ?? 1,
  };
  const canCheck = !!dataset && !!chosenDatasetVersion && resolvedVersion !== null;
  const coverage = useQuery({ ...trpc.datasets.coverage.queryOptions(coverageInput), enabled: canCheck && checkRequested });
  // Items that will fail by the worker's rule (no value, no default); defaults are not gaps.
  const failing = coverage.data?.failing ?? 0;

  const create = useMutation(
    trpc.runs.create.mutationOptions({
      onSuccess: async (result) => {
        await queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() });
        router.push(runHref(orgSlug, projectSlug, result.number));
      },
      onError: (error) => setFormError(applyServerErrors(form, error, { fieldOf, labels: LABELS })),
    }),
  );

  // Any change to what is evaluated asks for a new compatibility check.
  function changed() {
    setAcceptedGaps(false);
    setFormError(null);
  }

  const onValid = async (values: FormValues) => {
    // Checks that need what the queries loaded; the schema checked the rest.
    if (prompt.data && resolvedVersion === null) return setError("promptVersion", { message: "This label points at no version" }, { shouldFocus: true });
    if (dataset && dataset.latestVersion === 0) return setError("dataset", { message: `"${dataset.name}" has no items yet` }, { shouldFocus: true });
    // Check the variables first (once per choice); gaps stop here until the user accepts them.
    if (!acceptedGaps && canCheck) {
      setCheckRequested(true);
      setChecking(true);
      try {
        const result = await queryClient.fetchQuery(trpc.datasets.coverage.queryOptions(coverageInput));
        if (result.failing > 0) return;
      } catch {
        // The check is advice: the run itself reports real problems.
      } finally {
        setChecking(false);
      }
    }
    create.mutate({ orgSlug, projectSlug, ...toInput(values) });
  };
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(onValid, () => focusFirstInvalid(formId))(e);
  };

  const datasetVersionNumbers = datasetVersions.data?.versions.map((v) => v.version) ?? (dataset?.latestVersion ? [dataset.latestVersion] : []);
  const activeEvaluators = evaluatorList.data ?? [];

  return (
    <>
      <PageHeader
        eyebrow={
          <>
            {projectName} ·{" "}
            <Link href={evaluationsHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
              Runs
            </Link>
          </>
        }
        title="New evaluation run"
        description="Every item of the dataset version is answered with the prompt version, then scored by each evaluator at its latest version. The run records the exact versions it used."
      />
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="New evaluation run" className="flex max-w-4xl flex-col gap-4">
        {formError ? (
          <div role="region" aria-label="Problem">
            <Alert tone="error">{formError}</Alert>
          </div>
        ) : null}
        <Card aria-labelledby="what-title">
          <CardHeader
            title="What to evaluate"
            titleId="what-title"
            description="The prompt version answers; the dataset version holds the questions (and expected outputs)."
          />
          <CardBody className="grid gap-4 py-4 sm:grid-cols-2">
            <Select
              label="Prompt"
              {...register("prompt", { onChange: () => (setValue("promptVersion", ""), clearErrors(["prompt", "promptVersion"]), changed()) })}
              value={promptName}
              error={errors.prompt?.message}
              disabled={prompts.isPending}
            >
              <option value="">{prompts.isPending ? "Loading prompts…" : "Choose a prompt"}</option>
              {(prompts.data?.items ?? []).map((p) => (
                <option key={p.id} value={p.name}>
                  {p.name}
                </option>
              ))}
            </Select>
            <Select
              label="Version or label"
              {...register("promptVersion", { onChange: () => (clearErrors("promptVersion"), changed()) })}
              value={promptRef}
              error={errors.promptVersion?.message}
              disabled={!prompt.data}
              hint={promptRef.startsWith("l:") && resolvedVersion ? `Now version ${resolvedVersion}; the run records the version it used.` : undefined}
            >
              <option value="">{prompt.data ? `Latest (version ${prompt.data.latestVersion})` : "—"}</option>
              {prompt.data?.labels.length ? (
                <optgroup label="Labels">
                  {prompt.data.labels
                    .filter((l) => l.name !== "latest")
                    .map((l) => (
                      <option key={l.name} value={`l:${l.name}`}>
                        {l.name} (version {l.version})
                      </option>
                    ))}
                </optgroup>
              ) : null}
              <optgroup label="Versions">
                {(prompt.data?.versions ?? []).map((v) => (
                  <option key={v.version} value={`v:${v.version}`}>
                    Version {v.version}
                    {v.commitMessage ? ` · ${v.commitMessage.slice(0, 50)}` : ""}
                  </option>
                ))}
              </optgroup>
            </Select>
            <Select
              label="Dataset"
              {...register("dataset", {
                onChange: () => (setValue("datasetVersion", ""), setValue("tag", ""), clearErrors(["dataset", "datasetVersion", "tag"]), changed()),
              })}
              value={datasetName}
              error={errors.dataset?.message}
              disabled={datasets.isPending}
            >
              <option value="">{datasets.isPending ? "Loading datasets…" : "Choose a dataset"}</option>
              {(datasets.data ?? []).map((d) => (
                <option key={d.id} value={d.name}>
                  {d.name} ({formatCount(d.itemCount)} {d.itemCount === 1 ? "item" : "items"})
                </option>
              ))}
            </Select>
            <div className="grid grid-cols-2 gap-3">
              <Select
                label="Dataset version"
                {...register("datasetVersion", { onChange: () => (setValue("tag", ""), changed()) })}
                value={datasetVersion}
                error={errors.datasetVersion?.message}
                disabled={!dataset || dataset.latestVersion === 0}
              >
                <option value="">{dataset?.latestVersion ? `Latest (version ${dataset.latestVersion})` : "—"}</option>
                {datasetVersionNumbers.map((n) => (
                  <option key={n} value={n}>
                    Version {n}
                  </option>
                ))}
              </Select>
              <Select
                label="Tag"
                labelAside={<span className="text-xs text-zinc-500">optional</span>}
                {...register("tag", { onChange: changed })}
                value={tag}
                error={errors.tag?.message}
                disabled={!dataset || !tags.data?.length}
              >
                <option value="">All items</option>
                {(tags.data ?? []).map((t) => (
                  <option key={t.tag} value={t.tag}>
                    {t.tag} ({t.count})
                  </option>
                ))}
              </Select>
            </div>
          </CardBody>
          <div className="border-t border-zinc-200 px-4 py-3">
            <div className="flex flex-wrap items-center gap-3">
              <Button size="sm" icon={<CheckCircleIcon size={14} />} disabled={!canCheck} onClick={() => (setCheckRequested(true), void coverage.refetch())}>
                Check compatibility
              </Button>
              <span className="text-xs text-zinc-500">Do the items provide every variable the prompt version uses?</span>
            </div>
            {checkRequested && canCheck ? <CoverageResult loading={coverage.isFetching && !coverage.data} error={coverage.error} data={coverage.data} /> : null}
          </div>
        </Card>

        <Card aria-labelledby="evaluators-title">
          <CardHeader
            title="Evaluators"
            titleId="evaluators-title"
            description="Each scores every answer at its latest version. A run without evaluators still records outputs, latency and cost."
            actions={
              <ButtonLink size="sm" variant="ghost" href={evaluationsHref(orgSlug, projectSlug, "evaluators")}>
                Manage evaluators
              </ButtonLink>
            }
          />
          <CardBody className="py-4">
            {evaluatorList.isPending ? (
              <Spinner label="Loading evaluators…" />
            ) : evaluatorList.isError ? (
              <QueryErrorAlert title="Could not load the evaluators" error={evaluatorList.error} />
            ) : activeEvaluators.length === 0 ? (
              <p className="text-[13px] text-zinc-500">
                No evaluators yet.{" "}
                <Link href={evaluationsHref(orgSlug, projectSlug, "evaluators", { new: 1 })} className="font-medium text-accent hover:underline">
                  Create one
                </Link>{" "}
                to score the answers.
              </p>
            ) : (
              <fieldset aria-describedby={errors.evaluators?.message ? `${formId}-evaluators-error` : undefined}>
                <legend className="sr-only">Evaluators</legend>
                <div className="grid gap-3 sm:grid-cols-2">
                  {activeEvaluators.map((ev) => (
                    <Checkbox
                      key={ev.id}
                      label={
                        <span className="flex items-center gap-1.5">
                          <span className="font-mono">{ev.name}</span>
                          <Badge tone="outline">{EVALUATOR_KIND_INFO[ev.kind as EvaluatorKind]?.label ?? ev.kind}</Badge>
                          <span className="font-mono text-[11px] font-normal text-zinc-500">v{ev.latestVersion}</span>
                        </span>
                      }
                      description={ev.description || EVALUATOR_KIND_INFO[ev.kind as EvaluatorKind]?.description}
                      checked={evaluators.includes(ev.name)}
                      onChange={(e) => setValue("evaluators", e.target.checked ? [...evaluators, ev.name] : evaluators.filter((n) => n !== ev.name))}
                    />
                  ))}
                </div>
                {errors.evaluators?.message ? (
                  <p id={`${formId}-evaluators-error`} className="mt-2 text-xs text-red-700">
                    {errors.evaluators.message}
                  </p>
                ) : null}
              </fieldset>
            )}
          </CardBody>
        </Card>

        <Card aria-labelledby="how-title">
          <CardHeader
            title="How to run"
            titleId="how-title"
            description="By default the run uses the provider, model and settings of the prompt version (the built-in Simulated provider when it names none)."
          />
          <CardBody className="grid gap-4 py-4 sm:grid-cols-2">
            <Select
              label="Provider"
              {...register("providerId")}
              value={providerId}
              error={errors.providerId?.message}
              disabled={providers.isPending}
              hint={providers.isError ? "Your role cannot list providers; the default is used." : undefined}
            >
              <option value="">Default{defaultProvider ? ` (${defaultProvider.name})` : ""}</option>
              {(providers.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </Select>
            <Input
              label="Model"
              labelAside={<span className="text-xs text-zinc-500">optional</span>}
              {...register("model")}
              error={errors.model?.message}
              placeholder={defaultModel || "the version's model"}
              className="font-mono"
              spellCheck={false}
              autoComplete="off"
            />
            <Input
              label="Temperature"
              labelAside={<span className="text-xs text-zinc-500">optional</span>}
              inputMode="decimal"
              {...register("temperature")}
              error={errors.temperature?.message}
              placeholder={versionConfig.temperature !== undefined ? String(versionConfig.temperature) : "the version's"}
            />
            <Input
              label="Max tokens"
              labelAside={<span className="text-xs text-zinc-500">optional</span>}
              inputMode="numeric"
              {...register("maxTokens")}
              error={errors.maxTokens?.message}
              placeholder={versionConfig.maxTokens !== undefined ? String(versionConfig.maxTokens) : "the version's"}
            />
            <Input
              label="Repetitions"
              type="number"
              min={1}
              max={MAX_REPETITIONS}
              {...register("repetitions")}
              error={errors.repetitions?.message}
              hint="Answer each item several times to measure consistency (1–10)."
            />
            <Input
              label="Concurrency"
              type="number"
              min={1}
              max={MAX_RUN_CONCURRENCY}
              {...register("concurrency")}
              error={errors.concurrency?.message}
              hint="Calls at once (1–64); lowered automatically when the provider rate-limits."
            />
          </CardBody>
        </Card>

        {!acceptedGaps && failing > 0 && coverage.data ? (
          <div role="region" aria-label="Missing variables">
            <Alert
              tone="warning"
              title={`${failing.toLocaleString("en-US")} of ${coverage.data.total.toLocaleString("en-US")} items will fail: ${coverage.data.failures[0]?.error ?? "Missing variables"}`}
            >
              Those items lack a variable that has no default, so the run records them as errors.{" "}
              <button
                type="button"
                className="font-medium underline"
                onClick={() => (
                  setAcceptedGaps(true),
                  requestAnimationFrame(() => (document.getElementById(formId) as HTMLFormElement | null)?.requestSubmit())
                )}
              >
                Start anyway ({failing.toLocaleString("en-US")} {failing === 1 ? "item" : "items"} will fail)
              </button>
            </Alert>
          </div>
        ) : null}

        <div className="flex items-center justify-end gap-2">
          <ButtonLink href={evaluationsHref(orgSlug, projectSlug)}>Cancel</ButtonLink>
          <Button type="submit" variant="primary" icon={<PlayIcon size={14} />} loading={create.isPending || checking}>
            Start run
          </Button>
        </div>
      </form>
    </>
  );
}

function CoverageResult({ loading, error, data }: { loading: boolean; error: unknown; data?: Coverage }) {
  if (loading) return <Spinner label="Checking the items…" className="mt-3" />;
  if (error) return <QueryErrorAlert title="Could not check the dataset" error={error} />;
  if (!data) return null;
  return (
    <div role="region" aria-label="Compatibility" className="mt-3 flex flex-col gap-3">
      <CoverageAlerts data={data} fix="Add the keys to their input, declare a default in a new prompt version, or choose another prompt or dataset version." />
      {data.variables.length && (data.failing > 0 || data.usingDefaults > 0) ? <CoverageTable data={data} /> : null}
    </div>
  );
}
