"use client";
// The project's datasets: search and "show archived" (kept in the address), each with its item
// count, latest version and last change; a dialog creates a new one.
import { formatCount } from "@/components/lib/format";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useState } from "react";
import { useUrlParams, useUrlSearch } from "@/components/lib/url-params";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Button, Card, Checkbox, EmptyState, Input, PageHeader, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { DatabaseIcon, PlusIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { datasetHref } from "./model";

// The form (react-hook-form, the contracts' schemas) loads when the dialog opens, not with the list.
const NewDatasetDialog = dynamic(() => import("./new-dataset-dialog").then((m) => m.NewDatasetDialog));

type Props = { orgSlug: string; projectSlug: string; projectName: string; canWrite: boolean };

export function DatasetsList({ orgSlug, projectSlug, projectName, canWrite }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const showArchived = searchParams.get("archived") === "1";
  const { search, setSearch, query, submit } = useUrlSearch("q", 100);
  const [creating, setCreating] = useState(false);

  const datasets = useQuery({
    ...trpc.datasets.list.queryOptions({ orgSlug, projectSlug, search: query || undefined, includeArchived: showArchived }),
    placeholderData: keepPreviousData,
  });
  const rows = datasets.data ?? [];
  const filtered = !!query;

  const newButton = canWrite ? (
    <Button variant="primary" icon={<PlusIcon />} onClick={() => setCreating(true)}>
      New dataset
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Datasets"
        description="Test cases for prompts and evaluations. Every change to a dataset's items makes a new numbered version; old versions stay readable."
        actions={newButton}
      />
      <Card aria-labelledby="datasets-title">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 items-center gap-3">
            <h2 id="datasets-title" className="text-sm font-semibold text-zinc-900">
              {datasets.isSuccess ? `${rows.length} ${rows.length === 1 ? "dataset" : "datasets"}` : "Datasets"}
            </h2>
            {datasets.isFetching && !datasets.isPending ? <Spinner size={12} /> : null}
          </div>
          <form role="search" aria-label="Filter datasets" className="flex flex-wrap items-center gap-4" onSubmit={(e) => (e.preventDefault(), submit())}>
            <Checkbox label="Show archived" checked={showArchived} onChange={(e) => setParams({ archived: e.target.checked ? "1" : "" })} />
            <Input
              label="Search"
              hideLabel
              type="search"
              placeholder="Search names and descriptions"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              wrapperClassName="w-64"
              className="h-7 text-[13px]"
            />
          </form>
        </div>
        {datasets.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading datasets…" />
          </div>
        ) : datasets.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the datasets" error={datasets.error} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={<DatabaseIcon />}
            title={filtered ? "No datasets match" : "No datasets yet"}
            description={
              filtered
                ? "Try another search."
                : canWrite
                  ? "Create a dataset, then add items by hand, import a CSV or JSONL file, or save runs from the playground."
                  : "Editors create datasets; you will see them here."
            }
            action={
              filtered ? (
                <Button size="sm" onClick={() => (setSearch(""), submit(""))}>
                  Clear search
                </Button>
              ) : (
                newButton
              )
            }
          />
        ) : (
          <Table caption={`Datasets of ${projectName}`}>
            <THead>
              <TR>
                <TH>Name</TH>
                <TH className="text-right">Items</TH>
                <TH>Latest</TH>
                <TH>Last change</TH>
              </TR>
            </THead>
            <TBody>
              {rows.map((d) => (
                <TR key={d.id}>
                  <TD>
                    <span className="flex items-center gap-2">
                      <Link
                        href={datasetHref(orgSlug, projectSlug, d.name)}
                        className="font-mono text-[13px] font-medium text-zinc-900 hover:text-accent hover:underline"
                      >
                        {d.name}
                      </Link>
                      {d.archivedAt ? <Badge tone="warning">archived</Badge> : null}
                    </span>
                    {d.description ? <span className="block max-w-xl truncate text-xs text-zinc-500">{d.description}</span> : null}
                  </TD>
                  <TD className="text-right font-mono text-xs text-zinc-700 tabular-nums">{formatCount(d.itemCount)}</TD>
                  <TD className="font-mono text-xs text-zinc-700">
                    {d.latestVersion > 0 ? `v${d.latestVersion}` : <span className="font-sans text-zinc-500">no versions</span>}
                  </TD>
                  <TD className="whitespace-nowrap text-zinc-500">
                    <Time value={d.lastChangeAt} mode="relative" />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      {canWrite && creating ? <NewDatasetDialog open onClose={() => setCreating(false)} orgSlug={orgSlug} projectSlug={projectSlug} /> : null}
    </>
  );
}
