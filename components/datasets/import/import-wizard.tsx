"use client";
// Importing a file into a dataset, in four steps: choose a file (or drop it), map its columns to
// item fields while the server previews how the first rows turn into items, import it with
// progress (upload and rows read), and the outcome: the new version, "nothing new", or the
// validation report (nothing was written) with a way back to the mapping.
// The steps are a reducer (use-import-steps.ts), the upload has no React in it
// (upload-reader.ts), and the mapping step's form is one react-hook-form (import-form.ts) that
// lives here, so "Back to the mapping" finds it as it was.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { applyServerErrors } from "@/components/lib/form-errors";
import { formatCount } from "@/components/lib/format";
import { useTRPC } from "@/components/trpc/client";
import { Alert } from "@/components/ui";
import { FileStep } from "./file-step";
import { LABELS, defaultImportValues, formFieldOf, importFormSchema, importParams, valuesForFile, type ImportFormValues } from "./import-form";
import { MappingStep } from "./mapping-step";
import { ProgressStep } from "./progress-step";
import { ResultStep } from "./result-step";
import { StepList } from "./step-list";
import { HttpError } from "./upload-reader";
import { STEPS, useImportSteps } from "./use-import-steps";
import { useImportPreview } from "./use-import-preview";

type Props = {
  orgSlug: string;
  projectSlug: string;
  datasetName: string;
  latestVersion: number;
  itemCount: number;
  archived: boolean;
};

export function ImportWizard({ orgSlug, projectSlug, datasetName, latestVersion, itemCount, archived }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const base = `/api/datasets/${encodeURIComponent(orgSlug)}/${encodeURIComponent(projectSlug)}/${encodeURIComponent(datasetName)}`;
  const datasetHref = `/o/${orgSlug}/p/${projectSlug}/datasets/${encodeURIComponent(datasetName)}`;

  const steps = useImportSteps();
  const { step, source, progress, outcome, notice, refusedField } = steps.state;
  const form = useForm<ImportFormValues>({ resolver: zodResolver(importFormSchema), defaultValues: defaultImportValues, mode: "onChange" });
  const check = useImportPreview(base, source, form.control);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  const { setFocus } = form;

  // Each step starts with its heading focused, so keyboard and screen reader users follow along;
  // back at the mapping because the server refused a field, that field is focused instead.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    if (step === 1 && refusedField) setFocus(refusedField as keyof ImportFormValues);
    else headingRef.current?.focus();
  }, [step, refusedField, setFocus]);

  function chooseFile(file: File) {
    form.reset(valuesForFile(form.getValues(), file.name));
    steps.chooseFile(file);
  }

  function startImport(values: ImportFormValues) {
    if (!source || !check.preview.data || check.importBlocked) return;
    const params = importParams(values, { fileName: source.file.name, mapping: check.mapping, key: check.key });
    steps.start(`${base}/import?${params}`, source.file, {
      onDone: (result) => {
        if (result.version !== null) void queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() });
      },
      // A refusal that names one of the form's fields goes back to the mapping, on that field.
      takeError: ({ status, message, field }) => {
        const formField = field ? formFieldOf(field) : null;
        if (!formField) return null;
        return applyServerErrors(form, new HttpError(status ?? 0, message, field), { fieldOf: formFieldOf, labels: LABELS, focus: false }) === null
          ? formField
          : null;
      },
    });
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

  const stepTitle =
    step === 0 ? "Choose a file" : step === 1 ? "Map columns and check the preview" : step === 2 ? `Importing ${source?.file.name ?? ""}` : "Result";

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

      {step === 0 ? <FileStep onFile={chooseFile} /> : null}

      {step === 1 && source ? (
        <MappingStep
          form={form}
          check={check}
          source={source}
          notice={notice}
          itemCount={itemCount}
          onFormatChanged={steps.formatChanged}
          onStartOver={steps.startOver}
          onImport={startImport}
        />
      ) : null}

      {step === 2 && source ? <ProgressStep file={source.file} progress={progress} onCancel={steps.cancel} /> : null}

      {step === 3 && outcome ? (
        <ResultStep
          outcome={outcome}
          fileName={source?.file.name ?? ""}
          datasetHref={datasetHref}
          onBackToMapping={steps.backToMapping}
          onAnotherFile={steps.startOver}
        />
      ) : null}
    </section>
  );
}
