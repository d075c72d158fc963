"use client";
// The model configuration stored with a version: provider and model, sampling, stop sequences,
// response format (with a JSON Schema checked as JSON while typing) and tools.
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Button, Checkbox, Input, Select, Textarea } from "@/components/ui";
import { PlusIcon, XIcon } from "@/components/ui/icons";
import { draftToConfig, type ConfigDraft, type ConfigErrors } from "./model";

export type ProviderOption = { id: string; name: string; kind: string; defaultModel: string | null; builtIn: boolean };

export function useProviders(orgSlug: string, projectSlug: string, enabled = true) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.providers.list.queryOptions({ orgSlug, projectSlug }), enabled });
}

export function providerLabel(p: ProviderOption): string {
  return p.kind === "simulated" ? `${p.name} (offline)` : p.name;
}

/** Provider select + model field, shared by the config panel and the playground. */
export function ProviderModelFields({
  providers,
  providerId,
  model,
  onChange,
  allowNone,
  errors,
}: {
  providers: ProviderOption[] | undefined;
  providerId: string;
  model: string;
  onChange: (patch: { providerId?: string; model?: string }) => void;
  allowNone?: boolean;
  errors?: { providerId?: string; model?: string };
}) {
  const listId = useId();
  const provider = providers?.find((p) => p.id === providerId);
  return (
    <>
      <Select
        label="Provider"
        value={providerId}
        error={errors?.providerId}
        onChange={(e) => onChange({ providerId: e.target.value })}
        hint={provider?.kind === "simulated" ? "An offline stand-in for a real model: deterministic replies, no network, no cost." : undefined}
        disabled={!providers}
      >
        {allowNone || !providerId ? <option value="">{providers ? (allowNone ? "Not set" : "Choose a provider") : "Loading providers…"}</option> : null}
        {providers?.map((p) => (
          <option key={p.id} value={p.id}>
            {providerLabel(p)}
          </option>
        ))}
      </Select>
      <Input
        label="Model"
        value={model}
        error={errors?.model}
        placeholder={provider?.defaultModel ?? "e.g. gpt-4o-mini"}
        list={listId}
        onChange={(e) => onChange({ model: e.target.value })}
        autoComplete="off"
        spellCheck={false}
        hint={provider?.defaultModel && !model ? `Empty uses the provider's default, ${provider.defaultModel}.` : undefined}
      />
      <datalist id={listId}>{provider?.defaultModel ? <option value={provider.defaultModel} /> : null}</datalist>
    </>
  );
}

export function ModelConfigPanel({
  orgSlug,
  projectSlug,
  value,
  onChange,
  showErrors,
}: {
  orgSlug: string;
  projectSlug: string;
  value: ConfigDraft;
  onChange: (value: ConfigDraft) => void;
  /** Show every problem (after a save attempt), not only JSON syntax while typing. */
  showErrors: boolean;
}) {
  const providers = useProviders(orgSlug, projectSlug);
  const errors: ConfigErrors = draftToConfig(value).errors;
  const shown = (key: keyof ConfigErrors) => (showErrors || key === "schemaText" || key === "toolsText" ? errors[key] : undefined);
  const set = (patch: Partial<ConfigDraft>) => onChange({ ...value, ...patch });

  return (
    <div className="flex flex-col gap-4">
      <ProviderModelFields providers={providers.data} providerId={value.providerId} model={value.model} allowNone onChange={set} />
      <div className="grid grid-cols-2 gap-3">
        <Input
          label="Temperature"
          inputMode="decimal"
          placeholder="default"
          value={value.temperature}
          error={shown("temperature")}
          onChange={(e) => set({ temperature: e.target.value })}
          hint="0 to 2"
        />
        <Input
          label="Max tokens"
          inputMode="numeric"
          placeholder="default"
          value={value.maxTokens}
          error={shown("maxTokens")}
          onChange={(e) => set({ maxTokens: e.target.value })}
        />
      </div>
      <StopSequences value={value.stop} onChange={(stop) => set({ stop })} error={shown("stop")} />
      <Select label="Response format" value={value.responseFormat} onChange={(e) => set({ responseFormat: e.target.value as ConfigDraft["responseFormat"] })}>
        <option value="">Not set</option>
        <option value="text">Text</option>
        <option value="json_object">JSON object</option>
        <option value="json_schema">JSON schema</option>
      </Select>
      {value.responseFormat === "json_schema" ? (
        <div className="flex flex-col gap-3 rounded-md border border-zinc-200 bg-zinc-50/60 p-3">
          <Input
            label="Schema name"
            value={value.schemaName}
            error={shown("schemaName")}
            onChange={(e) => set({ schemaName: e.target.value })}
            placeholder="answer"
            spellCheck={false}
          />
          <Textarea
            label="JSON Schema"
            value={value.schemaText}
            error={shown("schemaText")}
            onChange={(e) => set({ schemaText: e.target.value })}
            className="min-h-40 font-mono text-xs"
            spellCheck={false}
            placeholder={'{\n  "type": "object",\n  "properties": { "answer": { "type": "string" } },\n  "required": ["answer"]\n}'}
          />
          <Checkbox
            label="Strict"
            description="Ask the model to follow the schema exactly (where the provider supports it)."
            checked={value.strict}
            onChange={(e) => set({ strict: e.target.checked })}
          />
        </div>
      ) : null}
      <Textarea
        label="Tools"
        labelAside={<span className="text-xs text-zinc-500">optional</span>}
        value={value.toolsText}
        error={shown("toolsText")}
        onChange={(e) => set({ toolsText: e.target.value })}
        className="min-h-24 font-mono text-xs"
        spellCheck={false}
        hint='A JSON array: [{ "name": "lookup_order", "description": "…", "parameters": { "type": "object", … } }]'
      />
      {showErrors && errors.config ? <p className="text-xs text-red-700">{errors.config}</p> : null}
    </div>
  );
}

function StopSequences({ value, onChange, error }: { value: string[]; onChange: (v: string[]) => void; error?: string }) {
  const hintId = useId();
  return (
    <fieldset className="flex flex-col gap-1.5" aria-describedby={hintId}>
      <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Stop sequences</legend>
      {value.map((s, i) => (
        <div key={i} className="flex gap-1.5">
          <Input
            label={`Stop sequence ${i + 1}`}
            hideLabel
            value={s}
            onChange={(e) => onChange(value.map((x, j) => (j === i ? e.target.value : x)))}
            wrapperClassName="flex-1"
            data-stop={i}
            className="font-mono text-xs"
            spellCheck={false}
          />
          <Button variant="ghost" className="px-2" aria-label={`Remove stop sequence ${i + 1}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>
            <XIcon size={14} />
          </Button>
        </div>
      ))}
      {value.length < 4 ? (
        <div>
          <Button
            size="sm"
            variant="ghost"
            icon={<PlusIcon size={14} />}
            onClick={() => {
              onChange([...value, ""]);
              requestAnimationFrame(() => document.querySelector<HTMLInputElement>(`input[data-stop="${value.length}"]`)?.focus());
            }}
          >
            Add stop sequence
          </Button>
        </div>
      ) : null}
      <p id={hintId} className={error ? "text-xs text-red-700" : "text-xs text-zinc-500"}>
        {error ?? "Up to 4; generation stops before any of them."}
      </p>
    </fieldset>
  );
}
