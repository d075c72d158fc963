"use client";
// The preview of the first rows as the mapping turns them into items, with the problems the
// preview found (one verdict with the Import button: preview-check.ts).
import { PREVIEW_BYTES } from "@/server/contracts/datasets";
import { formatBytes } from "@/components/lib/format";
import { Alert, Badge, Card, CardBody, CardHeader, TBody, TD, TH, THead, TR, Table, cn } from "@/components/ui";
import { AlertCircleIcon } from "@/components/ui/icons";
import { show } from "./mapping";
import type { PreviewVerdict } from "./preview-check";
import type { Preview } from "./upload-reader";

function ItemCell({ value, empty = "—" }: { value: unknown; empty?: string }) {
  if (value === undefined || value === null || (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)) {
    return <span className="text-zinc-500">{empty}</span>;
  }
  if (typeof value === "object" && !Array.isArray(value)) {
    return (
      <dl className="flex flex-col gap-0.5">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <div key={k} className="flex min-w-0 gap-1.5">
            <dt className="shrink-0 font-mono text-[11px] text-zinc-500">{k}</dt>
            <dd className="min-w-0 truncate font-mono text-[11px] text-zinc-800" title={show(v, 2000)}>
              {show(v, 100)}
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return (
    <span className="line-clamp-3 font-mono text-[11px] text-zinc-800" title={show(value, 2000)}>
      {show(value)}
    </span>
  );
}

export function PreviewCard({ preview, verdict, stale, truncated }: { preview: Preview; verdict: PreviewVerdict; stale: boolean; truncated: boolean }) {
  const n = verdict.problems.length;
  return (
    <Card aria-labelledby="import-preview-title">
      <CardHeader
        titleId="import-preview-title"
        title="Preview"
        description={`The first ${preview.rows.length} ${preview.rows.length === 1 ? "row" : "rows"} as the mapping turns them into items${truncated ? ` (read from the first ${formatBytes(PREVIEW_BYTES)} of the file)` : ""}. Nothing is written yet.`}
        actions={
          n ? (
            <Badge tone="danger">{n === 1 ? "1 problem" : `${n} problems`}</Badge>
          ) : preview.rows.length ? (
            <Badge tone="success">No problems found</Badge>
          ) : null
        }
      />
      {n ? (
        <div role="region" aria-label="Problems in the file" className="border-b border-zinc-200 px-4 py-3">
          <Alert tone="error" title={n === 1 ? "The file has a problem" : `The file has ${n} problems`}>
            <ul className="list-disc space-y-0.5 pl-4">
              {verdict.problems.map((p, i) => (
                <li key={i}>{p.message}</li>
              ))}
            </ul>
          </Alert>
        </div>
      ) : null}
      {preview.rows.length === 0 ? (
        <CardBody>
          <p className="text-[13px] text-zinc-500">No rows found in the start of the file.</p>
        </CardBody>
      ) : (
        <div className={cn("transition-opacity", stale && "opacity-60")} aria-busy={stale || undefined}>
          <Table caption="Preview of the first rows as items">
            <THead>
              <TR>
                <TH className="w-16">Row</TH>
                <TH>Input</TH>
                <TH>Expected output</TH>
                <TH>Metadata</TH>
                <TH>Tags</TH>
              </TR>
            </THead>
            <TBody>
              {preview.rows.map((r) => (
                <TR key={r.row} className={cn("align-top", r.problem && "bg-red-50/70")} data-problem={r.problem ? "true" : undefined}>
                  <TH scope="row" className="h-auto py-2 text-left font-mono text-xs text-zinc-600">
                    {r.row}
                    {r.line !== null ? <span className="block text-[11px] font-normal text-zinc-500">line {r.line}</span> : null}
                  </TH>
                  {r.problem || !r.item ? (
                    <TD colSpan={4}>
                      <span className="flex items-start gap-1.5 text-xs text-red-800">
                        <AlertCircleIcon size={14} className="mt-px shrink-0 text-red-600" />
                        <span>
                          <span className="font-medium">Problem:</span> {r.problem ?? "cannot be imported"}
                        </span>
                      </span>
                    </TD>
                  ) : (
                    <>
                      <TD className="max-w-md">
                        <ItemCell value={r.item.input} empty="(empty)" />
                      </TD>
                      <TD className="max-w-xs">
                        <ItemCell value={r.item.expected} />
                      </TD>
                      <TD className="max-w-xs">
                        <ItemCell value={r.item.metadata} />
                      </TD>
                      <TD>
                        {r.item.tags.length ? (
                          <span className="flex flex-wrap gap-1">
                            {r.item.tags.map((tag) => (
                              <Badge key={tag} tone="outline" mono>
                                {tag}
                              </Badge>
                            ))}
                          </span>
                        ) : (
                          <span className="text-zinc-500">—</span>
                        )}
                      </TD>
                    </>
                  )}
                </TR>
              ))}
            </TBody>
          </Table>
        </div>
      )}
    </Card>
  );
}
