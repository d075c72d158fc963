"use client";
// Finished exports with their manifest facts (newest first): what was exported, how many events,
// the sequence range, the file's SHA-256 and who exported it, with the signed manifest to
// download, and how to verify a file offline with the organization's public key.
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Button, Card, CardHeader, EmptyState, Spinner, TBody, TD, TH, THead, TR, Table, buttonClasses, useCopy } from "@/components/ui";
import { CheckIcon, CopyIcon, DownloadIcon, FileTextIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { formatDateTime, Time } from "@/components/lib/time";
import { FORMAT_LABELS, type ExportFormat } from "./export-panel";
import { manifestHref, type FilterKey } from "./filters";
import { actionFilterLabel, targetTypeLabel } from "./labels";
import { publicKeyFileName } from "./chain-status";
import { formatCount } from "@/components/lib/format";

/** How long to keep looking for the manifest of an export started on this page. */
const WAIT_MS = 10 * 60_000;

export type AwaitedExport = { startedAt: number; knownIds: string[] | null };

const FILTER_LABELS: Record<FilterKey, string> = {
  from: "from",
  to: "to",
  project: "project",
  action: "action",
  actor: "actor",
  targetType: "target",
  targetId: "target id",
  outcome: "outcome",
  q: "search",
};

function describeFilters(filters: unknown): string {
  if (!filters || typeof filters !== "object") return "All events";
  const parts = Object.entries(filters as Record<string, unknown>)
    .filter(([, v]) => typeof v === "string" && v !== "")
    .map(([k, v]) => {
      const value = v as string;
      const shown =
        k === "from" || k === "to"
          ? formatDateTime(value)
          : k === "action"
            ? actionFilterLabel(value)
            : k === "targetType"
              ? targetTypeLabel(value)
              : k === "q"
                ? `“${value}”`
                : value;
      return `${FILTER_LABELS[k as FilterKey] ?? k}: ${shown}`;
    });
  return parts.length ? parts.join(" · ") : "All events";
}

function CopyHash({ hash, label }: { hash: string; label: string }) {
  const { state, copy } = useCopy();
  return (
    <span className="inline-flex items-center gap-1">
      <code className="font-mono text-[11px] text-zinc-700" title={hash}>
        {hash.slice(0, 12)}…{hash.slice(-4)}
      </code>
      <Button
        size="sm"
        variant="ghost"
        className="h-6 px-1.5"
        aria-label={state === "copied" ? `${label} copied` : `Copy ${label}`}
        title={state === "failed" ? `Copying failed: ${hash}` : `Copy the full SHA-256 (${hash})`}
        icon={state === "copied" ? <CheckIcon size={12} className="text-emerald-600" /> : <CopyIcon size={12} />}
        onClick={() => void copy(hash)}
      />
      <span role="status" className="sr-only">
        {state === "copied" ? `${label} copied to the clipboard` : state === "failed" ? `Copying failed; the SHA-256 is ${hash}` : ""}
      </span>
    </span>
  );
}

export type FinishedExport = { id: string; format: string; rowCount: number; sha256: string; createdAt: Date };

export function ExportsList({ orgSlug, awaited, onArrived }: { orgSlug: string; awaited: AwaitedExport | null; onArrived: (row: FinishedExport) => void }) {
  const trpc = useTRPC();
  const exports = useQuery({
    ...trpc.audit.exports.queryOptions({ orgSlug }),
    // An export started here gets its manifest once the download finishes: look for it until then.
    refetchInterval: () => (awaited && Date.now() - awaited.startedAt < WAIT_MS ? 2000 : false),
  });
  const rows = exports.data ?? [];
  const arrived = awaited
    ? rows.find((r) => (awaited.knownIds ? !awaited.knownIds.includes(r.id) : new Date(r.createdAt).getTime() >= awaited.startedAt - 60_000))
    : undefined;
  useEffect(() => {
    if (arrived) onArrived(arrived);
  }, [arrived, onArrived]);

  return (
    <Card aria-labelledby="exports-title">
      <CardHeader
        titleId="exports-title"
        title="Exports"
        description={
          <>
            Each finished export has a manifest signed with this organization&apos;s key. To check a file offline, download its manifest and the public key,
            then run{" "}
            <code className="rounded bg-zinc-100 px-1 py-0.5 font-mono text-[11.5px] text-zinc-800">
              npx keel audit verify-export &lt;file&gt; &lt;file&gt;.manifest.json --public-key {publicKeyFileName(orgSlug)}
            </code>
          </>
        }
      />
      {exports.isPending ? (
        <div className="px-4 py-8 text-center">
          <Spinner label="Loading exports…" />
        </div>
      ) : exports.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load the exports" error={exports.error} />
        </div>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={<FileTextIcon />}
          title="No exports yet"
          description="Export the events above as JSONL or CSV; finished exports and their signed manifests are listed here."
        />
      ) : (
        <Table caption="Finished audit exports, newest first">
          <THead>
            <TR>
              <TH>Exported</TH>
              <TH>Format</TH>
              <TH>Filters</TH>
              <TH className="text-right">Rows</TH>
              <TH>Events</TH>
              <TH>SHA-256</TH>
              <TH>Exporter</TH>
              <TH>
                <span className="sr-only">Manifest</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((r) => {
              const format = r.format as ExportFormat;
              return (
                <TR key={r.id}>
                  <TD className="whitespace-nowrap text-zinc-600">
                    <Time value={r.createdAt} />
                  </TD>
                  <TD>
                    <Badge tone="outline">{FORMAT_LABELS[format] ?? r.format}</Badge>
                  </TD>
                  <TD className="max-w-64 text-xs text-zinc-600">{describeFilters(r.filters)}</TD>
                  <TD className="text-right font-mono text-xs tabular-nums">{formatCount(r.rowCount)}</TD>
                  <TD className="font-mono text-xs whitespace-nowrap text-zinc-600">
                    {r.firstSeq !== null && r.lastSeq !== null ? `#${r.firstSeq.toString()}–#${r.lastSeq.toString()}` : "—"}
                  </TD>
                  <TD className="whitespace-nowrap">
                    <CopyHash hash={r.sha256} label={`SHA-256 of the ${FORMAT_LABELS[format] ?? r.format} export of ${formatDateTime(r.createdAt)}`} />
                  </TD>
                  <TD className="max-w-44 truncate text-zinc-700" title={r.exporterLabel}>
                    {r.exporterLabel}
                  </TD>
                  <TD className="text-right">
                    <a
                      href={manifestHref(orgSlug, r.id)}
                      download
                      className={buttonClasses({ size: "sm" })}
                      aria-label={`Manifest of the ${FORMAT_LABELS[format] ?? r.format} export of ${formatDateTime(r.createdAt)}`}
                    >
                      <DownloadIcon size={13} />
                      Manifest
                    </a>
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
