"use client";
// Exporting the explorer's current view. The buttons are plain download links to the session
// route, which streams the file as PostgreSQL produces it: the browser writes it to disk as it
// arrives, whatever its size (nothing is held in this page's memory). The signed manifest exists
// once the file was read to the end, so the exports list is polled until the new export shows up.
// Exporting the audit trail needs a fresh authentication: a click first asks whether this session
// is fresh enough, opens the step-up dialog when it is not, and then starts the download.
import type { MouseEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";
import { requestStepUp } from "@/components/identity/step-up-store";
import { Alert, buttonClasses } from "@/components/ui";
import { DownloadIcon } from "@/components/ui/icons";
import { exportHref, manifestHref, type Filters } from "./filters";
import { formatCount } from "@/components/lib/format";

export type ExportFormat = "jsonl" | "csv";
export type PendingExport = { format: ExportFormat; startedAt: number };

export const FORMAT_LABELS: Record<ExportFormat, string> = { jsonl: "JSONL", csv: "CSV" };

/**
 * A click on an export link: when this session is not fresh enough for an audit export, the
 * step-up dialog first; then the download starts (the link clicked again, now confirmed).
 */
async function startExport(event: MouseEvent<HTMLAnchorElement>, o: { orgSlug: string; isFresh: () => Promise<boolean>; onStarted: () => void }) {
  const link = event.currentTarget;
  if (link.dataset.confirmed === "1") {
    delete link.dataset.confirmed;
    o.onStarted();
    return;
  }
  event.preventDefault();
  if (!(await o.isFresh()) && !(await requestStepUp(o.orgSlug))) return;
  link.dataset.confirmed = "1";
  link.click();
}

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
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const what = filtered ? "the events matching the filters" : "every event";
  const isFresh = () =>
    queryClient
      .fetchQuery({ ...trpc.identity.stepUpStatus.queryOptions({ orgSlug }), staleTime: 0 })
      .then((status) => status.fresh)
      .catch(() => false);
  return (
    <div role="group" aria-label="Export" className="flex items-center gap-2">
      {(["jsonl", "csv"] as const).map((format) => (
        <a
          key={format}
          href={exportHref(orgSlug, format, filters)}
          download
          className={buttonClasses({ size: "sm" })}
          title={`Download ${what} as ${FORMAT_LABELS[format]}, oldest first, with a signed manifest`}
          onClick={(e) => void startExport(e, { orgSlug, isFresh, onStarted: () => onStart({ format, startedAt: Date.now() }) })}
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
