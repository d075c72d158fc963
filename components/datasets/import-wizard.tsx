"use client";
// Importing a file into a dataset, in four steps: choose a file (or drop it), map its columns to
// item fields while the server previews how the first rows turn into items, import it with
// progress (upload and rows read), and the outcome: the new version, "nothing new", or the
// validation report (nothing was written) with a way back to the mapping.
import { formatBytes, formatCount } from "@/components/lib/format";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useRef, useState, type DragEvent, type FormEvent } from "react";
import {
  DEFAULT_IMPORT_MAX_BYTES,
  MAX_ITEM_TAGS,
  PREVIEW_BYTES,
  itemTag,
  type ColumnMapping,
  type ImportEvent,
  type ImportFormat,
  type ImportMode,
  type ImportProblem,
  type ImportReport,
  type ImportResult,
  type MappingTarget,
} from "@/server/contracts/datasets";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, ButtonLink, Card, CardBody, CardFooter, CardHeader, Checkbox, Input, Select, Spinner, Stat, TBody, TD, TH, THead, TR, Table, cn } from "@/components/ui";
import { AlertCircleIcon, DatabaseIcon, FileTextIcon, UploadIcon } from "@/components/ui/icons";
import { checkPreview, type PreviewVerdict } from "./import-check";

type Props = {
  orgSlug: string;
  projectSlug: string;
  datasetName: string;
  latestVersion: number;
  itemCount: number;
  archived: boolean;
};

type Delimiter = "" | "," | ";" | "\t" | "|";

/** What the preview endpoint answers (server/domain/datasets/import/preview.ts). */
type PreviewRow = {
  row: number;
  line: number | null;
  values: Record<string, unknown>;
  item: { input: unknown; expected: unknown; metadata: unknown; tags: string[] } | null;
  problem: string | null;
};
type Preview = {
  format: ImportFormat;
  delimiter: string | null;
  columns: string[];
  suggestedMapping: ColumnMapping;
  rows: PreviewRow[];
  problems: ImportProblem[];
};

/** One column's target as the form edits it: the kind, and the key for input.<key> / metadata.<key>. */
type TargetKind = "input-key" | "input" | "expected" | "expected:json" | "metadata-key" | "metadata" | "tags" | "ignore";
type ColumnTarget = { column: string; kind: TargetKind; key: string };

type Outcome =
  | { kind: "done"; result: ImportResult }
  | { kind: "failed"; report: ImportReport }
  | { kind: "error"; status: number | null; message: string };

type Progress = { uploaded: number; processed: number; rows: number };

const TARGET_KINDS: { value: TargetKind; label: string }[] = [
  { value: "input-key", label: "Input variable" },
  { value: "expected", label: "Expected output" },
  { value: "expected:json", label: "Expected output (JSON)" },
  { value: "metadata-key", label: "Metadata field" },
  { value: "tags", label: "Tags" },
  { value: "input", label: "Whole input (JSON object)" },
  { value: "metadata", label: "Whole metadata (JSON object)" },
  { value: "ignore", label: "Ignore" },
];

const FORMAT_LABELS: Record<ImportFormat, string> = { csv: "CSV", jsonl: "JSON Lines", json: "JSON (array of objects)" };
const DELIMITER_LABELS: Record<string, string> = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe" };
const STEPS = ["Choose a file", "Map columns", "Import", "Result"] as const;

const IMPORT_MODE_CHOICES: { mode: ImportMode; label: string; description: (itemCount: number) => string }[] = [
  { mode: "append", label: "Add the rows", description: () => "The file's rows are added to the items the dataset has." },
  { mode: "upsert", label: "Update matching items, add the rest (upsert)", description: () => "A row whose key matches an item becomes that item's new content (same id); other rows are added; items not in the file stay." },
  {
    mode: "replace",
    label: "Replace all items",
    description: (n) => `The new version holds exactly the file's rows${n ? `: of the ${formatCount(n)} current items, those not in the file leave it (earlier versions keep them)` : ""}.`,
  },
];


/** The format (and TSV's delimiter) from the file name; null when the extension says nothing. */
function detectFormat(fileName: string): { format: ImportFormat; delimiter: Delimiter } | null {
  const ext = fileName.toLowerCase().split(".").pop() ?? "";
  if (ext === "csv") return { format: "csv", delimiter: "" };
  if (ext === "tsv" || ext === "tab") return { format: "csv", delimiter: "\t" };
  if (ext === "jsonl" || ext === "ndjson") return { format: "jsonl", delimiter: "" };
  if (ext === "json") return { format: "json", delimiter: "" };
  return null;
}

function toColumnTarget(column: string, target: MappingTarget): ColumnTarget {
  if (target.startsWith("input.")) return { column, kind: "input-key", key: target.slice(6) };
  if (target.startsWith("metadata.")) return { column, kind: "metadata-key", key: target.slice(9) };
  return { column, kind: target as TargetKind, key: column };
}

function toTarget(t: ColumnTarget): MappingTarget {
  if (t.kind === "input-key") return `input.${t.key.trim()}` as MappingTarget;
  if (t.kind === "metadata-key") return `metadata.${t.key.trim()}` as MappingTarget;
  return t.kind as MappingTarget;
}

/** Problems with the mapping the server would refuse, or that would lose data silently. */
function mappingErrors(targets: ColumnTarget[]): Record<number, string> {
  const errors: Record<number, string> = {};
  const seen = new Map<string, string>();
  targets.forEach((t, i) => {
    if (t.kind === "input-key" || t.kind === "metadata-key") {
      const key = t.key.trim();
      if (!key) errors[i] = "Name the key";
      else if (key.length > 200) errors[i] = "Use at most 200 characters";
      else if (/[\u0000-\u001F]/.test(key)) errors[i] = "Remove control characters";
    }
    if (errors[i] || t.kind === "ignore" || t.kind === "tags" || t.kind === "input" || t.kind === "metadata") return;
    const target = toTarget(t).replace("expected:json", "expected");
    const other = seen.get(target);
    if (other !== undefined) errors[i] = `"${other}" already goes to ${target}`;
    else seen.set(target, t.column);
  });
  return errors;
}

function parseTags(text: string): { tags: string[]; error: string | null } {
  const tags = [...new Set(text.split(/[,\s]+/).map((t) => t.trim()).filter(Boolean))];
  if (tags.length > MAX_ITEM_TAGS) return { tags, error: `Use at most ${MAX_ITEM_TAGS} tags` };
  for (const tag of tags) {
    const check = itemTag.safeParse(tag);
    if (!check.success) return { tags, error: `Tag "${tag}" ${check.error.issues[0]?.message ?? "is not valid"}` };
  }
  return { tags, error: null };
}

/** Short text for a cell value: strings as they are, anything else as JSON. */
function show(value: unknown, max = 160): string {
  const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function errorFrom(response: Response): Promise<HttpError> {
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  return new HttpError(response.status, body?.error?.message ?? `The server answered ${response.status}`);
}

export function ImportWizard({ orgSlug, projectSlug, datasetName, latestVersion, itemCount, archived }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const base = `/api/datasets/${encodeURIComponent(orgSlug)}/${encodeURIComponent(projectSlug)}/${encodeURIComponent(datasetName)}`;
  const datasetHref = `/o/${orgSlug}/p/${projectSlug}/datasets/${encodeURIComponent(datasetName)}`;

  const [file, setFile] = useState<{ file: File; key: number } | null>(null);
  const [format, setFormat] = useState<ImportFormat>("csv");
  const [formatGuessed, setFormatGuessed] = useState(true);
  const [delimiter, setDelimiter] = useState<Delimiter>("");
  const [targets, setTargets] = useState<ColumnTarget[] | null>(null);
  const [tagsText, setTagsText] = useState("");
  const [message, setMessage] = useState("");
  const [allowDuplicates, setAllowDuplicates] = useState(false);
  const [mode, setMode] = useState<ImportMode>("append");
  const [upsertKey, setUpsertKey] = useState("");
  const [attempted, setAttempted] = useState(false);
  const [step, setStep] = useState<0 | 1 | 2 | 3>(0);
  const [progress, setProgress] = useState<Progress>({ uploaded: 0, processed: 0, rows: 0 });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const xhr = useRef<XMLHttpRequest | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const fileInputId = useId();
  const formId = useId();
  const fileCounter = useRef(0);
  const firstRender = useRef(true);

  // Each step starts with its heading focused, so keyboard and screen reader users follow along.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  useEffect(() => () => xhr.current?.abort(), []);

  // The preview is asked with the suggested mapping until the user changes a target.
  const edited: ColumnMapping | undefined = targets?.map((t) => ({ column: t.column, target: toTarget(t) }));
  const editedValid = !targets || Object.keys(mappingErrors(targets)).length === 0;
  const mappingJson = edited && editedValid ? JSON.stringify(edited) : null;

  const preview = useQuery({
    queryKey: ["datasets", "import-preview", base, file?.key, format, delimiter, mappingJson],
    enabled: !!file && editedValid,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    retry: false,
    queryFn: async ({ signal }): Promise<Preview> => {
      const params = new URLSearchParams({ format });
      if (format === "csv" && delimiter) params.set("delimiter", delimiter);
      if (mappingJson) params.set("mapping", mappingJson);
      if (file!.file.size > PREVIEW_BYTES) params.set("truncated", "1");
      const response = await fetch(`${base}/import/preview?${params}`, { method: "POST", body: file!.file.slice(0, PREVIEW_BYTES), signal, headers: { "content-type": "application/octet-stream" } });
      if (!response.ok) throw await errorFrom(response);
      return (await response.json()) as Preview;
    },
  });
  const shownTargets = targets ?? preview.data?.suggestedMapping.map((m) => toColumnTarget(m.column, m.target)) ?? [];
  const mapping: ColumnMapping = shownTargets.map((t) => ({ column: t.column, target: toTarget(t) }));
  const errors = mappingErrors(shownTargets);
  const mappingValid = Object.keys(errors).length === 0;
  const tags = parseTags(tagsText);
  // Keys an upsert can match on: the mapped input and metadata fields, and an `id` column (item ids).
  const keyOptions = [
    ...(preview.data?.columns.includes("id") ? ["id"] : []),
    ...mapping.map((m) => m.target).filter((t) => t.startsWith("input.") || t.startsWith("metadata.")),
  ];
  const key = mode === "upsert" && keyOptions.includes(upsertKey) ? upsertKey : null;
  // One verdict for the badge, the problem list and the Import button.
  const verdict = preview.data ? checkPreview(preview.data, { mode, key }) : null;
  const checking = !preview.data || preview.isFetching || preview.isPlaceholderData;
  const importBlocked = !mappingValid ? "Fix the mapping above first." : checking ? "Checking the preview…" : (verdict?.blocking ?? (tags.error ? `Tags: ${tags.error}` : null));
  const blockedId = useId();

  function chooseFile(next: File | undefined) {
    if (!next) return;
    fileCounter.current += 1;
    const detected = detectFormat(next.name);
    setFile({ file: next, key: fileCounter.current });
    setFormat(detected?.format ?? "csv");
    setDelimiter(detected?.delimiter ?? "");
    setFormatGuessed(!detected);
    setTargets(null);
    setOutcome(null);
    setNotice(null);
    setAttempted(false);
    setStep(1);
  }

  function updateTarget(index: number, patch: Partial<ColumnTarget>) {
    setTargets(shownTargets.map((t, i) => (i === index ? { ...t, ...patch } : t)));
  }

  function startOver() {
    xhr.current?.abort();
    setFile(null);
    setTargets(null);
    setOutcome(null);
    setNotice(null);
    setStep(0);
  }

  function startImport(e: FormEvent) {
    e.preventDefault();
    setAttempted(true);
    if (!file || !preview.data || importBlocked) return;
    const params = new URLSearchParams({ format, mapping: JSON.stringify(mapping), fileName: file.file.name.slice(0, 255), message: message.trim() || `Imported ${file.file.name}`.slice(0, 500) });
    if (format === "csv" && delimiter) params.set("delimiter", delimiter);
    if (tags.tags.length) params.set("tags", tags.tags.join(","));
    if (allowDuplicates && mode !== "upsert") params.set("allowDuplicates", "1");
    if (mode !== "append") params.set("mode", mode);
    if (mode === "upsert" && key) params.set("key", key);

    setProgress({ uploaded: 0, processed: 0, rows: 0 });
    setOutcome(null);
    setNotice(null);
    setStep(2);

    const request = new XMLHttpRequest();
    xhr.current = request;
    let consumed = 0;
    let finished = false;
    const finish = (next: Outcome) => {
      if (finished) return;
      finished = true;
      xhr.current = null;
      setOutcome(next);
      setStep(3);
      if (next.kind === "done" && next.result.version !== null) void queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() });
    };
    // The response is JSON lines: progress events, then "done" or "failed".
    const readLines = () => {
      const text = request.responseText;
      for (let end = text.indexOf("\n", consumed); end >= 0; end = text.indexOf("\n", consumed)) {
        const line = text.slice(consumed, end).trim();
        consumed = end + 1;
        if (!line) continue;
        let event: ImportEvent;
        try {
          event = JSON.parse(line) as ImportEvent;
        } catch {
          continue;
        }
        if (event.type === "progress") setProgress((p) => ({ ...p, processed: event.bytes, rows: event.rows }));
        else if (event.type === "done") {
          setProgress((p) => ({ ...p, processed: event.result.bytes, rows: event.result.rows }));
          finish({ kind: "done", result: event.result });
        } else if (event.type === "failed") finish({ kind: "failed", report: event.report });
      }
    };
    const ok = () => request.status >= 200 && request.status < 300;
    request.open("POST", `${base}/import?${params}`);
    request.setRequestHeader("Accept", "application/x-ndjson");
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => setProgress((p) => ({ ...p, uploaded: event.loaded }));
    request.upload.onload = () => setProgress((p) => ({ ...p, uploaded: file.file.size }));
    request.onprogress = () => {
      if (ok()) readLines();
    };
    request.onload = () => {
      if (ok()) {
        readLines();
        finish({ kind: "error", status: request.status, message: "The import ended without a result. Check the dataset's versions before trying again." });
        return;
      }
      let messageText = `The server answered ${request.status}`;
      try {
        const body = JSON.parse(request.responseText) as { error?: { message?: string } };
        if (body.error?.message) messageText = body.error.message;
      } catch {
        // not JSON: keep the status line
      }
      finish({ kind: "error", status: request.status, message: messageText });
    };
    request.onerror = () => finish({ kind: "error", status: null, message: "Could not reach Keel. Check your connection and try again." });
    request.onabort = () => {
      if (finished) return;
      finished = true;
      xhr.current = null;
      setNotice("Import cancelled. Nothing was imported.");
      setStep(1);
    };
    request.send(file.file);
  }

  if (archived) {
    return (
      <section aria-labelledby="import-title">
        <h2 id="import-title" className="mb-4 text-base font-semibold text-zinc-900">
          Import items
        </h2>
        <Alert tone="warning" title="This dataset is archived">
          Restore it in its settings before importing items.
        </Alert>
      </section>
    );
  }

  const stepTitle = step === 0 ? "Choose a file" : step === 1 ? "Map columns and check the preview" : step === 2 ? `Importing ${file?.file.name ?? ""}` : "Result";

  return (
    <section aria-labelledby="import-title" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="import-title" className="text-base font-semibold text-zinc-900">
            Import items
          </h2>
          <p className="mt-0.5 max-w-2xl text-[13px] text-zinc-500">
            Add the rows of a CSV, JSON Lines or JSON file to <span className="font-mono text-zinc-700">{datasetName}</span> as one new version
            {latestVersion > 0 ? ` (now version ${latestVersion}, ${formatCount(itemCount)} items)` : ""}. All or nothing: a file with problems imports nothing.
          </p>
        </div>
        <StepList current={step} />
      </div>

      <h3 ref={headingRef} tabIndex={-1} className="sr-only">
        Step {step + 1} of {STEPS.length}: {stepTitle}
      </h3>

      {step === 0 ? (
        <Card aria-labelledby="import-file-title">
          <CardHeader titleId="import-file-title" title="Choose a file" description="The format follows the file's extension (.csv, .tsv, .jsonl, .ndjson, .json); you can change it on the next step." />
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
                chooseFile(e.dataTransfer.files[0]);
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
                onChange={(e) => chooseFile(e.target.files?.[0])}
                className="max-w-full text-[13px] text-zinc-600 file:mr-3 file:h-8 file:cursor-pointer file:rounded-md file:border file:border-zinc-300 file:bg-white file:px-3 file:text-sm file:font-medium file:text-zinc-800 file:shadow-xs hover:file:bg-zinc-50"
              />
              <p className="text-xs text-zinc-500">
                CSV with a header row, JSON Lines (one object a line) or a JSON array of objects. Up to {formatBytes(DEFAULT_IMPORT_MAX_BYTES)} unless your administrator set another limit.
              </p>
            </div>
          </CardBody>
        </Card>
      ) : null}

      {step === 1 && file ? (
        <form id={formId} onSubmit={startImport} noValidate aria-label="Import settings" className="flex flex-col gap-4">
          {notice ? <Alert tone="info">{notice}</Alert> : null}
          <Card aria-labelledby="import-source-title">
            <CardHeader
              titleId="import-source-title"
              title="File"
              actions={
                <Button size="sm" onClick={startOver}>
                  Choose another file
                </Button>
              }
            />
            <CardBody className="flex flex-wrap items-end gap-x-6 gap-y-3">
              <div className="flex min-w-0 items-center gap-2.5 pb-1">
                <FileTextIcon size={18} className="shrink-0 text-zinc-500" />
                <div className="min-w-0">
                  <p className="truncate font-mono text-[13px] text-zinc-900" data-testid="import-file-name">
                    {file.file.name}
                  </p>
                  <p className="text-xs text-zinc-500">{formatBytes(file.file.size)}</p>
                </div>
              </div>
              <Select
                label="Format"
                value={format}
                onChange={(e) => {
                  setFormat(e.target.value as ImportFormat);
                  setTargets(null);
                  setFormatGuessed(false);
                }}
                boxClassName="w-56"
                hint={formatGuessed ? "Could not tell from the extension: check it" : undefined}
              >
                {(Object.keys(FORMAT_LABELS) as ImportFormat[]).map((f) => (
                  <option key={f} value={f}>
                    {FORMAT_LABELS[f]}
                  </option>
                ))}
              </Select>
              {format === "csv" ? (
                <Select
                  label="Delimiter"
                  value={delimiter}
                  onChange={(e) => {
                    setDelimiter(e.target.value as Delimiter);
                    setTargets(null);
                  }}
                  boxClassName="w-48"
                >
                  <option value="">Detect{preview.data?.delimiter && !delimiter ? ` (${DELIMITER_LABELS[preview.data.delimiter] ?? preview.data.delimiter})` : ""}</option>
                  <option value=",">Comma</option>
                  <option value=";">Semicolon</option>
                  <option value={"\t"}>Tab</option>
                  <option value="|">Pipe</option>
                </Select>
              ) : null}
            </CardBody>
          </Card>

          {preview.isError ? (
            <div role="region" aria-label="Preview problems">
              <Alert tone="error" title="Could not preview the file">
                {preview.error.message}
              </Alert>
            </div>
          ) : !preview.data ? (
            <Card as="div">
              <div className="py-12 text-center">
                <Spinner label="Reading the first rows…" />
              </div>
            </Card>
          ) : (
            <>
              <MappingCard
                targets={shownTargets}
                preview={preview.data}
                errors={errors}
                onChange={updateTarget}
                refreshing={preview.isFetching}
              />
              <PreviewCard preview={preview.data} verdict={verdict!} stale={preview.isPlaceholderData || !mappingValid} truncated={file.file.size > PREVIEW_BYTES} />
              <Card aria-labelledby="import-options-title">
                <CardHeader titleId="import-options-title" title="Options" />
                <CardBody className="grid grid-cols-1 gap-4 md:grid-cols-2">
                  <Input
                    label="Tags for every item"
                    labelAside={<span className="text-xs text-zinc-500">optional</span>}
                    value={tagsText}
                    onChange={(e) => setTagsText(e.target.value)}
                    placeholder="test"
                    hint="Separate with commas, e.g. the split: test"
                    error={attempted ? tags.error : null}
                    className="font-mono"
                  />
                  <Input
                    label="Change message"
                    labelAside={<span className="text-xs text-zinc-500">optional</span>}
                    value={message}
                    onChange={(e) => setMessage(e.target.value)}
                    maxLength={500}
                    placeholder={`Imported ${file.file.name}`}
                    hint="Shown in the dataset's version history"
                  />
                  <fieldset className="flex flex-col gap-2 md:col-span-2">
                    <legend className="mb-1 text-[13px] font-medium text-zinc-800">What the import does with the dataset’s items</legend>
                    {IMPORT_MODE_CHOICES.map((choice) => (
                      <label key={choice.mode} className="flex items-start gap-2.5 text-[13px]">
                        <input type="radio" name="import-mode" value={choice.mode} checked={mode === choice.mode} onChange={() => setMode(choice.mode)} className="mt-0.5 size-4 shrink-0 accent-[var(--color-accent)]" />
                        <span className="flex flex-col gap-0.5 leading-tight">
                          <span className="font-medium text-zinc-800">{choice.label}</span>
                          <span className="text-xs text-zinc-500">{choice.description(itemCount)}</span>
                        </span>
                      </label>
                    ))}
                  </fieldset>
                  {mode === "upsert" ? (
                    <Select
                      label="Key"
                      value={key ?? ""}
                      onChange={(e) => setUpsertKey(e.target.value)}
                      hint="Rows match items whose value of this field is the same (compared as text)."
                      error={attempted && !key ? "Choose the key that matches rows to items" : null}
                    >
                      <option value="">Choose a key…</option>
                      {keyOptions.map((k) => (
                        <option key={k} value={k}>
                          {k === "id" ? "Item id (the id column)" : k}
                        </option>
                      ))}
                    </Select>
                  ) : null}
                  {mode !== "upsert" ? (
                    <Checkbox
                      className="md:col-span-2"
                      label={mode === "replace" ? "Keep repeated rows" : "Import rows that are already in the dataset"}
                      description={
                        mode === "replace"
                          ? "By default a row equal to an earlier row of the file is skipped."
                          : "By default a row whose input and expected output equal an existing item's is skipped, so importing the same file twice adds nothing."
                      }
                      checked={allowDuplicates}
                      onChange={(e) => setAllowDuplicates(e.target.checked)}
                    />
                  ) : null}
                </CardBody>
                <CardFooter className="justify-between">
                  <p id={blockedId} className="text-xs" data-testid="import-blocked-reason">
                    {importBlocked ? (
                      <span className={checking && mappingValid ? "text-zinc-500" : "font-medium text-red-700"}>{importBlocked}</span>
                    ) : (
                      <span className="text-zinc-500">The whole file ({formatBytes(file.file.size)}) is read on import, not only the preview.</span>
                    )}
                  </p>
                  <div className="flex items-center gap-2">
                    <Button onClick={startOver}>Cancel</Button>
                    <Button variant="primary" type="submit" icon={<UploadIcon size={14} />} disabled={!!importBlocked} aria-describedby={blockedId}>
                      Import
                    </Button>
                  </div>
                </CardFooter>
              </Card>
            </>
          )}
        </form>
      ) : null}

      {step === 2 && file ? <ProgressCard file={file.file} progress={progress} onCancel={() => xhr.current?.abort()} /> : null}

      {step === 3 && outcome ? (
        <OutcomeCard
          outcome={outcome}
          fileName={file?.file.name ?? ""}
          datasetHref={datasetHref}
          onBackToMapping={() => {
            setOutcome(null);
            setStep(1);
          }}
          onAnotherFile={startOver}
        />
      ) : null}
    </section>
  );
}

function StepList({ current }: { current: number }) {
  return (
    <ol aria-label="Import steps" className="flex flex-wrap items-center gap-1.5 text-xs">
      {STEPS.map((label, i) => (
        <li key={label} aria-current={i === current ? "step" : undefined} className="flex items-center gap-1.5">
          {i > 0 ? <span aria-hidden="true" className="h-px w-4 bg-zinc-300" /> : null}
          <span
            className={cn(
              "flex items-center gap-1.5 rounded-full px-2 py-0.5 ring-1 ring-inset",
              i === current ? "bg-accent-soft font-medium text-indigo-700 ring-indigo-200" : i < current ? "text-zinc-600 ring-zinc-200" : "text-zinc-500 ring-zinc-200",
            )}
          >
            <span className="font-mono">{i + 1}</span>
            {label}
            {i < current ? <span className="sr-only"> (done)</span> : null}
          </span>
        </li>
      ))}
    </ol>
  );
}

function MappingCard({
  targets,
  preview,
  errors,
  onChange,
  refreshing,
}: {
  targets: ColumnTarget[];
  preview: Preview;
  errors: Record<number, string>;
  onChange: (index: number, patch: Partial<ColumnTarget>) => void;
  refreshing: boolean;
}) {
  const first = preview.rows[0]?.values;
  const noun = preview.format === "csv" ? "column" : "key";
  return (
    <Card aria-labelledby="import-mapping-title">
      <CardHeader
        titleId="import-mapping-title"
        title="Columns"
        description={`Where each ${noun} of the file goes in an item. Input variables feed the prompt's {{variables}}; rename a key to match them.`}
        actions={refreshing ? <Spinner size={14} label="Updating the preview…" /> : null}
      />
      {targets.length === 0 ? (
        <CardBody>
          <p className="text-[13px] text-zinc-500">No {noun}s found in the first rows of the file. Check the format.</p>
        </CardBody>
      ) : (
        <Table caption={`Mapping of the file's ${noun}s to item fields`}>
          <THead>
            <TR>
              <TH className="w-48">{preview.format === "csv" ? "Column" : "Key"}</TH>
              <TH>First row</TH>
              <TH className="w-60">Goes to</TH>
              <TH className="w-64">Key in the item</TH>
            </TR>
          </THead>
          <TBody>
            {targets.map((t, i) => {
              const keyed = t.kind === "input-key" || t.kind === "metadata-key";
              return (
                <TR key={t.column} className={cn(t.kind === "ignore" && "bg-zinc-50/60")}>
                  <TD className="font-mono text-xs text-zinc-900">{t.column || <span className="text-zinc-500">(no name)</span>}</TD>
                  <TD className={cn("max-w-72 truncate font-mono text-xs", t.kind === "ignore" ? "text-zinc-500 line-through" : "text-zinc-600")} title={show(first?.[t.column], 2000)}>
                    {show(first?.[t.column], 80)}
                  </TD>
                  <TD>
                    <Select
                      label={`Target of ${noun} ${t.column}`}
                      hideLabel
                      value={t.kind}
                      onChange={(e) => {
                        const kind = e.target.value as TargetKind;
                        onChange(i, { kind, key: kind === "input-key" || kind === "metadata-key" ? t.key || t.column : t.key });
                      }}
                    >
                      {TARGET_KINDS.map((k) => (
                        <option key={k.value} value={k.value}>
                          {k.label}
                        </option>
                      ))}
                    </Select>
                  </TD>
                  <TD>
                    {keyed ? (
                      <div className="flex items-start gap-1.5">
                        <span className="pt-2 font-mono text-xs text-zinc-500" aria-hidden="true">
                          {t.kind === "input-key" ? "input." : "metadata."}
                        </span>
                        <Input
                          label={`${t.kind === "input-key" ? "Input" : "Metadata"} key for ${noun} ${t.column}`}
                          hideLabel
                          value={t.key}
                          onChange={(e) => onChange(i, { key: e.target.value })}
                          error={errors[i]}
                          className="font-mono text-xs"
                          wrapperClassName="min-w-0 flex-1"
                        />
                      </div>
                    ) : errors[i] ? (
                      <p className="text-xs text-red-700">{errors[i]}</p>
                    ) : (
                      <span className="text-xs text-zinc-500">{t.kind === "ignore" ? "not imported" : "—"}</span>
                    )}
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

function PreviewCard({ preview, verdict, stale, truncated }: { preview: Preview; verdict: PreviewVerdict; stale: boolean; truncated: boolean }) {
  const n = verdict.problems.length;
  return (
    <Card aria-labelledby="import-preview-title">
      <CardHeader
        titleId="import-preview-title"
        title="Preview"
        description={`The first ${preview.rows.length} ${preview.rows.length === 1 ? "row" : "rows"} as the mapping turns them into items${truncated ? ` (read from the first ${formatBytes(PREVIEW_BYTES)} of the file)` : ""}. Nothing is written yet.`}
        actions={n ? <Badge tone="danger">{n === 1 ? "1 problem" : `${n} problems`}</Badge> : preview.rows.length ? <Badge tone="success">No problems found</Badge> : null}
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

function ProgressCard({ file, progress, onCancel }: { file: File; progress: Progress; onCancel: () => void }) {
  const total = Math.max(file.size, 1);
  const uploadedPct = Math.min(100, Math.floor((progress.uploaded / total) * 100));
  const processedPct = Math.min(100, Math.floor((progress.processed / total) * 100));
  const uploading = progress.uploaded < file.size;
  return (
    <Card aria-labelledby="import-progress-title">
      <CardHeader titleId="import-progress-title" title={`Importing ${file.name}`} description="Rows are checked as they arrive; the new version is written when the whole file has been read." />
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
              {uploadedPct}% <span className="text-zinc-500">({formatBytes(progress.uploaded)} of {formatBytes(file.size)})</span>
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


function OutcomeCard({
  outcome,
  fileName,
  datasetHref,
  onBackToMapping,
  onAnotherFile,
}: {
  outcome: Outcome;
  fileName: string;
  datasetHref: string;
  onBackToMapping: () => void;
  onAnotherFile: () => void;
}) {
  if (outcome.kind === "done") {
    const { result } = outcome;
    const nothingNew = result.version === null;
    return (
      <Card aria-labelledby="import-result-title">
        <CardHeader titleId="import-result-title" title={nothingNew ? "Nothing new to import" : `Imported as version ${result.version}`} />
        <CardBody className="flex flex-col gap-4">
          <div role="region" aria-label="Import result">
            {nothingNew ? (
              <Alert tone="info" title="Every row is already in the dataset">
                {result.mode === "append"
                  ? `All ${formatCount(result.rows)} rows of ${fileName} equal existing items (${formatCount(result.duplicatesSkipped)} duplicates skipped), so no version was created and nothing changed.`
                  : `The ${formatCount(result.rows)} rows of ${fileName} match the dataset's items exactly, so no version was created and nothing changed.`}
              </Alert>
            ) : result.mode !== "append" ? (
              <Alert tone="success" title={`Version ${result.version} created`}>
                From {fileName}: {formatCount(result.added)} added
                {result.mode === "upsert" ? `, ${formatCount(result.updated)} updated` : `, ${formatCount(result.removed)} removed`}, {formatCount(result.unchanged)} unchanged.
              </Alert>
            ) : (
              <Alert tone="success" title={`Version ${result.version} created`}>
                {formatCount(result.added)} {result.added === 1 ? "item" : "items"} added from {fileName}
                {result.duplicatesSkipped ? `; ${formatCount(result.duplicatesSkipped)} ${result.duplicatesSkipped === 1 ? "row was" : "rows were"} already in the dataset and skipped` : ""}.
              </Alert>
            )}
          </div>
          <dl className="grid grid-cols-2 gap-x-6 gap-y-2 sm:grid-cols-5" aria-label="Import summary">
            <Stat label="Rows read">{formatCount(result.rows)}</Stat>
            <Stat label="Added">{formatCount(result.added)}</Stat>
            {result.mode === "upsert" ? <Stat label="Updated">{formatCount(result.updated)}</Stat> : null}
            {result.mode !== "append" ? <Stat label="Unchanged">{formatCount(result.unchanged)}</Stat> : null}
            {result.mode === "replace" ? <Stat label="Removed">{formatCount(result.removed)}</Stat> : null}
            {result.mode !== "upsert" ? <Stat label="Duplicates skipped">{formatCount(result.duplicatesSkipped)}</Stat> : null}
            <Stat label="File size">{formatBytes(result.bytes)}</Stat>
            <Stat label="SHA-256">
              <span title={result.sha256}>{result.sha256.slice(0, 12)}…</span>
            </Stat>
          </dl>
        </CardBody>
        <CardFooter className="justify-start">
          {result.version !== null ? (
            <ButtonLink variant="primary" href={`${datasetHref}?v=${result.version}`} icon={<DatabaseIcon size={14} />}>
              Browse version {result.version}
            </ButtonLink>
          ) : (
            <ButtonLink variant="primary" href={datasetHref} icon={<DatabaseIcon size={14} />}>
              Browse the dataset
            </ButtonLink>
          )}
          <ButtonLink href={`${datasetHref}/versions`}>All versions</ButtonLink>
          <Button variant="ghost" onClick={onAnotherFile}>
            Import another file
          </Button>
        </CardFooter>
      </Card>
    );
  }

  if (outcome.kind === "error") {
    return (
      <Card aria-labelledby="import-result-title">
        <CardHeader titleId="import-result-title" title="The import did not run" />
        <CardBody>
          <div role="region" aria-label="Import result">
            <Alert tone="error" title={outcome.status === 413 ? "The file is too large" : outcome.status === 403 ? "Not allowed" : "Nothing was imported"}>
              {outcome.message}
              {outcome.status === 401 ? (
                <>
                  {" "}
                  <Link href="/sign-in" className="font-medium underline">
                    Sign in again
                  </Link>
                </>
              ) : null}
            </Alert>
          </div>
        </CardBody>
        <CardFooter className="justify-start">
          <Button variant="primary" onClick={onBackToMapping}>
            Back to the mapping
          </Button>
          <Button onClick={onAnotherFile}>Choose another file</Button>
        </CardFooter>
      </Card>
    );
  }

  const { report } = outcome;
  return (
    <Card aria-labelledby="import-result-title">
      <CardHeader titleId="import-result-title" title="Nothing was imported" description={`${fileName}: ${formatCount(report.rowsRead)} rows read, ${formatCount(report.problemCount)} ${report.problemCount === 1 ? "problem" : "problems"} found. The dataset did not change.`} />
      <CardBody className="flex flex-col gap-3">
        <div role="region" aria-label="Import result">
          <Alert tone="error" title="The file has problems">
            {report.message}
          </Alert>
        </div>
        {report.problems.length ? (
          <div className="overflow-hidden rounded-md border border-zinc-200">
            <Table caption={`Problems found in ${fileName}`}>
              <THead>
                <TR>
                  <TH className="w-20">Row</TH>
                  <TH className="w-20">Line</TH>
                  <TH className="w-32">Field</TH>
                  <TH>Problem</TH>
                </TR>
              </THead>
              <TBody>
                {report.problems.map((p, i) => (
                  <TR key={i} className="align-top">
                    <TD className="font-mono text-xs">{p.row ?? "—"}</TD>
                    <TD className="font-mono text-xs">{p.line ?? "—"}</TD>
                    <TD className="font-mono text-xs">{p.field ?? "—"}</TD>
                    <TD className="text-xs text-red-800">{p.message}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          </div>
        ) : null}
        {report.problemCount > report.problems.length ? (
          <p className="text-xs text-zinc-500">
            Showing the first {formatCount(report.problems.length)} of {formatCount(report.problemCount)} problems.
          </p>
        ) : null}
      </CardBody>
      <CardFooter className="justify-start">
        <Button variant="primary" onClick={onBackToMapping}>
          Back to the mapping
        </Button>
        <Button onClick={onAnotherFile}>Choose another file</Button>
      </CardFooter>
    </Card>
  );
}
