"use client";
// Step 2: the file's format and delimiter, the column mapping, the preview of the first rows as
// items and the options, in one form; Import starts when the preview found nothing to fix.
import { useId, type FormEvent } from "react";
import type { UseFormReturn } from "react-hook-form";
import { PREVIEW_BYTES, type ImportFormat } from "@/server/contracts/datasets";
import { focusFirstInvalid } from "@/components/lib/errors";
import { formatBytes } from "@/components/lib/format";
import { Alert, Button, Card, CardBody, CardHeader, Select, Spinner } from "@/components/ui";
import { FileTextIcon } from "@/components/ui/icons";
import type { ImportFormValues } from "./import-form";
import { MappingCard } from "./mapping-card";
import { DELIMITER_LABELS, FORMAT_LABELS, withKind } from "./mapping";
import { OptionsCard } from "./options-card";
import { PreviewCard } from "./preview-card";
import type { ImportPreview } from "./use-import-preview";
import type { ChosenFile } from "./use-import-steps";

type Props = {
  form: UseFormReturn<ImportFormValues>;
  check: ImportPreview;
  source: ChosenFile;
  notice: string | null;
  itemCount: number;
  onFormatChanged: () => void;
  onStartOver: () => void;
  onImport: (values: ImportFormValues) => void;
};

export function MappingStep({ form, check, source, notice, itemCount, onFormatChanged, onStartOver, onImport }: Props) {
  const { register, setValue } = form;
  const { preview, format, delimiter, targets } = check;
  const formId = useId();
  const file = source.file;

  const onSubmit = (e: FormEvent) => form.handleSubmit(onImport, () => focusFirstInvalid(formId))(e);
  // The first change to a target turns the suggested mapping into the user's.
  const editTarget = (index: number, edit: (t: (typeof targets)[number]) => (typeof targets)[number]) =>
    setValue(
      "targets",
      targets.map((t, i) => (i === index ? edit(t) : t)),
    );

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Import settings" className="flex flex-col gap-4">
      {notice ? <Alert tone="info">{notice}</Alert> : null}
      <Card aria-labelledby="import-source-title">
        <CardHeader
          titleId="import-source-title"
          title="File"
          actions={
            <Button size="sm" onClick={onStartOver}>
              Choose another file
            </Button>
          }
        />
        <CardBody className="flex flex-wrap items-end gap-x-6 gap-y-3">
          <div className="flex min-w-0 items-center gap-2.5 pb-1">
            <FileTextIcon size={18} className="shrink-0 text-zinc-500" />
            <div className="min-w-0">
              <p className="truncate font-mono text-[13px] text-zinc-900" data-testid="import-file-name">
                {file.name}
              </p>
              <p className="text-xs text-zinc-500">{formatBytes(file.size)}</p>
            </div>
          </div>
          <Select
            label="Format"
            {...register("format", {
              onChange: () => {
                setValue("targets", null);
                onFormatChanged();
              },
            })}
            boxClassName="w-56"
            hint={source.formatGuessed ? "Could not tell from the extension: check it" : undefined}
            error={form.formState.errors.format?.message}
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
              {...register("delimiter", { onChange: () => setValue("targets", null) })}
              boxClassName="w-48"
              error={form.formState.errors.delimiter?.message}
            >
              <option value="">
                Detect{preview.data?.delimiter && !delimiter ? ` (${DELIMITER_LABELS[preview.data.delimiter] ?? preview.data.delimiter})` : ""}
              </option>
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
            targets={targets}
            preview={preview.data}
            errors={check.errors}
            onKind={(i, kind) => editTarget(i, (t) => withKind(t, kind))}
            onKey={(i, key) => editTarget(i, (t) => ({ ...t, key }))}
            refreshing={preview.isFetching}
          />
          <PreviewCard
            preview={preview.data}
            verdict={check.verdict!}
            stale={preview.isPlaceholderData || !check.mappingValid}
            truncated={file.size > PREVIEW_BYTES}
          />
          <OptionsCard form={form} check={check} file={file} itemCount={itemCount} onCancel={onStartOver} />
        </>
      )}
    </form>
  );
}
