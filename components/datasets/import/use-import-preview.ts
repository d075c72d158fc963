// The preview of the chosen file under the form's format, delimiter and mapping, and what the
// mapping step derives from it: the targets shown, their problems, the keys an upsert can use,
// one verdict (preview-check.ts) and why Import cannot start yet. The wizard holds it, so the
// preview stays cached while the import runs and is there again on "Back to the mapping".
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useWatch, type Control } from "react-hook-form";
import { parseTags, type ImportFormValues } from "./import-form";
import { mappingErrors, shownTargets, toMapping, upsertKeyOptions } from "./mapping";
import { checkPreview } from "./preview-check";
import { fetchPreview } from "./upload-reader";
import type { ChosenFile } from "./use-import-steps";

export function useImportPreview(base: string, source: ChosenFile | null, control: Control<ImportFormValues>) {
  const [format, delimiter, targets, mode, upsertKey, tagsText] = useWatch({ control, name: ["format", "delimiter", "targets", "mode", "key", "tags"] });

  // The preview is asked with the suggested mapping until the user changes a target.
  const editedValid = !targets || Object.keys(mappingErrors(targets)).length === 0;
  const edited = targets && editedValid ? toMapping(targets) : null;
  const preview = useQuery({
    queryKey: ["datasets", "import-preview", base, source?.key, format, delimiter, edited ? JSON.stringify(edited) : null],
    enabled: !!source && editedValid,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    retry: false,
    queryFn: ({ signal }) => fetchPreview(base, { file: source!.file, format, delimiter, mapping: edited }, signal),
  });

  const shown = shownTargets(targets, preview.data?.suggestedMapping);
  const mapping = toMapping(shown);
  const errors = mappingErrors(shown);
  const mappingValid = Object.keys(errors).length === 0;
  const tags = parseTags(tagsText);
  const keyOptions = upsertKeyOptions(preview.data?.columns ?? [], mapping);
  const key = mode === "upsert" && keyOptions.includes(upsertKey) ? upsertKey : null;
  // One verdict for the badge, the problem list and the Import button.
  const verdict = preview.data ? checkPreview(preview.data, { mode, key }) : null;
  const checking = !preview.data || preview.isFetching || preview.isPlaceholderData;
  const importBlocked = !mappingValid
    ? "Fix the mapping above first."
    : checking
      ? "Checking the preview…"
      : (verdict?.blocking ?? (tags.error ? `Tags: ${tags.error}` : null));

  return { preview, format, delimiter, mode, targets: shown, mapping, errors, mappingValid, keyOptions, key, verdict, checking, importBlocked };
}

export type ImportPreview = ReturnType<typeof useImportPreview>;
