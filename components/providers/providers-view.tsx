"use client";
// Provider connections (where model calls go) and model prices (what a run costs). API keys are
// write-only: after saving, only a hint is shown, and editing offers "Replace key" rather than
// the key. The built-in Simulated provider is an offline stand-in with deterministic replies.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { ActionsTH, Alert, Badge, Button, Card, ConfirmDialog, Dialog, EmptyState, Input, PageHeader, Select, Spinner, TBody, TD, TH, THead, TR, Table, QueryBody } from "@/components/ui";
import { KeyIcon, PencilIcon, PlusIcon, ServerIcon, TrashIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid, formErrorsFrom, NO_ERRORS, type FormErrors } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canManage: boolean };
type Kind = "openai_compatible" | "anthropic" | "simulated";
type Provider = RouterOutputs["providers"]["list"][number];

const KIND_LABELS: Record<Kind, string> = { openai_compatible: "OpenAI-compatible", anthropic: "Anthropic", simulated: "Simulated" };
const DEFAULT_URLS: Record<"openai_compatible" | "anthropic", string> = { openai_compatible: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com" };

export function ProvidersView({ orgSlug, projectSlug, projectName, canManage }: Props) {
  const trpc = useTRPC();
  const providers = useQuery(trpc.providers.list.queryOptions({ orgSlug, projectSlug }));
  const [editing, setEditing] = useState<Provider | "new" | null>(null);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const [status, setStatus] = useState("");

  const addButton = canManage ? (
    <Button variant="primary" icon={<PlusIcon />} onClick={() => setEditing("new")}>
      Add provider
    </Button>
  ) : null;

  return (
    <>
      <PageHeader eyebrow={projectName} title="Providers" description="Connections to model APIs used by the playground and evaluations, and the prices used to compute what runs cost." actions={addButton} />
      <div className="flex flex-col gap-4">
        <Card aria-labelledby="providers-title">
          <div className="flex min-h-12 flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-200 px-4 py-3">
            <h2 id="providers-title" className="text-sm font-semibold text-zinc-900">
              Connections
            </h2>
            <p role="status" className="text-xs text-emerald-700">
              {status}
            </p>
          </div>
          <QueryBody query={providers} what="providers" empty={<EmptyState icon={<ServerIcon />} title="No providers" action={addButton} />}>
            {(data) => (
              <Table caption={`Providers of ${projectName}`}>
                <THead>
                  <TR>
                    <TH>Name</TH>
                    <TH>Kind</TH>
                    <TH>Base URL</TH>
                    <TH>API key</TH>
                    <TH>Default model</TH>
                    {canManage ? (
                      <ActionsTH />
                    ) : null}
                  </TR>
                </THead>
                <TBody>
                  {data.map((p) => (
                    <TR key={p.id}>
                      <TD>
                        <span className="flex items-center gap-1.5 font-medium text-zinc-900">
                          {p.name}
                          {p.builtIn ? <Badge tone="outline">Built-in</Badge> : null}
                        </span>
                        {p.kind === "simulated" ? <span className="block text-xs text-zinc-500">Offline stand-in: deterministic replies, no network, no cost.</span> : null}
                      </TD>
                      <TD>{KIND_LABELS[p.kind]}</TD>
                      <TD className="font-mono text-xs">{p.baseUrl ?? <span className="text-zinc-500">—</span>}</TD>
                      <TD className="font-mono text-xs">
                        {p.apiKeyHint ? (
                          <span title="Only a hint is kept for recognition; the key is never sent back">
                            <span className="sr-only">Key hint </span>
                            {p.apiKeyHint}
                          </span>
                        ) : (
                          <span className="font-sans text-zinc-500">{p.kind === "simulated" ? "not needed" : "none"}</span>
                        )}
                      </TD>
                      <TD className="font-mono text-xs">{p.defaultModel ?? <span className="text-zinc-500">—</span>}</TD>
                      {canManage ? (
                        <TD className="text-right whitespace-nowrap">
                          {!p.builtIn ? (
                            <span className="inline-flex gap-1">
                              <Button size="sm" variant="ghost" icon={<PencilIcon size={12} />} aria-label={`Edit ${p.name}`} onClick={() => setEditing(p)}>
                                Edit
                              </Button>
                              <Button size="sm" variant="danger-ghost" icon={<TrashIcon size={12} />} aria-label={`Delete ${p.name}`} onClick={() => setDeleting(p)}>
                                Delete
                              </Button>
                            </span>
                          ) : null}
                        </TD>
                      ) : null}
                    </TR>
                  ))}
                </TBody>
              </Table>
            )}
          </QueryBody>
        </Card>
        <PricesCard orgSlug={orgSlug} projectSlug={projectSlug} canManage={canManage} />
      </div>
      {canManage ? (
        <>
          <ProviderDialog key={editing === "new" ? "new" : (editing?.id ?? "none")} provider={editing} onClose={() => setEditing(null)} orgSlug={orgSlug} projectSlug={projectSlug} onSaved={setStatus} />
          <DeleteProviderDialog provider={deleting} onClose={() => setDeleting(null)} orgSlug={orgSlug} projectSlug={projectSlug} onDeleted={(p) => setStatus(`${p.name} was deleted`)} />
        </>
      ) : null}
    </>
  );
}

const LABELS = { name: "Name", kind: "Kind", baseUrl: "Base URL", apiKey: "API key", defaultModel: "Default model" };
type Field = keyof typeof LABELS;

function ProviderDialog({ provider, onClose, orgSlug, projectSlug, onSaved }: { provider: Provider | "new" | null; onClose: () => void; orgSlug: string; projectSlug: string; onSaved: (status: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const existing = provider && provider !== "new" ? provider : null;
  const [name, setName] = useState(existing?.name ?? "");
  const [kind, setKind] = useState<"openai_compatible" | "anthropic">(existing?.kind === "anthropic" ? "anthropic" : "openai_compatible");
  const [baseUrl, setBaseUrl] = useState(existing?.baseUrl ?? DEFAULT_URLS.openai_compatible);
  const [defaultModel, setDefaultModel] = useState(existing?.defaultModel ?? "");
  const [apiKey, setApiKey] = useState("");
  const [replacingKey, setReplacingKey] = useState(!existing);
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const done = async (message: string) => {
    onSaved(message);
    await queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() });
    onClose();
  };
  const onError = (error: unknown) => {
    setErrors(formErrorsFrom(error, LABELS));
    focusFirstInvalid(formId);
  };
  const create = useMutation(trpc.providers.create.mutationOptions({ onSuccess: () => done(`${name.trim()} was added`), onError }));
  const update = useMutation(trpc.providers.update.mutationOptions({ onSuccess: () => done(`${name.trim()} was saved`), onError }));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const fields: FormErrors<Field>["fields"] = {};
    if (!name.trim()) fields.name = "Name is required";
    try {
      const url = new URL(baseUrl.trim());
      if (url.protocol !== "https:" && url.protocol !== "http:") fields.baseUrl = "Base URL must start with https:// or http://";
    } catch {
      fields.baseUrl = "Base URL must be a full URL, e.g. https://api.openai.com/v1";
    }
    if (existing && replacingKey && !apiKey.trim()) fields.apiKey = "Enter the new key, or keep the current one";
    setErrors({ fields, form: null });
    if (Object.keys(fields).length) return focusFirstInvalid(formId);
    if (existing) {
      update.mutate({ orgSlug, projectSlug, id: existing.id, name: name.trim(), baseUrl: baseUrl.trim(), defaultModel: defaultModel.trim() || null, ...(replacingKey ? { apiKey: apiKey.trim() } : {}) });
    } else {
      create.mutate({ orgSlug, projectSlug, name: name.trim(), kind, baseUrl: baseUrl.trim(), apiKey: apiKey.trim() || undefined, defaultModel: defaultModel.trim() || undefined });
    }
  }

  return (
    <Dialog
      open={!!provider}
      onClose={onClose}
      title={existing ? `Edit ${existing.name}` : "Add provider"}
      description="The API key is stored encrypted and never shown again after saving."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={create.isPending || update.isPending}>
            {existing ? "Save provider" : "Add provider"}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label={existing ? "Edit provider" : "Add provider"} className="flex flex-col gap-4">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Input label={LABELS.name} value={name} error={errors.fields.name} onChange={(e) => setName(e.target.value)} placeholder="OpenAI (team account)" autoComplete="off" maxLength={80} />
        {existing ? (
          <p className="text-[13px] text-zinc-600">
            Kind: <span className="font-medium text-zinc-900">{KIND_LABELS[existing.kind]}</span>
          </p>
        ) : (
          <Select
            label={LABELS.kind}
            value={kind}
            onChange={(e) => {
              const next = e.target.value as typeof kind;
              if (baseUrl === DEFAULT_URLS[kind]) setBaseUrl(DEFAULT_URLS[next]);
              setKind(next);
            }}
            hint="OpenAI-compatible covers OpenAI, Azure OpenAI, vLLM, Ollama, LiteLLM and similar servers."
          >
            <option value="openai_compatible">OpenAI-compatible</option>
            <option value="anthropic">Anthropic</option>
          </Select>
        )}
        <Input label={LABELS.baseUrl} value={baseUrl} error={errors.fields.baseUrl} onChange={(e) => setBaseUrl(e.target.value)} className="font-mono text-[13px]" spellCheck={false} autoComplete="off" />
        {existing && !replacingKey ? (
          <div className="flex flex-col gap-1.5">
            <p className="text-[13px] font-medium text-zinc-800">{LABELS.apiKey}</p>
            <div className="flex items-center gap-2">
              <span className="inline-flex h-8 flex-1 items-center gap-1.5 rounded-md border border-zinc-200 bg-zinc-50 px-2.5 font-mono text-[12.5px] text-zinc-600">
                <KeyIcon size={12} className="text-zinc-500" />
                {existing.apiKeyHint ?? "none saved"}
              </span>
              <Button onClick={() => setReplacingKey(true)}>Replace key</Button>
            </div>
            <p className="text-xs text-zinc-500">Saved keys are never shown again; the hint only helps recognise them.</p>
          </div>
        ) : (
          <Input
            label={LABELS.apiKey}
            type="password"
            value={apiKey}
            error={errors.fields.apiKey}
            onChange={(e) => setApiKey(e.target.value)}
            autoComplete="new-password"
            spellCheck={false}
            className="font-mono"
            hint={existing ? "The new key replaces the saved one when you save." : "Stored encrypted; after saving only a hint is shown. Leave empty for servers that need no key."}
            labelAside={
              existing ? (
                <Button size="sm" variant="ghost" className="h-5 px-1.5 text-[11px]" onClick={() => (setReplacingKey(false), setApiKey(""))}>
                  Keep the current key
                </Button>
              ) : null
            }
          />
        )}
        <Input label={LABELS.defaultModel} labelAside={<span className="text-xs text-zinc-500">optional</span>} value={defaultModel} error={errors.fields.defaultModel} onChange={(e) => setDefaultModel(e.target.value)} placeholder={kind === "anthropic" ? "claude-sonnet-4-5" : "gpt-4o-mini"} className="font-mono text-[13px]" spellCheck={false} autoComplete="off" />
      </form>
    </Dialog>
  );
}

function DeleteProviderDialog({ provider, onClose, orgSlug, projectSlug, onDeleted }: { provider: Provider | null; onClose: () => void; orgSlug: string; projectSlug: string; onDeleted: (p: Provider) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.providers.delete.mutationOptions({
      onSuccess: async () => {
        if (provider) onDeleted(provider);
        await queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() });
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog
      open={!!provider}
      onClose={onClose}
      title={`Delete ${provider?.name ?? "provider"}?`}
      confirmLabel="Delete provider"
      onConfirm={() => provider && remove.mutate({ orgSlug, projectSlug, id: provider.id })}
      mutation={remove}
    >
      <p>Its stored API key is deleted with it. Prompt versions that name this provider keep their configuration but cannot run on it until you choose another provider.</p>
    </ConfirmDialog>
  );
}

type Price = RouterOutputs["modelPrices"]["list"]["prices"][number];

function PricesCard({ orgSlug, projectSlug, canManage }: { orgSlug: string; projectSlug: string; canManage: boolean }) {
  const trpc = useTRPC();
  const prices = useQuery(trpc.modelPrices.list.queryOptions({ orgSlug, projectSlug }));
  const [editing, setEditing] = useState<Price | "new" | null>(null);
  const usd = (n: number) => `$${n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
  return (
    <Card aria-labelledby="prices-title">
      <div className="flex min-h-12 flex-wrap items-center justify-between gap-x-3 gap-y-1 border-b border-zinc-200 px-4 py-3">
        <div>
          <h2 id="prices-title" className="text-sm font-semibold text-zinc-900">
            Model prices
          </h2>
          <p className="mt-0.5 text-[13px] text-zinc-500">
            US dollars per million tokens. Project prices override Keel&apos;s defaults{prices.data ? ` (list prices as of ${prices.data.asOf})` : ""}; runs of models without a price show no cost.
          </p>
        </div>
        {canManage ? (
          <Button size="sm" icon={<PlusIcon size={14} />} onClick={() => setEditing("new")}>
            Add price
          </Button>
        ) : null}
      </div>
      {prices.isPending ? (
        <div className="px-4 py-10 text-center">
          <Spinner label="Loading prices…" />
        </div>
      ) : prices.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load the prices" error={prices.error} />
        </div>
      ) : (
        <Table caption="Model prices">
          <THead>
            <TR>
              <TH>Model</TH>
              <TH className="text-right">Input / 1M tokens</TH>
              <TH className="text-right">Output / 1M tokens</TH>
              <TH>Source</TH>
              {canManage ? (
                <ActionsTH />
              ) : null}
            </TR>
          </THead>
          <TBody>
            {prices.data.prices.map((p) => (
              <TR key={p.model}>
                <TD className="font-mono text-xs text-zinc-900">{p.model}</TD>
                <TD className="text-right font-mono text-xs">{usd(p.inputPerMillion)}</TD>
                <TD className="text-right font-mono text-xs">{usd(p.outputPerMillion)}</TD>
                <TD>{p.source === "project" ? <Badge tone="accent">This project</Badge> : <Badge tone="outline">Default</Badge>}</TD>
                {canManage ? (
                  <TD className="text-right">
                    <Button size="sm" variant="ghost" aria-label={`${p.source === "project" ? "Edit" : "Override"} price of ${p.model}`} onClick={() => setEditing(p)}>
                      {p.source === "project" ? "Edit" : "Override"}
                    </Button>
                  </TD>
                ) : null}
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      {canManage ? <PriceDialog key={editing === "new" ? "new" : (editing?.model ?? "none")} price={editing} onClose={() => setEditing(null)} orgSlug={orgSlug} projectSlug={projectSlug} /> : null}
    </Card>
  );
}

function PriceDialog({ price, onClose, orgSlug, projectSlug }: { price: Price | "new" | null; onClose: () => void; orgSlug: string; projectSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const existing = price && price !== "new" ? price : null;
  const [model, setModel] = useState(existing?.model ?? "");
  const [input, setInput] = useState(existing ? String(existing.inputPerMillion) : "");
  const [output, setOutput] = useState(existing ? String(existing.outputPerMillion) : "");
  const [errors, setErrors] = useState<{ model?: string; input?: string; output?: string; form?: string }>({});
  const set = useMutation(
    trpc.modelPrices.set.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.modelPrices.list.queryKey() });
        onClose();
      },
      onError: (error) => setErrors({ form: errorInfo(error).message }),
    }),
  );
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next: typeof errors = {};
    const i = Number(input);
    const o = Number(output);
    if (!model.trim()) next.model = "Model is required";
    if (input.trim() === "" || !Number.isFinite(i) || i < 0) next.input = "Enter a price of 0 or more";
    if (output.trim() === "" || !Number.isFinite(o) || o < 0) next.output = "Enter a price of 0 or more";
    setErrors(next);
    if (Object.keys(next).length) return focusFirstInvalid(formId);
    set.mutate({ orgSlug, projectSlug, model: model.trim(), inputPerMillion: i, outputPerMillion: o });
  }
  return (
    <Dialog
      open={!!price}
      onClose={onClose}
      size="sm"
      title={existing ? `Price of ${existing.model}` : "Add a model price"}
      description={existing?.source === "default" ? "Saving stores a price for this project that overrides the default." : undefined}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={set.isPending}>
            Save price
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Model price" className="flex flex-col gap-4">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Input label="Model" value={model} readOnly={!!existing} error={errors.model} onChange={(e) => setModel(e.target.value)} className="font-mono text-[13px]" placeholder="gpt-4o-mini" />
        <div className="grid grid-cols-2 gap-3">
          <Input label="Input, $ per 1M tokens" inputMode="decimal" value={input} error={errors.input} onChange={(e) => setInput(e.target.value)} />
          <Input label="Output, $ per 1M tokens" inputMode="decimal" value={output} error={errors.output} onChange={(e) => setOutput(e.target.value)} />
        </div>
      </form>
    </Dialog>
  );
}
