"use client";
// Provider connections (where model calls go) and model prices (what a run costs). API keys are
// write-only: after saving, only a hint is shown, and editing offers "Replace key" rather than
// the key. The built-in Simulated provider is an offline stand-in with deterministic replies.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useWatch } from "react-hook-form";
import { z } from "zod";
import { modelPriceInput, PROVIDER_KINDS, providerInput, type ModelPriceInput } from "@/server/contracts/providers";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Badge, Button, CrudSection, deleteAction, editAction, FormDialog, FormProblem, type FormProps, Input, Select } from "@/components/ui";
import { KeyIcon, ServerIcon } from "@/components/ui/icons";
import { useZodForm } from "@/components/lib/form-errors";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canManage: boolean };
type Provider = RouterOutputs["providers"]["list"][number];
type Price = RouterOutputs["modelPrices"]["list"]["prices"][number];
type Kind = Provider["kind"];

const KIND_LABELS: Record<Kind, string> = { openai_compatible: "OpenAI-compatible", anthropic: "Anthropic", simulated: "Simulated" };
const DEFAULT_URLS: Record<(typeof PROVIDER_KINDS)[number], string> = {
  openai_compatible: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com",
};

export function ProvidersView({ orgSlug, projectSlug, projectName, canManage }: Props) {
  const trpc = useTRPC();
  const ref = { orgSlug, projectSlug };
  const providers = useQuery(trpc.providers.list.queryOptions(ref));
  const create = useMutation(trpc.providers.create.mutationOptions());
  const update = useMutation(trpc.providers.update.mutationOptions());
  const remove = useMutation(trpc.providers.delete.mutationOptions());
  const builtIn = (p: Provider) => p.builtIn;

  return (
    <>
      <CrudSection<Provider>
        page={{
          eyebrow: projectName,
          title: "Providers",
          description: "Connections to model APIs used by the playground and evaluations, and the prices used to compute what runs cost.",
        }}
        title="Connections"
        createLabel="Add provider"
        canCreate={canManage}
        query={providers}
        what="providers"
        invalidates={[trpc.providers.list.queryKey()]}
        empty={{ icon: <ServerIcon />, title: "No providers" }}
        caption={`Providers of ${projectName}`}
        rowKey={(p) => p.id}
        columns={[
          {
            header: "Name",
            cell: (p) => (
              <>
                <span className="flex items-center gap-1.5 font-medium text-zinc-900">
                  {p.name}
                  {p.builtIn ? <Badge tone="outline">Built-in</Badge> : null}
                </span>
                {p.kind === "simulated" ? (
                  <span className="block text-xs text-zinc-500">Offline stand-in: deterministic replies, no network, no cost.</span>
                ) : null}
              </>
            ),
          },
          { header: "Kind", cell: (p) => KIND_LABELS[p.kind] },
          { header: "Base URL", className: "font-mono text-xs", cell: (p) => p.baseUrl ?? <span className="text-zinc-500">—</span> },
          {
            header: "API key",
            className: "font-mono text-xs",
            cell: (p) =>
              p.apiKeyHint ? (
                <span title="Only a hint is kept for recognition; the key is never sent back">
                  <span className="sr-only">Key hint </span>
                  {p.apiKeyHint}
                </span>
              ) : (
                <span className="font-sans text-zinc-500">{p.kind === "simulated" ? "not needed" : "none"}</span>
              ),
          },
          { header: "Default model", className: "font-mono text-xs", cell: (p) => p.defaultModel ?? <span className="text-zinc-500">—</span> },
        ]}
        actions={
          canManage
            ? [
                editAction<Provider>((p) => p.name, { unless: builtIn }),
                deleteAction<Provider>(
                  (p) => p.name,
                  remove,
                  (p) => ({
                    title: `Delete ${p.name}?`,
                    confirmLabel: "Delete provider",
                    body: (
                      <p>
                        Its stored API key is deleted with it. Prompt versions that name this provider keep their configuration but cannot run on it until you
                        choose another provider.
                      </p>
                    ),
                    run: () => remove.mutateAsync({ ...ref, id: p.id }),
                    done: `${p.name} was deleted`,
                  }),
                  { unless: builtIn },
                ),
              ]
            : []
        }
        dialog={({ row, open, close, saved }) => (
          <FormDialog
            open={open}
            onClose={close}
            title={row ? `Edit ${row.name}` : "Add provider"}
            description="The API key is stored encrypted and never shown again after saving."
            submitLabel={row ? "Save provider" : "Add provider"}
            pending={create.isPending || update.isPending}
          >
            {(formId) => (
              <ProviderForm
                row={row}
                formId={formId}
                save={async ({ keepKey, ...input }) => {
                  if (row) {
                    await update.mutateAsync({
                      ...ref,
                      id: row.id,
                      name: input.name,
                      baseUrl: input.baseUrl,
                      defaultModel: input.defaultModel ?? null,
                      ...(keepKey ? {} : { apiKey: input.apiKey }),
                    });
                  } else {
                    await create.mutateAsync({ ...ref, ...input });
                  }
                  await saved(`${input.name} was ${row ? "saved" : "added"}`);
                }}
              />
            )}
          </FormDialog>
        )}
      />
      <div className="mt-4">
        <Prices {...ref} canManage={canManage} />
      </div>
    </>
  );
}

const LABELS = { name: "Name", kind: "Kind", baseUrl: "Base URL", apiKey: "API key", defaultModel: "Default model" };
const providerFormInput = providerInput.extend({ keepKey: z.boolean() });

/**
 * The form as providerInput, checked by it, with whether to keep the saved key (an edit). A new
 * provider's key is optional (servers that need none); a replaced one is required.
 */
const providerForm = z
  .object({
    name: z.string(),
    kind: z.enum(PROVIDER_KINDS),
    baseUrl: z.string().trim(),
    key: z.enum(["optional", "keep", "replace"]),
    apiKey: z.string().trim(),
    defaultModel: z.string().trim(),
  })
  .transform((v, ctx): z.input<typeof providerFormInput> => {
    if (v.key === "replace" && !v.apiKey) ctx.addIssue({ code: "custom", path: ["apiKey"], message: "Enter the new key, or keep the current one" });
    return {
      name: v.name,
      kind: v.kind,
      baseUrl: v.baseUrl,
      apiKey: v.key === "keep" ? undefined : v.apiKey || undefined,
      defaultModel: v.defaultModel || undefined,
      keepKey: v.key === "keep",
    };
  })
  .pipe(providerFormInput);
type ProviderValues = z.input<typeof providerForm>;

function ProviderForm({ row, formId, save }: FormProps<z.output<typeof providerForm>> & { row: Provider | null }) {
  const kindOf = row?.kind === "anthropic" ? "anthropic" : "openai_compatible";
  const defaultValues: ProviderValues = {
    name: row?.name ?? "",
    kind: kindOf,
    baseUrl: row?.baseUrl ?? DEFAULT_URLS[kindOf],
    key: row ? "keep" : "optional",
    apiKey: "",
    defaultModel: row?.defaultModel ?? "",
  };
  const { form, onSubmit } = useZodForm({ schema: providerForm, placement: { labels: LABELS }, defaultValues, formId, save });
  const {
    register,
    setValue,
    getValues,
    formState: { errors },
  } = form;
  const [kind, key] = useWatch({ control: form.control, name: ["kind", "key"] });

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label={row ? "Edit provider" : "Add provider"} className="flex flex-col gap-4">
      <FormProblem message={errors.root?.message} />
      <Input label={LABELS.name} {...register("name")} error={errors.name?.message} placeholder="OpenAI (team account)" autoComplete="off" maxLength={80} />
      {row ? (
        <p className="text-[13px] text-zinc-600">
          Kind: <span className="font-medium text-zinc-900">{KIND_LABELS[row.kind]}</span>
        </p>
      ) : (
        <Select
          label={LABELS.kind}
          {...register("kind", {
            // The base URL follows the kind while it is the previous kind's default.
            onChange: (e: { target: { value: typeof kind } }) =>
              getValues("baseUrl") === DEFAULT_URLS[kind] && setValue("baseUrl", DEFAULT_URLS[e.target.value]),
          })}
          hint="OpenAI-compatible covers OpenAI, Azure OpenAI, vLLM, Ollama, LiteLLM and similar servers."
        >
          <option value="openai_compatible">OpenAI-compatible</option>
          <option value="anthropic">Anthropic</option>
        </Select>
      )}
      <Input
        label={LABELS.baseUrl}
        {...register("baseUrl")}
        error={errors.baseUrl?.message}
        className="font-mono text-[13px]"
        spellCheck={false}
        autoComplete="off"
      />
      {key === "keep" ? (
        <div className="flex flex-col gap-1.5">
          <p className="text-[13px] font-medium text-zinc-800">{LABELS.apiKey}</p>
          <div className="flex items-center gap-2">
            <span className="inline-flex h-8 flex-1 items-center gap-1.5 rounded-md border border-zinc-200 bg-zinc-50 px-2.5 font-mono text-[12.5px] text-zinc-600">
              <KeyIcon size={12} className="text-zinc-500" />
              {row?.apiKeyHint ?? "none saved"}
            </span>
            <Button onClick={() => setValue("key", "replace")}>Replace key</Button>
          </div>
          <p className="text-xs text-zinc-500">Saved keys are never shown again; the hint only helps recognise them.</p>
        </div>
      ) : (
        <Input
          label={LABELS.apiKey}
          type="password"
          {...register("apiKey")}
          error={errors.apiKey?.message}
          autoComplete="new-password"
          spellCheck={false}
          className="font-mono"
          hint={
            row
              ? "The new key replaces the saved one when you save."
              : "Stored encrypted; after saving only a hint is shown. Leave empty for servers that need no key."
          }
          labelAside={
            row ? (
              <Button size="sm" variant="ghost" className="h-5 px-1.5 text-[11px]" onClick={() => (setValue("key", "keep"), setValue("apiKey", ""))}>
                Keep the current key
              </Button>
            ) : null
          }
        />
      )}
      <Input
        label={LABELS.defaultModel}
        labelAside={<span className="text-xs text-zinc-500">optional</span>}
        {...register("defaultModel")}
        error={errors.defaultModel?.message}
        placeholder={kind === "anthropic" ? "claude-sonnet-4-5" : "gpt-4o-mini"}
        className="font-mono text-[13px]"
        spellCheck={false}
        autoComplete="off"
      />
    </form>
  );
}

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;

function Prices({ orgSlug, projectSlug, canManage }: { orgSlug: string; projectSlug: string; canManage: boolean }) {
  const trpc = useTRPC();
  const ref = { orgSlug, projectSlug };
  const prices = useQuery(trpc.modelPrices.list.queryOptions(ref));
  const set = useMutation(trpc.modelPrices.set.mutationOptions());
  return (
    <CrudSection<Price>
      title="Model prices"
      description={`US dollars per million tokens. Project prices override Keel's defaults${prices.data ? ` (list prices as of ${prices.data.asOf})` : ""}; runs of models without a price show no cost.`}
      createLabel="Add price"
      canCreate={canManage}
      query={{ isPending: prices.isPending, isError: prices.isError, error: prices.error, data: prices.data?.prices }}
      what="prices"
      invalidates={[trpc.modelPrices.list.queryKey()]}
      caption="Model prices"
      rowKey={(p) => p.model}
      columns={[
        { header: "Model", className: "font-mono text-xs text-zinc-900", cell: (p) => p.model },
        { header: "Input / 1M tokens", headerClassName: "text-right", className: "text-right font-mono text-xs", cell: (p) => usd(p.inputPerMillion) },
        { header: "Output / 1M tokens", headerClassName: "text-right", className: "text-right font-mono text-xs", cell: (p) => usd(p.outputPerMillion) },
        { header: "Source", cell: (p) => (p.source === "project" ? <Badge tone="accent">This project</Badge> : <Badge tone="outline">Default</Badge>) },
      ]}
      actions={
        canManage
          ? [
              {
                edit: true,
                button: (p) =>
                  p.source === "project" ? { label: "Edit", name: `Edit price of ${p.model}` } : { label: "Override", name: `Override price of ${p.model}` },
              },
            ]
          : []
      }
      dialog={({ row, open, close, saved }) => (
        <FormDialog
          open={open}
          onClose={close}
          size="sm"
          title={row ? `Price of ${row.model}` : "Add a model price"}
          description={row?.source === "default" ? "Saving stores a price for this project that overrides the default." : undefined}
          submitLabel="Save price"
          pending={set.isPending}
        >
          {(formId) => (
            <PriceForm
              row={row}
              formId={formId}
              save={async (input) => {
                await set.mutateAsync({ ...ref, ...input });
                await saved(`Price of ${input.model} was saved`);
              }}
            />
          )}
        </FormDialog>
      )}
    />
  );
}

/** A price field as a number; anything but a number of 0 or more is refused. */
const priceText = z.string().transform((text, ctx) => {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) ctx.addIssue({ code: "custom", message: "Enter a price of 0 or more" });
  return value;
});

const priceForm = z.object({
  model: modelPriceInput.shape.model,
  inputPerMillion: priceText.pipe(modelPriceInput.shape.inputPerMillion),
  outputPerMillion: priceText.pipe(modelPriceInput.shape.outputPerMillion),
});

function PriceForm({ row, formId, save }: FormProps<ModelPriceInput> & { row: Price | null }) {
  const defaultValues = {
    model: row?.model ?? "",
    inputPerMillion: row ? String(row.inputPerMillion) : "",
    outputPerMillion: row ? String(row.outputPerMillion) : "",
  };
  const { form, onSubmit } = useZodForm({
    schema: priceForm,
    placement: { labels: { model: "Model", inputPerMillion: "Input price", outputPerMillion: "Output price" } },
    defaultValues,
    formId,
    save,
  });
  const {
    register,
    formState: { errors },
  } = form;
  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Model price" className="flex flex-col gap-4">
      <FormProblem message={errors.root?.message} />
      <Input label="Model" {...register("model")} readOnly={!!row} error={errors.model?.message} className="font-mono text-[13px]" placeholder="gpt-4o-mini" />
      <div className="grid grid-cols-2 gap-3">
        <Input label="Input, $ per 1M tokens" inputMode="decimal" {...register("inputPerMillion")} error={errors.inputPerMillion?.message} />
        <Input label="Output, $ per 1M tokens" inputMode="decimal" {...register("outputPerMillion")} error={errors.outputPerMillion?.message} />
      </div>
    </form>
  );
}
