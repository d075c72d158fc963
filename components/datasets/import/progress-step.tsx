"use client";
// Step 3: the import runs; upload and rows read as they go, and a way to cancel (nothing is
// written until the whole file has been read).
import { formatBytes, formatCount } from "@/components/lib/format";
import { Button, Card, CardBody, CardFooter, CardHeader } from "@/components/ui";
import type { Progress } from "./upload-reader";

export function ProgressStep({ file, progress, onCancel }: { file: File; progress: Progress; onCancel: () => void }) {
  const total = Math.max(file.size, 1);
  const uploadedPct = Math.min(100, Math.floor((progress.uploaded / total) * 100));
  const processedPct = Math.min(100, Math.floor((progress.processed / total) * 100));
  const uploading = progress.uploaded < file.size;
  return (
    <Card aria-labelledby="import-progress-title">
      <CardHeader
        titleId="import-progress-title"
        title={`Importing ${file.name}`}
        description="Rows are checked as they arrive; the new version is written when the whole file has been read."
      />
      <CardBody className="flex flex-col gap-3 py-5">
        <div className="flex items-baseline justify-between text-[13px]">
          <span className="font-medium text-zinc-800" id="import-progress-label">
            {uploading ? "Uploading and reading rows" : processedPct >= 100 ? "Writing the new version" : "Reading rows"}
          </span>
          <span className="font-mono text-zinc-600">{processedPct}%</span>
        </div>
        <div
          role="progressbar"
          aria-labelledby="import-progress-label"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={processedPct}
          aria-valuetext={`${processedPct}% read, ${formatCount(progress.rows)} rows`}
          className="h-2 overflow-hidden rounded-full bg-zinc-100 ring-1 ring-zinc-200 ring-inset"
        >
          <div className="h-full rounded-full bg-accent transition-[width] duration-200" style={{ width: `${processedPct}%` }} />
        </div>
        <dl className="grid grid-cols-3 gap-4 text-[13px]" aria-label="Import progress details">
          <div>
            <dt className="text-xs text-zinc-500">Uploaded</dt>
            <dd className="font-mono text-zinc-900">
              {uploadedPct}%{" "}
              <span className="text-zinc-500">
                ({formatBytes(progress.uploaded)} of {formatBytes(file.size)})
              </span>
            </dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Read by the server</dt>
            <dd className="font-mono text-zinc-900">{formatBytes(progress.processed)}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Rows read</dt>
            <dd className="font-mono text-zinc-900" data-testid="import-rows-read">
              {formatCount(progress.rows)}
            </dd>
          </div>
        </dl>
        <span role="status" className="sr-only">
          Importing {file.name}
        </span>
      </CardBody>
      <CardFooter>
        <Button onClick={onCancel}>Cancel import</Button>
      </CardFooter>
    </Card>
  );
}
