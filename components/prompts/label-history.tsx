"use client";
// A prompt's label history: every move of a label, newest first, under the point-in-time lookup
// ("which version was in this environment at that time?").
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";
import { Card, CardHeader, EmptyState, ScrollArea, Spinner } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { LabelBadge } from "./badges";
import { VersionAtLookup } from "./version-at-lookup";

type Props = { orgSlug: string; projectSlug: string; name: string; environments: string[] };

export function LabelHistory({ orgSlug, projectSlug, name, environments }: Props) {
  const trpc = useTRPC();
  const history = useQuery(trpc.prompts.labelHistory.queryOptions({ orgSlug, projectSlug, name }));
  return (
    <Card aria-labelledby="history-title">
      <CardHeader titleId="history-title" title="Label history" description="Every move of a label, newest first." />
      <VersionAtLookup orgSlug={orgSlug} projectSlug={projectSlug} name={name} environments={environments} />
      {history.isPending ? (
        <div className="px-4 py-6 text-center">
          <Spinner label="Loading the history…" />
        </div>
      ) : history.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load the label history" error={history.error} />
        </div>
      ) : history.data.length === 0 ? (
        <EmptyState className="py-6" title="No label moves yet" />
      ) : (
        <ScrollArea className="max-h-80 overflow-y-auto">
          <ol className="divide-y divide-zinc-100" aria-label="Label moves">
            {history.data.map((h) => (
              <li key={h.id} className="px-4 py-2 text-[13px]">
                <span className="flex items-center gap-1.5">
                  <LabelBadge name={h.label} />
                  <span className="font-mono text-xs text-zinc-700">
                    {h.fromVersion ? `v${h.fromVersion}` : "none"} → v{h.toVersion}
                  </span>
                </span>
                <span className="mt-0.5 block text-xs text-zinc-500">
                  {h.actorLabel} · <Time value={h.at} />
                </span>
              </li>
            ))}
          </ol>
        </ScrollArea>
      )}
    </Card>
  );
}
