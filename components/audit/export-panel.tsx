"use client";
// Exporting the explorer's current view. The buttons are plain download links to the session
// route, which streams the file as PostgreSQL produces it: the browser writes it to disk as it
// arrives, whatever its size (nothing is held in this page's memory). The signed manifest exists
// once the file was read to the end, so the exports list is polled until the new export shows up.
import { Alert, buttonClasses } from "@/components/ui";
import { DownloadIcon } from "@/components/ui/icons";
import { exportHref, manifestHref, type Filters } from "./filters";
import { formatCount } from "@/components/lib/format";

export type ExportFormat = "jsonl" | "csv";
export type PendingExport = { format: ExportFormat; startedAt: number };

export const FORMAT_LABELS: Record<ExportFormat, string> = { jsonl: "JSONL", csv: "CSV" };

export function ExportButtons({
  orgSlug,
  filters,
  filtered,
  onStart,
}: {
  orgSlug: string;
  filters: Filters;
  filtered: boolean;
  onStart: (p: PendingExport) => void;
}) {
  const what = filtered ? "the events matching the filters" : "every event";
  return (
    <div role="group" aria-label="Export" className="flex items-center gap-2">
      {(["jsonl", "csv"] as const).map((format) => (
        <a
          key={format}
          href={exportHref(orgSlug, format, filters)}
          download
          className={buttonClasses({ size: "sm" })}
          title={`Download ${what} as ${FORMAT_LABELS[format]}, oldest first, with a signed manifest`}
          onClick={() => onStart({ format, startedAt: Date.now() })}
        >
          <DownloadIcon size={13} />
          Export {FORMAT_LABELS[format]}
        </a>
      ))}
    </div>
  );
}

export function ExportStarted({
  orgSlug,
  pending,
  finished,
}: {
  orgSlug: string;
  pending: PendingExport;
  finished: { id: string; rowCount: number; sha256: string } | null;
}) {
  const label = FORMAT_LABELS[pending.format];
  if (!finished) {
    return (
      <Alert tone="info" title={`Exporting ${label}…`}>
        Your browser is downloading the file. Its signed manifest appears here and under Exports once the download has finished.
      </Alert>
    );
  }
  return (
    <Alert tone="success" title={`${label} export finished`}>
      <span className="flex flex-wrap items-center gap-x-3 gap-y-1.5">
        <span>
          {formatCount(finished.rowCount)} {finished.rowCount === 1 ? "event" : "events"}, SHA-256{" "}
          <code className="font-mono text-[11.5px]">{finished.sha256.slice(0, 16)}…</code>. Keep the signed manifest with the file.
        </span>
        <a href={manifestHref(orgSlug, finished.id)} download className={buttonClasses({ size: "sm" })}>
          <DownloadIcon size={13} />
          Download manifest
        </a>
      </span>
    </Alert>
  );
}
