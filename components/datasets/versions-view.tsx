"use client";
// Every version of a dataset, newest first: what kind of change made it, its message, what it
// added, changed and removed, who and when, and import details. Each can be browsed, exported or
// compared.
import { formatBytes, formatCount } from "@/components/lib/format";
import { useQueries } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { DatasetChangeKind } from "@/server/contracts/datasets";
import { useTRPC } from "@/components/trpc/client";
import { ActionsTH, Button, Card, CardHeader, EmptyState, Select, Spinner, TBody, TD, TH, THead, TR, Table, buttonClasses } from "@/components/ui";
import { ArrowRightIcon, CompareIcon, LayersIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { datasetHref, exportHref } from "./model";
import { ChangeCounts, KindBadge } from "./badges";

type Props = { orgSlug: string; projectSlug: string; name: string };

type ImportDetails = {
  fileName?: string;
  format?: string;
  rows?: number;
  bytes?: number;
  duplicatesSkipped?: number;
  source?: string;
  mode?: string;
  key?: string;
  operation?: string;
  field?: string;
  from?: string;
  to?: string;
  scope?: string;
  overwrite?: boolean;
};

function bulkSummary(d: ImportDetails): string | null {
  const where = d.scope === "selection" ? " on the selected items" : "";
  if (d.operation === "addField") return `${d.overwrite ? "Set" : "Added"} field “${d.field}”${where}`;
  if (d.operation === "renameField") return `Renamed field “${d.from}” to “${d.to}”${where}`;
  if (d.operation === "dropField") return `Dropped field “${d.field}”${where}`;
  return null;
}

function Details({ kind, details }: { kind: DatasetChangeKind; details: unknown }) {
  const d = (details && typeof details === "object" ? details : {}) as ImportDetails;
  if (kind === "import") {
    const parts = [
      d.format ? d.format.toUpperCase() : null,
      typeof d.rows === "number" ? `${formatCount(d.rows)} rows` : null,
      typeof d.bytes === "number" ? formatBytes(d.bytes) : null,
      d.duplicatesSkipped ? `${formatCount(d.duplicatesSkipped)} duplicates skipped` : null,
      d.mode === "upsert" ? `upsert by ${d.key}` : d.mode === "replace" ? "replaced the items" : null,
    ].filter(Boolean);
    return (
      <span className="block text-xs text-zinc-500">
        {d.fileName ? <span className="font-mono text-zinc-700">{d.fileName}</span> : "Imported file"}
        {parts.length ? ` · ${parts.join(" · ")}` : null}
      </span>
    );
  }
  if (kind === "bulk") {
    const summary = bulkSummary(d);
    return summary ? <span className="block text-xs text-zinc-500">{summary}</span> : null;
  }
  if (kind === "add" && d.source && d.source !== "manual") return <span className="block text-xs text-zinc-500">from the {d.source}</span>;
  return null;
}

export function VersionsView({ orgSlug, projectSlug, name }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  // Pages of 50, each starting before the last version of the page above it.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const pages = useQueries({ queries: cursors.map((before) => trpc.datasets.versions.queryOptions({ orgSlug, projectSlug, name, before, limit: 50 })) });
  const first = pages[0]!;
  const lastPage = pages.at(-1)!;
  const versions = {
    isPending: first.isPending,
    isError: pages.some((p) => p.isError),
    error: pages.find((p) => p.isError)?.error,
    hasNextPage: !!lastPage.data?.hasMore,
    isFetchingNextPage: lastPage.isPending && pages.length > 1,
    fetchNextPage: () => {
      const next = lastPage.data?.versions.at(-1)?.version;
      if (next) setCursors((c) => [...c, next]);
    },
  };
  const rows = pages.flatMap((p) => p.data?.versions ?? []);
  const latest = rows[0]?.version ?? 0;
  const [from, setFrom] = useState<string>("");
  const [to, setTo] = useState<string>("");
  const fromValue = from || String(Math.max(1, latest - 1));
  const toValue = to || String(latest);

  function compare(e: FormEvent) {
    e.preventDefault();
    const a = Number(fromValue);
    const b = Number(toValue);
    router.push(datasetHref(orgSlug, projectSlug, name, "compare", { from: Math.min(a, b), to: Math.max(a, b) }));
  }

  if (versions.isPending) {
    return (
      <div className="py-16 text-center">
        <Spinner label="Loading versions…" />
      </div>
    );
  }
  if (versions.isError) return <QueryErrorAlert title="Could not load the versions" error={versions.error} />;
  if (rows.length === 0) {
    return (
      <Card as="div">
        <EmptyState icon={<LayersIcon />} title="No versions yet" description="The first change to the items (adding or importing) makes version 1." />
      </Card>
    );
  }

  const options = rows.map((v) => (
    <option key={v.version} value={v.version}>
      Version {v.version}
      {v.version === latest ? " (latest)" : ""}
    </option>
  ));

  return (
    <div className="flex flex-col gap-4">
      {rows.length > 1 ? (
        <Card as="div">
          <form onSubmit={compare} aria-label="Compare versions" className="flex flex-wrap items-end gap-3 px-4 py-3">
            <Select label="From (older)" size="sm" value={fromValue} onChange={(e) => setFrom(e.target.value)} boxClassName="w-44">
              {options}
            </Select>
            <ArrowRightIcon className="mb-1.5 text-zinc-500" />
            <Select label="To (newer)" size="sm" value={toValue} onChange={(e) => setTo(e.target.value)} boxClassName="w-44">
              {options}
            </Select>
            <Button size="sm" type="submit" icon={<CompareIcon size={14} />} disabled={fromValue === toValue}>
              Compare
            </Button>
          </form>
        </Card>
      ) : null}
      <Card aria-labelledby="versions-title">
        <CardHeader
          titleId="versions-title"
          title={`${latest} ${latest === 1 ? "version" : "versions"}`}
          description="A version never changes. Evaluations record the version they ran on, so results stay reproducible."
        />
        <Table caption={`Versions of ${name}`}>
          <THead>
            <TR>
              <TH>Version</TH>
              <TH>Change</TH>
              <TH>
                <span aria-hidden="true">+ ~ −</span>
                <span className="sr-only">Added, changed, removed</span>
              </TH>
              <TH className="text-right">Items</TH>
              <TH>Author</TH>
              <ActionsTH />
            </TR>
          </THead>
          <TBody>
            {rows.map((v) => (
              <TR key={v.version}>
                <TD className="align-top font-mono text-xs font-medium whitespace-nowrap text-zinc-900">
                  <Link
                    href={datasetHref(orgSlug, projectSlug, name, null, { v: v.version === latest ? undefined : v.version })}
                    className="hover:text-accent hover:underline"
                  >
                    v{v.version}
                  </Link>
                </TD>
                <TD className="min-w-64">
                  <span className="flex items-center gap-2">
                    <KindBadge kind={v.kind} />
                    <span className={v.message ? "text-zinc-800" : "text-zinc-500"}>{v.message || "No message"}</span>
                  </span>
                  <Details kind={v.kind} details={v.details} />
                </TD>
                <TD className="whitespace-nowrap">
                  <ChangeCounts added={v.added} changed={v.changed} removed={v.removed} />
                </TD>
                <TD className="text-right font-mono text-xs tabular-nums">{formatCount(v.itemCount)}</TD>
                <TD className="whitespace-nowrap">
                  <span className="block text-zinc-700">{v.authorLabel}</span>
                  <Time value={v.createdAt} mode="relative" className="text-xs text-zinc-500" />
                </TD>
                <TD className="text-right whitespace-nowrap">
                  <span className="inline-flex gap-0.5">
                    <Link
                      href={datasetHref(orgSlug, projectSlug, name, null, { v: v.version })}
                      className={buttonClasses({ size: "sm", variant: "ghost" })}
                      aria-label={`Browse version ${v.version}`}
                    >
                      Browse
                    </Link>
                    {v.version > 1 ? (
                      <Link
                        href={datasetHref(orgSlug, projectSlug, name, "compare", { from: v.version - 1, to: v.version })}
                        className={buttonClasses({ size: "sm", variant: "ghost" })}
                        aria-label={`Diff version ${v.version} with version ${v.version - 1}`}
                      >
                        Diff
                      </Link>
                    ) : null}
                    <a
                      href={exportHref(orgSlug, projectSlug, name, v.version, "csv")}
                      download
                      className={buttonClasses({ size: "sm", variant: "ghost" })}
                      aria-label={`Export version ${v.version} as CSV`}
                    >
                      CSV
                    </a>
                    <a
                      href={exportHref(orgSlug, projectSlug, name, v.version, "jsonl")}
                      download
                      className={buttonClasses({ size: "sm", variant: "ghost" })}
                      aria-label={`Export version ${v.version} as JSONL`}
                    >
                      JSONL
                    </a>
                  </span>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
        {versions.hasNextPage ? (
          <div className="border-t border-zinc-200 px-4 py-2.5 text-center">
            <Button size="sm" loading={versions.isFetchingNextPage} onClick={() => versions.fetchNextPage()}>
              Load older versions
            </Button>
          </div>
        ) : null}
      </Card>
    </div>
  );
}
