"use client";
// The header of a dataset's pages (kept fresh by the datasets.get query, so adding items updates
// the count) and the tab links between its pages.
import { formatCount } from "@/components/lib/format";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTRPC } from "@/components/trpc/client";
import { Badge, PageHeader, TabNav } from "@/components/ui";
import { HistoryLink } from "@/components/audit/history-link";
import { datasetHref } from "./model";

export function DatasetHeader({
  orgSlug,
  projectSlug,
  projectName,
  name,
  canWrite,
}: {
  orgSlug: string;
  projectSlug: string;
  projectName: string;
  name: string;
  canWrite: boolean;
}) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const query = useQuery({ ...trpc.datasets.get.queryOptions({ orgSlug, projectSlug, name }), retry: false });
  // The page's layout prefetched this query on the server (HydrationBoundary), so it has data from the first render.
  const d = query.data;
  const base = datasetHref(orgSlug, projectSlug, name);
  const tabs = [
    { href: base, label: "Items", current: pathname === base },
    { href: `${base}/versions`, label: "Versions", current: pathname.startsWith(`${base}/versions`) || pathname.startsWith(`${base}/compare`) },
    ...(canWrite
      ? [
          { href: `${base}/import`, label: "Import", current: pathname.startsWith(`${base}/import`) },
          { href: `${base}/settings`, label: "Settings", current: pathname.startsWith(`${base}/settings`) },
        ]
      : []),
  ];
  return (
    <>
      <PageHeader
        className="mb-4"
        eyebrow={
          <>
            {projectName} ·{" "}
            <Link href={datasetHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
              Datasets
            </Link>
          </>
        }
        title={<span className="font-mono">{d?.name ?? name}</span>}
        actions={<HistoryLink orgSlug={orgSlug} targetType="dataset" targetId={d?.id} />}
        description={
          d && (
            <span className="flex flex-col gap-1.5">
              <span className="flex flex-wrap items-center gap-1.5">
                {d.archivedAt ? <Badge tone="warning">archived</Badge> : null}
                <Badge tone="outline" mono>
                  {d.latestVersion > 0 ? `latest v${d.latestVersion}` : "no versions yet"}
                </Badge>
                <Badge tone="outline">
                  {formatCount(d.itemCount)} {d.itemCount === 1 ? "item" : "items"}
                </Badge>
              </span>
              {d.description ? <span className="text-zinc-600">{d.description}</span> : <span className="text-zinc-500">No description</span>}
            </span>
          )
        }
      />
      <TabNav label="Dataset" tabs={tabs} />
    </>
  );
}
