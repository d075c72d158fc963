"use client";
// A version's model configuration as a short definition list (provider by name).
import type { ModelConfig } from "@/server/contracts/prompts";
import { providerLabel, useProviders } from "./model-config-panel";

export function ConfigSummary({ orgSlug, projectSlug, config }: { orgSlug: string; projectSlug: string; config: ModelConfig }) {
  const providers = useProviders(orgSlug, projectSlug, !!config.providerId);
  const provider = providers.data?.find((p) => p.id === config.providerId);
  const rows: [string, string][] = [];
  if (config.providerId) rows.push(["Provider", provider ? providerLabel(provider) : providers.isPending ? "…" : "A deleted provider"]);
  if (config.model) rows.push(["Model", config.model]);
  if (config.temperature !== undefined) rows.push(["Temperature", String(config.temperature)]);
  if (config.maxTokens !== undefined) rows.push(["Max tokens", String(config.maxTokens)]);
  if (config.topP !== undefined) rows.push(["Top p", String(config.topP)]);
  if (config.stop?.length) rows.push(["Stop", config.stop.map((s) => JSON.stringify(s)).join(", ")]);
  if (config.responseFormat)
    rows.push([
      "Response format",
      config.responseFormat.type === "json_schema"
        ? `JSON schema “${config.responseFormat.name}”`
        : config.responseFormat.type === "json_object"
          ? "JSON object"
          : "Text",
    ]);
  if (config.tools?.length) rows.push(["Tools", config.tools.map((t) => t.name).join(", ")]);
  if (rows.length === 0) return <p className="text-xs text-zinc-500">No model configuration saved with this version.</p>;
  return (
    <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1 text-[13px]">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-xs text-zinc-500">{k}</dt>
          <dd className="min-w-0 font-mono text-xs break-words text-zinc-800">{v}</dd>
        </div>
      ))}
    </dl>
  );
}
