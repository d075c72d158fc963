"use client";
// Step 1: choose a file, or drop one on the zone.
import { useId, useState, type DragEvent } from "react";
import { DEFAULT_IMPORT_MAX_BYTES } from "@/server/contracts/datasets";
import { formatBytes } from "@/components/lib/format";
import { Card, CardBody, CardHeader, cn } from "@/components/ui";
import { UploadIcon } from "@/components/ui/icons";

export function FileStep({ onFile }: { onFile: (file: File) => void }) {
  const [dragging, setDragging] = useState(false);
  const fileInputId = useId();
  const choose = (file: File | undefined) => {
    if (file) onFile(file);
  };
  return (
    <Card aria-labelledby="import-file-title">
      <CardHeader
        titleId="import-file-title"
        title="Choose a file"
        description="The format follows the file's extension (.csv, .tsv, .jsonl, .ndjson, .json); you can change it on the next step."
      />
      <CardBody>
        <div
          onDragOver={(e: DragEvent) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e: DragEvent) => {
            e.preventDefault();
            setDragging(false);
            choose(e.dataTransfer.files[0]);
          }}
          data-testid="import-drop-zone"
          className={cn(
            "flex flex-col items-center justify-center gap-3 rounded-lg border-2 border-dashed px-6 py-10 text-center transition-colors",
            dragging ? "border-accent bg-accent-soft" : "border-zinc-300 bg-zinc-50/60",
          )}
        >
          <div className="rounded-full bg-white p-2.5 text-zinc-500 shadow-xs ring-1 ring-zinc-200">
            <UploadIcon size={20} />
          </div>
          <p className="text-sm font-medium text-zinc-900">Drop a file here, or choose one</p>
          <label htmlFor={fileInputId} className="sr-only">
            File to import
          </label>
          <input
            id={fileInputId}
            type="file"
            accept=".csv,.tsv,.tab,.jsonl,.ndjson,.json,text/csv,text/tab-separated-values,application/json,application/x-ndjson"
            onChange={(e) => choose(e.target.files?.[0])}
            className="max-w-full text-[13px] text-zinc-600 file:mr-3 file:h-8 file:cursor-pointer file:rounded-md file:border file:border-zinc-300 file:bg-white file:px-3 file:text-sm file:font-medium file:text-zinc-800 file:shadow-xs hover:file:bg-zinc-50"
          />
          <p className="text-xs text-zinc-500">
            CSV with a header row, JSON Lines (one object a line) or a JSON array of objects. Up to {formatBytes(DEFAULT_IMPORT_MAX_BYTES)} unless your
            administrator set another limit.
          </p>
        </div>
      </CardBody>
    </Card>
  );
}
