"use client";
// The playground: run a saved version or a draft against a model and watch the reply stream in.
// The variables form follows the template's variables; missing and unused values are reported
// before the run. A run of edited content can be saved as a new version (or a new prompt).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { z } from "zod";
import { commitMessage, promptName, type ChatMessage } from "@/server/contracts/prompts";
import { renderPrompt } from "@/server/contracts/templates";
import { useTRPC, useTRPCClient } from "@/components/trpc/client";
import { Alert, Badge, Button, Card, CardBody, CardHeader, Dialog, FormProblem, Input, PageHeader, Select, Spinner, Stat, Textarea, cn } from "@/components/ui";
import { DatabaseIcon, PlayIcon, SaveIcon, StopIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { useZodForm, type FieldPlacement } from "@/components/lib/form-errors";
import { ContentEditor } from "@/components/prompts/content-editor";
import { ProviderModelFields, useProviders } from "@/components/prompts/model-config-panel";
import {
  contentKey,
  draftDeclarations,
  draftFromVersion,
  draftToContent,
  draftVariables,
  newDraft,
  promptHref,
  type ContentDraft,
  type PromptType,
} from "@/components/prompts/model";
import { TypeBadge } from "@/components/prompts/badges";
import { useUnsavedChangesGuard } from "@/components/prompts/unsaved-guard";
import { AddToDatasetDialog } from "@/components/datasets/add-to-dataset-dialog";
import { formatCount } from "@/components/lib/format";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canWrite: boolean; canAddToDataset?: boolean };

type Source = { kind: "draft" } | { kind: "version"; name: string; version: number; type: PromptType; latest: number };

export function PlaygroundView({ orgSlug, projectSlug, projectName, canWrite, canAddToDataset = false }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const promptParam = searchParams.get("prompt") ?? "";
  const versionParam = Number(searchParams.get("version")) || undefined;

  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const prompt = useQuery({ ...trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name: promptParam }), enabled: !!promptParam });
  const versionNumber = prompt.data ? (prompt.data.versions.some((v) => v.version === versionParam) ? versionParam! : prompt.data.latestVersion) : undefined;
  const version = useQuery({
    ...trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name: promptParam, version: versionNumber ?? 1 }),
    enabled: !!promptParam && !!versionNumber,
  });

  // Edited content is lost when another prompt or version is loaded: ask first.
  const [dirty, setDirty] = useState(false);
  const guard = useUnsavedChangesGuard(dirty);

  function choose(next: { prompt?: string; version?: number }) {
    const params = new URLSearchParams();
    if (next.prompt) params.set("prompt", next.prompt);
    if (next.prompt && next.version) params.set("version", String(next.version));
    const qs = params.toString();
    if (dirty) guard.leave(qs ? `${pathname}?${qs}` : pathname);
    else router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }

  const source: Source | null = promptParam
    ? prompt.data && version.data
      ? { kind: "version", name: prompt.data.name, version: version.data.version, type: prompt.data.type, latest: prompt.data.latestVersion }
      : null
    : { kind: "draft" };
  const sourceKey = source ? (source.kind === "draft" ? "draft" : `${source.name}@${source.version}`) : "loading";

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Playground"
        description="Try a prompt version or a draft against a model. Runs are not saved; save the content as a version when it works."
      />
      <Card as="div" className="mb-4">
        <CardBody className="flex flex-wrap items-end gap-3">
          <Select label="Prompt" value={promptParam} onChange={(e) => choose({ prompt: e.target.value })} boxClassName="w-72" disabled={!prompts.data}>
            <option value="">New draft (not saved)</option>
            {prompts.data?.items.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name}
              </option>
            ))}
            {promptParam && prompts.data && !prompts.data.items.some((p) => p.name === promptParam) ? <option value={promptParam}>{promptParam}</option> : null}
          </Select>
          {prompt.data ? (
            <Select
              label="Version"
              value={String(versionNumber ?? "")}
              onChange={(e) => choose({ prompt: promptParam, version: Number(e.target.value) })}
              boxClassName="w-80"
            >
              {prompt.data.versions.map((v) => {
                const labels = prompt.data.labels.filter((l) => l.version === v.version).map((l) => l.name);
                if (v.version === prompt.data.latestVersion) labels.unshift("latest");
                return (
                  <option key={v.version} value={v.version}>
                    Version {v.version}
                    {labels.length ? ` (${labels.join(", ")})` : ""}
                  </option>
                );
              })}
            </Select>
          ) : null}
          {source?.kind === "version" ? (
            <Link
              href={promptHref(orgSlug, projectSlug, source.name, undefined, source.version !== source.latest ? { version: source.version } : undefined)}
              className="mb-1.5 text-[13px] text-zinc-600 underline hover:text-zinc-900"
            >
              Open prompt
            </Link>
          ) : null}
        </CardBody>
      </Card>
      {prompt.isError ? (
        <div role="region" aria-label="Problems">
          <Alert tone="error" title="Could not load the prompt">
            {errorInfo(prompt.error).message}
          </Alert>
        </div>
      ) : !source ? (
        <div className="py-16 text-center">
          <Spinner label="Loading the prompt…" />
        </div>
      ) : (
        <Workbench
          key={sourceKey}
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          source={source}
          initial={source.kind === "version" && version.data ? draftFromVersion(source.type, version.data) : newDraft("chat")}
          canWrite={canWrite}
          canAddToDataset={canAddToDataset}
          onDirtyChange={setDirty}
          onSaved={guard.release}
        />
      )}
      {guard.dialog}
    </>
  );
}

type RunEvent =
  | { type: "rendered"; messages: ChatMessage[]; missing: string[]; unused: string[] }
  | { type: "delta"; text: string }
  | { type: "done"; text: string; usage: { inputTokens: number; outputTokens: number }; latencyMs: number; costUsd: number | null; model: string }
  | { type: "error"; message: string };

type RunState =
  | { status: "idle" }
  | { status: "running"; text: string; deltas?: number; rendered?: { missing: string[]; unused: string[] } }
  | {
      status: "done";
      text: string;
      deltas?: number;
      usage: { inputTokens: number; outputTokens: number };
      latencyMs: number;
      costUsd: number | null;
      model: string;
    }
  | { status: "error"; text: string; message: string }
  | { status: "stopped"; text: string };

function Workbench({
  orgSlug,
  projectSlug,
  source,
  initial,
  canWrite,
  canAddToDataset,
  onDirtyChange,
  onSaved,
}: {
  orgSlug: string;
  projectSlug: string;
  source: Source;
  initial: ContentDraft;
  canWrite: boolean;
  canAddToDataset: boolean;
  onDirtyChange: (dirty: boolean) => void;
  onSaved: () => void;
}) {
  const client = useTRPCClient();
  const providers = useProviders(orgSlug, projectSlug);
  const [draft, setDraft] = useState<ContentDraft>(initial);
  const initialKey = useState(() => contentKey(initial))[0];
  const [values, setValues] = useState<Record<string, string>>({});
  const [run, setRun] = useState<RunState>({ status: "idle" });
  const [saving, setSaving] = useState(false);
  // What the last run was given, for "Add to dataset" (the form may change after the run).
  const [lastRun, setLastRun] = useState<{ variables: Record<string, string>; sourceRef: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const outputId = useId();
  const edited = contentKey(draft) !== initialKey;
  useEffect(() => onDirtyChange(edited), [edited, onDirtyChange]);

  // A version without a provider runs on the built-in Simulated one by default.
  const simulated = providers.data?.find((p) => p.kind === "simulated");
  const providerId = draft.config.providerId || simulated?.id || providers.data?.[0]?.id || "";
  const provider = providers.data?.find((p) => p.id === providerId);
  const model = draft.config.model || provider?.defaultModel || "";

  const variables = draftVariables(draft);
  // A blank field is "no value": the version's default applies, or the variable is missing. The
  // same rule (renderPrompt) decides on the server, in evaluations and in the gateway.
  const declarations = draftDeclarations(draft);
  const provided = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== "" && variables.includes(k)));
  const report = renderPrompt(
    draft.type === "text"
      ? { type: "text", template: draft.template }
      : { type: "chat", messages: draft.messages.map(({ role, content }) => ({ role, content })) },
    declarations,
    provided,
  );
  const unusedWithValues = Object.keys(values).filter((k) => values[k] && !variables.includes(k));
  const runRefusal = report.error ? `${report.error} (fill them in, or declare defaults in the prompt version)` : null;

  useEffect(() => () => abort.current?.abort(), []);

  async function start() {
    if (runRefusal) {
      setRun({ status: "error", text: "", message: runRefusal });
      return;
    }
    const { content, errors } = draftToContent(draft);
    if (Object.keys(errors).length) {
      setRun({ status: "error", text: "", message: Object.values(errors)[0] ?? "Check the settings" });
      return;
    }
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setRun({ status: "running", text: "" });
    const variablesToSend = provided;
    setLastRun({ variables: variablesToSend, sourceRef: source.kind === "version" && !edited ? `${source.name}@v${source.version}` : "draft" });
    const config = {
      ...(content.config.temperature !== undefined ? { temperature: content.config.temperature } : {}),
      ...(content.config.maxTokens !== undefined ? { maxTokens: content.config.maxTokens } : {}),
      ...(content.config.stop ? { stop: content.config.stop } : {}),
      ...(content.config.responseFormat ? { responseFormat: content.config.responseFormat } : {}),
    };
    let text = "";
    let deltas = 0;
    try {
      const stream = await client.playground.run.mutate(
        {
          orgSlug,
          projectSlug,
          providerId,
          model,
          source: source.kind === "version" && !edited ? { kind: "version", name: source.name, version: source.version } : { kind: "draft", content },
          variables: variablesToSend,
          config,
        },
        { signal: controller.signal },
      );
      for await (const raw of stream as AsyncIterable<RunEvent>) {
        const event = raw;
        if (event.type === "rendered") setRun({ status: "running", text, deltas, rendered: { missing: event.missing, unused: event.unused } });
        else if (event.type === "delta") {
          text += event.text;
          deltas += 1;
          setRun((r) => ({ status: "running", text, deltas, rendered: r.status === "running" ? r.rendered : undefined }));
        } else if (event.type === "done")
          setRun({ status: "done", text: event.text, deltas, usage: event.usage, latencyMs: event.latencyMs, costUsd: event.costUsd, model: event.model });
        else if (event.type === "error") setRun({ status: "error", text, message: event.message });
      }
      setRun((r) => (r.status === "running" ? { status: "error", text: r.text, message: "The run ended without a result." } : r));
    } catch (error) {
      if (controller.signal.aborted) setRun({ status: "stopped", text });
      else setRun({ status: "error", text, message: errorInfo(error).message });
    } finally {
      if (abort.current === controller) abort.current = null;
    }
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (run.status !== "running") void start();
  }

  return (
    <>
      <form
        onSubmit={onSubmit}
        aria-label="Run prompt"
        className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]"
        onKeyDown={(e) => {
          if ((e.metaKey || e.ctrlKey) && e.key === "Enter") {
            e.preventDefault();
            if (run.status !== "running") void start();
          }
        }}
      >
        <div className="flex min-w-0 flex-col gap-4">
          <Card aria-labelledby="pg-content-title">
            <CardHeader
              titleId="pg-content-title"
              title={source.kind === "version" ? `${source.name} · version ${source.version}` : "Draft"}
              description={
                source.kind === "version"
                  ? edited
                    ? "Edited: runs use your edit, not the saved version."
                    : "The saved content; edit it to try changes."
                  : "Not saved: write a prompt and try it."
              }
              actions={
                <>
                  {source.kind === "draft" ? (
                    <Select
                      label="Draft type"
                      hideLabel
                      size="sm"
                      value={draft.type}
                      onChange={(e) => setDraft({ ...newDraft(e.target.value as PromptType), config: draft.config })}
                      boxClassName="w-28"
                    >
                      <option value="chat">Chat</option>
                      <option value="text">Text</option>
                    </Select>
                  ) : (
                    <TypeBadge type={draft.type} />
                  )}
                  {edited ? <Badge tone="warning">Edited</Badge> : null}
                  {edited && source.kind === "version" ? (
                    <Button size="sm" variant="ghost" onClick={() => setDraft(initial)}>
                      Reset
                    </Button>
                  ) : null}
                </>
              }
            />
            <CardBody>
              <ContentEditor
                type={draft.type}
                template={draft.template}
                messages={draft.messages}
                onTemplateChange={(template) => setDraft((d) => ({ ...d, template }))}
                onMessagesChange={(messages) => setDraft((d) => ({ ...d, messages }))}
              />
            </CardBody>
          </Card>
          <Card aria-labelledby="pg-variables-title">
            <CardHeader
              titleId="pg-variables-title"
              title="Variables"
              description={variables.length ? "Values inserted for {{variables}} in this run." : undefined}
            />
            <CardBody className="flex flex-col gap-3">
              {variables.length === 0 ? <p className="text-[13px] text-zinc-500">This content has no variables.</p> : null}
              {variables.map((v) => {
                const filled = Object.hasOwn(provided, v);
                const dflt = declarations[v]?.default ?? null;
                return (
                  <Textarea
                    key={v}
                    label={<span className="font-mono">{v}</span>}
                    labelAside={
                      filled ? null : dflt !== null ? (
                        <span className="text-xs text-zinc-600" data-testid={`variable-status-${v}`}>
                          uses default: <span className="font-mono">{dflt === "" ? "(empty text)" : dflt.length > 40 ? `${dflt.slice(0, 40)}…` : dflt}</span>
                        </span>
                      ) : (
                        <span className="text-xs text-red-700" data-testid={`variable-status-${v}`}>
                          required
                        </span>
                      )
                    }
                    hint={declarations[v]?.description || undefined}
                    placeholder={dflt !== null ? (dflt === "" ? "(empty text)" : dflt) : undefined}
                    value={values[v] ?? ""}
                    onChange={(e) => setValues((s) => ({ ...s, [v]: e.target.value }))}
                    rows={1}
                    // One line to start with, growing with the text (field-sizing), up to a limit.
                    style={{ minHeight: "2.25rem" }}
                    className="max-h-60 field-sizing-content"
                  />
                );
              })}
              {report.missing.length || unusedWithValues.length ? (
                <ul className="flex flex-col gap-1 text-xs" aria-label="Variable report">
                  {report.missing.length ? <li className="text-red-700">{runRefusal}</li> : null}
                  {unusedWithValues.length ? (
                    <li className="text-zinc-600">
                      Not in the template (ignored): <span className="font-mono">{unusedWithValues.join(", ")}</span>{" "}
                      <Button
                        size="sm"
                        variant="ghost"
                        className="h-5 px-1 text-[11px]"
                        onClick={() => setValues((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !unusedWithValues.includes(k))))}
                      >
                        Clear them
                      </Button>
                    </li>
                  ) : null}
                </ul>
              ) : variables.length ? (
                <p className="text-xs text-emerald-700">
                  {report.defaulted.length
                    ? `Every variable has a value or a default (${report.defaulted.join(", ")}: default).`
                    : "Every variable has a value."}
                </p>
              ) : null}
            </CardBody>
          </Card>
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          <Card aria-labelledby="pg-model-title">
            <CardHeader titleId="pg-model-title" title="Model" />
            <CardBody className="flex flex-col gap-3">
              <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
                <ProviderModelFields
                  providers={providers.data}
                  providerId={providerId}
                  model={draft.config.model}
                  onChange={(patch) => setDraft((d) => ({ ...d, config: { ...d.config, ...patch } }))}
                />
                <Input
                  label="Temperature"
                  inputMode="decimal"
                  placeholder="default"
                  value={draft.config.temperature}
                  onChange={(e) => setDraft((d) => ({ ...d, config: { ...d.config, temperature: e.target.value } }))}
                  hint="0 to 2"
                />
                <Input
                  label="Max tokens"
                  inputMode="numeric"
                  placeholder="default"
                  value={draft.config.maxTokens}
                  onChange={(e) => setDraft((d) => ({ ...d, config: { ...d.config, maxTokens: e.target.value } }))}
                />
              </div>
              <div className="flex items-center gap-2">
                {run.status === "running" ? (
                  <Button variant="secondary" icon={<StopIcon size={14} />} onClick={() => abort.current?.abort()}>
                    Stop
                  </Button>
                ) : (
                  <Button variant="primary" type="submit" icon={<PlayIcon size={14} />} disabled={!providerId} aria-keyshortcuts="Control+Enter Meta+Enter">
                    Run
                  </Button>
                )}
                <span className="text-xs text-zinc-500">
                  <kbd className="font-sans">Ctrl</kbd>+<kbd className="font-sans">Enter</kbd>
                </span>
                {canWrite ? (
                  <Button
                    className="ml-auto"
                    icon={<SaveIcon size={14} />}
                    disabled={source.kind === "version" && !edited}
                    onClick={() => setSaving(true)}
                    title={source.kind === "version" && !edited ? "Edit the content first" : undefined}
                  >
                    Save as new version
                  </Button>
                ) : null}
              </div>
            </CardBody>
          </Card>
          <Output
            run={run}
            outputId={outputId}
            simulated={provider?.kind === "simulated"}
            actions={
              canAddToDataset && run.status === "done" && lastRun ? (
                <Button size="sm" icon={<DatabaseIcon size={14} />} onClick={() => setAdding(true)}>
                  Add to dataset
                </Button>
              ) : null
            }
          />
        </div>
      </form>
      {canAddToDataset && lastRun && run.status === "done" ? (
        <AddToDatasetDialog
          open={adding}
          onClose={() => setAdding(false)}
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          variables={lastRun.variables}
          output={run.text}
          sourceRef={lastRun.sourceRef}
        />
      ) : null}
      {canWrite && saving ? (
        <SaveDialog open onClose={() => setSaving(false)} orgSlug={orgSlug} projectSlug={projectSlug} source={source} draft={draft} onSaved={onSaved} />
      ) : null}
    </>
  );
}

function formatCost(cost: number | null, simulated: boolean): string {
  if (simulated) return "$0 (simulated, no cost)";
  if (cost === null) return "unknown (no price for this model)";
  if (cost === 0) return "$0.00";
  return cost < 0.01 ? `$${cost.toPrecision(2)}` : `$${cost.toFixed(4)}`;
}

function Output({ run, outputId, simulated, actions }: { run: RunState; outputId: string; simulated: boolean; actions?: ReactNode }) {
  const text = run.status === "idle" ? "" : run.text;
  return (
    <Card aria-labelledby="pg-output-title">
      <CardHeader
        titleId="pg-output-title"
        title="Output"
        actions={
          run.status === "running" ? (
            <Spinner size={14} label="Running…" />
          ) : run.status === "done" ? (
            <>
              {actions}
              <Badge tone="success">Done</Badge>
            </>
          ) : run.status === "stopped" ? (
            <Badge tone="warning">Stopped</Badge>
          ) : null
        }
      />
      <CardBody className="flex flex-col gap-3">
        <div
          id={outputId}
          aria-label="Model output"
          aria-busy={run.status === "running"}
          tabIndex={0}
          className={cn(
            "max-h-[28rem] min-h-32 overflow-auto rounded-md border border-zinc-200 bg-zinc-50/60 px-3 py-2 font-mono text-[12.5px] leading-relaxed whitespace-pre-wrap text-zinc-800",
            !text && "text-zinc-500",
          )}
          data-testid="playground-output"
          data-deltas={run.status === "running" || run.status === "done" ? (run.deltas ?? 0) : undefined}
        >
          {text || (run.status === "running" ? "Waiting for the first tokens…" : "Run the prompt to see the model's reply here.")}
          {run.status === "running" && text ? (
            <span aria-hidden="true" className="ml-0.5 inline-block h-3.5 w-1.5 animate-pulse bg-zinc-400 align-middle" />
          ) : null}
        </div>
        <div role="region" aria-label="Run problems" className="empty:hidden">
          {run.status === "error" ? (
            <Alert tone="error" title="The run failed">
              {run.message}
            </Alert>
          ) : null}
        </div>
        <div role="status" aria-label="Run result">
          {run.status === "done" ? (
            <dl className="grid grid-cols-2 gap-x-4 gap-y-1.5 text-[13px] sm:grid-cols-4" aria-label="Usage">
              <Stat label="Tokens in">{formatCount(run.usage.inputTokens)}</Stat>
              <Stat label="Tokens out">{formatCount(run.usage.outputTokens)}</Stat>
              <Stat label="Latency">{`${formatCount(run.latencyMs)} ms`}</Stat>
              <Stat label="Cost">{formatCost(run.costUsd, simulated)}</Stat>
              <div className="col-span-full text-xs text-zinc-500">
                Model <span className="font-mono">{run.model}</span>
              </div>
            </dl>
          ) : run.status === "stopped" ? (
            <p className="text-xs text-zinc-500">Stopped before the end; no usage was recorded.</p>
          ) : null}
        </div>
      </CardBody>
    </Card>
  );
}

// Saving from the playground: a new prompt (named here) or the next version of the open one.
const saveAsPrompt = z.object({ name: z.string().trim().pipe(promptName), commitMessage });
const saveAsVersion = z.object({ name: z.string(), commitMessage });
const SAVE_PLACEMENT: FieldPlacement<{ name: string; commitMessage: string }> = { labels: { name: "Prompt name", commitMessage: "Commit message" } };

function SaveDialog({
  open,
  onClose,
  orgSlug,
  projectSlug,
  source,
  draft,
  onSaved,
}: {
  open: boolean;
  onClose: () => void;
  orgSlug: string;
  projectSlug: string;
  source: Source;
  draft: ContentDraft;
  onSaved: () => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const createVersion = useMutation(trpc.prompts.createVersion.mutationOptions());
  const createPrompt = useMutation(trpc.prompts.create.mutationOptions());
  // The dialog is mounted for one save: its source (a new prompt, or a version of one) is fixed.
  const { form, onSubmit } = useZodForm({
    schema: source.kind === "draft" ? saveAsPrompt : saveAsVersion,
    placement: SAVE_PLACEMENT,
    defaultValues: { name: "", commitMessage: "" },
    formId,
    save: async (input) => {
      const { content, errors: configErrors } = draftToContent(draft);
      if (Object.keys(configErrors).length) throw new Error("Check the model configuration before saving");
      const result =
        source.kind === "version"
          ? await createVersion.mutateAsync({
              orgSlug,
              projectSlug,
              name: source.name,
              content,
              commitMessage: input.commitMessage,
              basedOnVersion: source.latest,
            })
          : await createPrompt.mutateAsync({ orgSlug, projectSlug, name: input.name, description: "", tags: [], content, commitMessage: input.commitMessage });
      onSaved();
      await queryClient.invalidateQueries({ queryKey: trpc.prompts.pathKey() });
      router.push(promptHref(orgSlug, projectSlug, result.name, undefined, { saved: result.version }));
    },
  });
  const {
    register,
    formState: { errors, isSubmitting },
  } = form;

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={source.kind === "version" ? `Save as version ${source.latest + 1} of ${source.name}` : "Save as a new prompt"}
      description={
        source.kind === "version" && source.version !== source.latest
          ? `You edited version ${source.version}; the latest is ${source.latest}. Your content becomes the new latest.`
          : undefined
      }
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={isSubmitting}>
            Save
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Save from playground" className="flex flex-col gap-4">
        <FormProblem message={errors.root?.message} />
        {source.kind === "draft" ? (
          <Input
            label="Prompt name"
            {...register("name")}
            error={errors.name?.message}
            className="font-mono"
            placeholder="support/greeting"
            hint="Use / for folders."
          />
        ) : null}
        <Input label="Commit message" {...register("commitMessage")} error={errors.commitMessage?.message} maxLength={500} placeholder="What changed and why" />
      </form>
    </Dialog>
  );
}
