"use client";
// "Check against a prompt": which variables of a prompt version the items of this dataset version
// do not provide in their input, and what an evaluation would do with them by the worker's rule:
// use the version's default, or fail the item ("Missing variables: …").
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Button, Dialog, Select, Spinner } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { CoverageAlerts, CoverageTable } from "@/components/evaluations/coverage-summary";

type Props = { orgSlug: string; projectSlug: string; name: string; version: number; onClose: () => void; onOpenItem: (itemId: string) => void };

export function CoverageDialog({ orgSlug, projectSlug, name, version, onClose, onOpenItem }: Props) {
  const trpc = useTRPC();
  const [promptName, setPromptName] = useState("");
  const [promptVersion, setPromptVersion] = useState<number | null>(null);
  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const prompt = useQuery({ ...trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name: promptName || "x" }), enabled: !!promptName });
  const chosenVersion = promptVersion ?? prompt.data?.latestVersion ?? null;
  const coverage = useQuery({
    ...trpc.datasets.coverage.queryOptions({ orgSlug, projectSlug, name, version, promptName: promptName || "x", promptVersion: chosenVersion ?? 1 }),
    enabled: !!promptName && chosenVersion !== null && !!prompt.data,
  });
  const result = coverage.data;

  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      title="Check against a prompt"
      description={`Which of a prompt's variables the items of version ${version} do not provide in their input.`}
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <div className="flex flex-col gap-4">
        <div className="flex flex-wrap items-end gap-3">
          <Select
            label="Prompt"
            value={promptName}
            onChange={(e) => (setPromptName(e.target.value), setPromptVersion(null))}
            boxClassName="w-72"
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
            label="Version"
            value={chosenVersion ? String(chosenVersion) : ""}
            onChange={(e) => setPromptVersion(Number(e.target.value))}
            boxClassName="w-44"
            disabled={!prompt.data}
          >
            {!prompt.data ? <option value="">—</option> : null}
            {(prompt.data?.versions ?? []).map((v) => (
              <option key={v.version} value={v.version}>
                Version {v.version}
                {v.version === prompt.data?.latestVersion ? " (latest)" : ""}
              </option>
            ))}
          </Select>
        </div>
        {prompts.isError ? <QueryErrorAlert title="Could not load the prompts" error={prompts.error} /> : null}
        {prompt.isError ? <QueryErrorAlert title="Could not load the prompt" error={prompt.error} /> : null}
        {coverage.isError ? <QueryErrorAlert title="Could not check the dataset" error={coverage.error} /> : null}
        {!promptName ? (
          <p className="text-[13px] text-zinc-500">Choose a prompt to see whether every item provides its variables.</p>
        ) : coverage.isFetching && !result ? (
          <Spinner label="Checking…" />
        ) : result ? (
          <div role="region" aria-label="Coverage" className="flex flex-col gap-3">
            <CoverageAlerts data={result} fix="Add the keys to their input, declare a default in a new prompt version, or choose another prompt version." />
            {result.variables.length ? <CoverageTable data={result} onOpenExample={onOpenItem} /> : null}
          </div>
        ) : null}
      </div>
    </Dialog>
  );
}
