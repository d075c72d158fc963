"use client";
// Starting an evaluation run: a prompt version (or label), a dataset version and optional tag, the
// evaluators, and optionally another provider/model and sampling settings; repetitions and
// concurrency. Before starting, the dataset is checked against the prompt's variables
// (datasets.coverage): items missing a variable would render it empty, so that warns first.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { EVALUATOR_KIND_INFO, type EvaluatorKind } from "@/server/contracts/evaluators";
import { MAX_REPETITIONS, MAX_RUN_CONCURRENCY, type CreateRunInput } from "@/server/contracts/evaluations";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, ButtonLink, Card, CardBody, CardHeader, Checkbox, Input, PageHeader, Select, Spinner } from "@/components/ui";
import { CheckCircleIcon, PlayIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid, phraseFieldMessage } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { evaluationsHref, runHref } from "./model";
import { CoverageAlerts, CoverageTable, type Coverage } from "./coverage-summary";

type Props = { orgSlug: string; projectSlug: string; projectName: string };

type Field = "prompt" | "promptVersion" | "dataset" | "datasetVersion" | "tag" | "evaluators" | "providerId" | "model" | "temperature" | "maxTokens" | "repetitions" | "concurrency";
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

const intOrNull = (text: string) => (text.trim() === "" ? null : Number(text));

export function NewRunForm({ orgSlug, projectSlug, projectName }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const searchParams = useSearchParams();
  const formId = useId();

  const [promptName, setPromptName] = useState(searchParams.get("prompt") ?? "");
  // "v:3" (a version) or "l:production" (a label); empty: the latest version.
  const [promptRef, setPromptRef] = useState(searchParams.get("version") ? `v:${searchParams.get("version")}` : "");
  const [datasetName, setDatasetName] = useState(searchParams.get("dataset") ?? "");
  // ?datasetVersion=, ?tag= and repeated ?evaluator= prefill the rest (e.g. from a deployment gate).
  const [datasetVersion, setDatasetVersion] = useState(searchParams.get("datasetVersion") ?? "");
  const [tag, setTag] = useState(searchParams.get("tag") ?? "");
  const [evaluators, setEvaluators] = useState<string[]>(() => [...new Set(searchParams.getAll("evaluator").filter(Boolean))]);
  const [providerId, setProviderId] = useState("");
  const [model, setModel] = useState("");
  const [temperature, setTemperature] = useState("");
  const [maxTokens, setMaxTokens] = useState("");
  const [repetitions, setRepetitions] = useState("1");
  const [concurrency, setConcurrency] = useState("8");
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [checkRequested, setCheckRequested] = useState(false);
  // Set when the user chose to start despite missing variables.
  const [acceptedGaps, setAcceptedGaps] = useState(false);
  const [checking, setChecking] = useState(false);

  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const prompt = useQuery({ ...trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name: promptName || "x" }), enabled: !!promptName, retry: false });
  const datasets = useQuery(trpc.datasets.list.queryOptions({ orgSlug, projectSlug }));
  const dataset = datasets.data?.find((d) => d.name === datasetName);
  const datasetVersions = useQuery({ ...trpc.datasets.versions.queryOptions({ orgSlug, projectSlug, name: datasetName || "x", limit: 200 }), enabled: !!dataset });
  const chosenDatasetVersion = datasetVersion ? Number(datasetVersion) : dataset?.latestVersion;
  const tags = useQuery({ ...trpc.datasets.tags.queryOptions({ orgSlug, projectSlug, name: datasetName || "x", version: chosenDatasetVersion || undefined }), enabled: !!dataset && !!chosenDatasetVersion });
  const evaluatorList = useQuery(trpc.evaluators.list.queryOptions({ orgSlug, projectSlug }));
  const providers = useQuery(trpc.providers.list.queryOptions({ orgSlug, projectSlug }));

  // The prompt version the choice resolves to now (a label points at a version).
  const resolvedVersion: number | null = (() => {
    if (!prompt.data) return null;
    if (promptRef.startsWith("v:")) return Number(promptRef.slice(2));
    if (promptRef.startsWith("l:")) return prompt.data.labels.find((l) => l.name === promptRef.slice(2))?.version ?? null;
    return prompt.data.latestVersion || null;
  })();
  const version = useQuery({ ...trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name: promptName || "x", version: resolvedVersion ?? 1 }), enabled: !!prompt.data && resolvedVersion !== null });
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

  const coverageInput = { orgSlug, projectSlug, name: datasetName || "x", version: chosenDatasetVersion || undefined, promptName: promptName || "x", promptVersion: resolvedVersion ?? 1 };
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
      onError: (error) => {
        const info = errorInfo(error);
        const field = fieldOf(info.field);
        if (field) setErrors({ [field]: phraseFieldMessage(info.message.replace(/^[\w.]+: /, ""), field, LABELS[field]) });
        else setFormError(info.message);
        focusFirstInvalid(formId);
      },
    }),
  );

  // Any change to what is evaluated asks for a new compatibility check.
  function changed() {
    setAcceptedGaps(false);
    setFormError(null);
  }

  function validate(): Partial<Record<Field, string>> {
    const next: Partial<Record<Field, string>> = {};
    if (!promptName) next.prompt = "Choose a prompt";
    else if (prompt.data && resolvedVersion === null) next.promptVersion = "This label points at no version";
    if (!datasetName) next.dataset = "Choose a dataset";
    else if (dataset && dataset.latestVersion === 0) next.dataset = `"${dataset.name}" has no items yet`;
    const reps = intOrNull(repetitions);
    if (reps === null || !Number.isInteger(reps) || reps < 1 || reps > MAX_REPETITIONS) next.repetitions = `Repetitions must be a whole number from 1 to ${MAX_REPETITIONS}`;
    const conc = intOrNull(concurrency);
    if (conc === null || !Number.isInteger(conc) || conc < 1 || conc > MAX_RUN_CONCURRENCY) next.concurrency = `Concurrency must be a whole number from 1 to ${MAX_RUN_CONCURRENCY}`;
    const temp = intOrNull(temperature);
    if (temp !== null && (!Number.isFinite(temp) || temp < 0 || temp > 2)) next.temperature = "Temperature must be between 0 and 2";
    const max = intOrNull(maxTokens);
    if (max !== null && (!Number.isInteger(max) || max < 1 || max > 200_000)) next.maxTokens = "Max tokens must be a whole number from 1 to 200,000";
    if (model.length > 120) next.model = "Model must be at most 120 characters";
    return next;
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const next = validate();
    setErrors(next);
    if (Object.keys(next).length) return focusFirstInvalid(formId);
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
    const input: CreateRunInput = {
      prompt: { name: promptName, ...(promptRef.startsWith("l:") ? { label: promptRef.slice(2) } : promptRef.startsWith("v:") ? { version: Number(promptRef.slice(2)) } : {}) },
      dataset: { name: datasetName, ...(datasetVersion ? { version: Number(datasetVersion) } : {}) },
      ...(tag ? { tag } : {}),
      evaluators,
      ...(providerId ? { providerId } : {}),
      ...(model.trim() ? { model: model.trim() } : {}),
      ...(temperature.trim() ? { temperature: Number(temperature) } : {}),
      ...(maxTokens.trim() ? { maxTokens: Number(maxTokens) } : {}),
      repetitions: Number(repetitions),
      concurrency: Number(concurrency),
    };
    create.mutate({ orgSlug, projectSlug, ...input });
  }

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
          <CardHeader title="What to evaluate" titleId="what-title" description="The prompt version answers; the dataset version holds the questions (and expected outputs)." />
          <CardBody className="grid gap-4 py-4 sm:grid-cols-2">
            <Select
              label="Prompt"
              value={promptName}
              error={errors.prompt}
              onChange={(e) => (setPromptName(e.target.value), setPromptRef(""), setErrors((x) => ({ ...x, prompt: undefined, promptVersion: undefined })), changed())}
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
              value={promptRef}
              error={errors.promptVersion}
              onChange={(e) => (setPromptRef(e.target.value), setErrors((x) => ({ ...x, promptVersion: undefined })), changed())}
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
              value={datasetName}
              error={errors.dataset}
              onChange={(e) => (setDatasetName(e.target.value), setDatasetVersion(""), setTag(""), setErrors((x) => ({ ...x, dataset: undefined, datasetVersion: undefined, tag: undefined })), changed())}
              disabled={datasets.isPending}
            >
              <option value="">{datasets.isPending ? "Loading datasets…" : "Choose a dataset"}</option>
              {(datasets.data ?? []).map((d) => (
                <option key={d.id} value={d.name}>
                  {d.name} ({d.itemCount.toLocaleString()} {d.itemCount === 1 ? "item" : "items"})
                </option>
              ))}
            </Select>
            <div className="grid grid-cols-2 gap-3">
              <Select label="Dataset version" value={datasetVersion} error={errors.datasetVersion} onChange={(e) => (setDatasetVersion(e.target.value), setTag(""), changed())} disabled={!dataset || dataset.latestVersion === 0}>
                <option value="">{dataset?.latestVersion ? `Latest (version ${dataset.latestVersion})` : "—"}</option>
                {datasetVersionNumbers.map((n) => (
                  <option key={n} value={n}>
                    Version {n}
                  </option>
                ))}
              </Select>
              <Select label="Tag" labelAside={<span className="text-xs text-zinc-500">optional</span>} value={tag} error={errors.tag} onChange={(e) => (setTag(e.target.value), changed())} disabled={!dataset || !tags.data?.length}>
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
              <fieldset aria-describedby={errors.evaluators ? `${formId}-evaluators-error` : undefined}>
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
                      onChange={(e) => setEvaluators((list) => (e.target.checked ? [...list, ev.name] : list.filter((n) => n !== ev.name)))}
                    />
                  ))}
                </div>
                {errors.evaluators ? (
                  <p id={`${formId}-evaluators-error`} className="mt-2 text-xs text-red-700">
                    {errors.evaluators}
                  </p>
                ) : null}
              </fieldset>
            )}
          </CardBody>
        </Card>

        <Card aria-labelledby="how-title">
          <CardHeader title="How to run" titleId="how-title" description="By default the run uses the provider, model and settings of the prompt version (the built-in Simulated provider when it names none)." />
          <CardBody className="grid gap-4 py-4 sm:grid-cols-2">
            <Select
              label="Provider"
              value={providerId}
              error={errors.providerId}
              onChange={(e) => setProviderId(e.target.value)}
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
            <Input label="Model" labelAside={<span className="text-xs text-zinc-500">optional</span>} value={model} error={errors.model} onChange={(e) => setModel(e.target.value)} placeholder={defaultModel || "the version's model"} className="font-mono" spellCheck={false} autoComplete="off" />
            <Input label="Temperature" labelAside={<span className="text-xs text-zinc-500">optional</span>} inputMode="decimal" value={temperature} error={errors.temperature} onChange={(e) => setTemperature(e.target.value)} placeholder={versionConfig.temperature !== undefined ? String(versionConfig.temperature) : "the version's"} />
            <Input label="Max tokens" labelAside={<span className="text-xs text-zinc-500">optional</span>} inputMode="numeric" value={maxTokens} error={errors.maxTokens} onChange={(e) => setMaxTokens(e.target.value)} placeholder={versionConfig.maxTokens !== undefined ? String(versionConfig.maxTokens) : "the version's"} />
            <Input label="Repetitions" type="number" min={1} max={MAX_REPETITIONS} value={repetitions} error={errors.repetitions} onChange={(e) => setRepetitions(e.target.value)} hint="Answer each item several times to measure consistency (1–10)." />
            <Input label="Concurrency" type="number" min={1} max={MAX_RUN_CONCURRENCY} value={concurrency} error={errors.concurrency} onChange={(e) => setConcurrency(e.target.value)} hint="Calls at once (1–64); lowered automatically when the provider rate-limits." />
          </CardBody>
        </Card>

        {!acceptedGaps && failing > 0 && coverage.data ? (
          <div role="region" aria-label="Missing variables">
            <Alert tone="warning" title={`${failing.toLocaleString("en-US")} of ${coverage.data.total.toLocaleString("en-US")} items will fail: ${coverage.data.failures[0]?.error ?? "Missing variables"}`}>
              Those items lack a variable that has no default, so the run records them as errors.{" "}
              <button type="button" className="font-medium underline" onClick={() => (setAcceptedGaps(true), requestAnimationFrame(() => (document.getElementById(formId) as HTMLFormElement | null)?.requestSubmit()))}>
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
