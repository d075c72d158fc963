"use client";
// The import's options (tags for every item, change message, what happens to the dataset's
// items, the upsert key, duplicates) and the Import button with the reason it is disabled.
import { useId } from "react";
import type { UseFormReturn } from "react-hook-form";
import { formatBytes } from "@/components/lib/format";
import { Button, Card, CardBody, CardFooter, CardHeader, Checkbox, Input, Select } from "@/components/ui";
import { UploadIcon } from "@/components/ui/icons";
import { CHOOSE_KEY, IMPORT_MODE_CHOICES, type ImportFormValues } from "./import-form";
import type { ImportPreview } from "./use-import-preview";

type Props = {
  form: UseFormReturn<ImportFormValues>;
  check: ImportPreview;
  file: File;
  itemCount: number;
  onCancel: () => void;
};

export function OptionsCard({ form, check, file, itemCount, onCancel }: Props) {
  const {
    register,
    formState: { errors, isSubmitted },
  } = form;
  const { mode, key, keyOptions, importBlocked, checking, mappingValid } = check;
  const blockedId = useId();
  return (
    <Card aria-labelledby="import-options-title">
      <CardHeader titleId="import-options-title" title="Options" />
      <CardBody className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Input
          label="Tags for every item"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          {...register("tags")}
          placeholder="test"
          hint="Separate with commas, e.g. the split: test"
          error={errors.tags?.message}
          className="font-mono"
        />
        <Input
          label="Change message"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          {...register("message")}
          maxLength={500}
          placeholder={`Imported ${file.name}`}
          hint="Shown in the dataset's version history"
          error={errors.message?.message}
        />
        <fieldset className="flex flex-col gap-2 md:col-span-2">
          <legend className="mb-1 text-[13px] font-medium text-zinc-800">What the import does with the dataset’s items</legend>
          {IMPORT_MODE_CHOICES.map((choice) => (
            <label key={choice.mode} className="flex items-start gap-2.5 text-[13px]">
              <input type="radio" {...register("mode")} value={choice.mode} className="mt-0.5 size-4 shrink-0 accent-[var(--color-accent)]" />
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
            {...register("key")}
            // The chosen key stays while the mapping no longer offers it; the select shows none then.
            value={key ?? ""}
            hint="Rows match items whose value of this field is the same (compared as text)."
            error={errors.key?.message ?? (isSubmitted && !key ? CHOOSE_KEY : null)}
          >
            <option value="">Choose a key…</option>
            {keyOptions.map((k) => (
              <option key={k} value={k}>
                {k === "id" ? "Item id (the id column)" : k}
              </option>
            ))}
          </Select>
        ) : (
          <Checkbox
            className="md:col-span-2"
            label={mode === "replace" ? "Keep repeated rows" : "Import rows that are already in the dataset"}
            description={
              mode === "replace"
                ? "By default a row equal to an earlier row of the file is skipped."
                : "By default a row whose input and expected output equal an existing item's is skipped, so importing the same file twice adds nothing."
            }
            {...register("allowDuplicates")}
          />
        )}
      </CardBody>
      <CardFooter className="justify-between">
        <p id={blockedId} className="text-xs" data-testid="import-blocked-reason">
          {importBlocked ? (
            <span className={checking && mappingValid ? "text-zinc-500" : "font-medium text-red-700"}>{importBlocked}</span>
          ) : (
            <span className="text-zinc-500">The whole file ({formatBytes(file.size)}) is read on import, not only the preview.</span>
          )}
        </p>
        <div className="flex items-center gap-2">
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="primary" type="submit" icon={<UploadIcon size={14} />} disabled={!!importBlocked} aria-describedby={blockedId}>
            Import
          </Button>
        </div>
      </CardFooter>
    </Card>
  );
}
