"use client";
// Bulk edits of the items' input fields: add a field with a default value, rename or drop a field
// on every item of the latest version, or set/remove a field on the selected items. Each dialog
// previews how many items the change touches before it makes the new version.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState, type FormEvent } from "react";
import { useForm, useWatch } from "react-hook-form";
import { z } from "zod";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Checkbox, Dialog, FormProblem, Input, Select } from "@/components/ui";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { changeMessage, itemFieldName, type BulkEditResult } from "@/server/contracts/datasets";
import { useInvalidateDataset } from "./item-dialog";

export type FieldEditKind = "add" | "rename" | "drop" | "set" | "remove";

type Props = {
  orgSlug: string;
  projectSlug: string;
  name: string;
  kind: FieldEditKind;
  /** set/remove: the selected items as listed on the page. */
  selection?: { itemId: string; input: Record<string, unknown> }[];
  onClose: () => void;
  onSaved: (result: BulkEditResult, summary: string) => void;
};

const TITLES: Record<FieldEditKind, string> = {
  add: "Add a field",
  rename: "Rename a field",
  drop: "Drop a field",
  set: "Set a field on the selected items",
  remove: "Remove a field from the selected items",
};
const items = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "item" : "items"}`;

/** The default value as typed: text, or JSON when asked. */
function parseValue(raw: string, asJson: boolean): { value: unknown } | { error: string } {
  if (!asJson) return { value: raw };
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return { error: "is not valid JSON (for text, untick “Value is JSON”)" };
  }
}

type Field = "field" | "to" | "value" | "message";
const labelsOf = (kind: FieldEditKind): Record<Field, string> => ({
  field: kind === "rename" ? "Field to rename" : kind === "drop" || kind === "remove" ? "Field" : "Field name",
  to: "New name",
  value: kind === "add" ? "Default value" : "Value",
  message: "Change message",
});

/** The operation's fields (bulkFieldOperation) as the dialog of this kind holds them. */
function fieldEditSchema(kind: FieldEditKind) {
  const named = kind === "add" || kind === "set";
  return z
    .object({
      field: z
        .string()
        .trim()
        .min(1, named ? "Name the field" : "Choose a field")
        .pipe(itemFieldName),
      to: kind === "rename" ? z.string().trim().min(1, "Name the new field").pipe(itemFieldName) : z.string(),
      value: z.string(),
      asJson: z.boolean(),
      message: changeMessage,
    })
    .superRefine((v, ctx) => {
      const parsed = parseValue(v.value, v.asJson);
      if (named && "error" in parsed) ctx.addIssue({ code: "custom", path: ["value"], message: parsed.error });
    });
}

export function FieldEditDialog({ orgSlug, projectSlug, name, kind, selection, onClose, onSaved }: Props) {
  const trpc = useTRPC();
  const formId = useId();
  const listId = useId();
  const invalidate = useInvalidateDataset({ orgSlug, projectSlug, name });
  const fieldsQuery = useQuery(trpc.datasets.fields.queryOptions({ orgSlug, projectSlug, name }));
  const labels = useMemo(() => labelsOf(kind), [kind]);
  const resolver = useMemo(() => placedZodResolver(fieldEditSchema(kind), { labels }), [kind, labels]);
  const form = useForm({ resolver, defaultValues: { field: "", to: "", value: "", asJson: false, message: "" } });
  const {
    register,
    formState: { errors },
  } = form;
  const [field, to, value, asJson] = useWatch({ control: form.control, name: ["field", "to", "value", "asJson"] });
  const [formError, setFormError] = useState<string | null>(null);

  const fields = fieldsQuery.data?.fields ?? [];
  const total = fieldsQuery.data?.total ?? 0;
  const countOf = (f: string) => fields.find((x) => x.name === f.trim())?.count ?? 0;
  const selected = selection ?? [];
  const parsed = parseValue(value, asJson);

  // What the change would do, from the field counts (all items) or the selected rows.
  let preview: { text: string; changes: number; blocked?: string } | null = null;
  const f = field.trim();
  if (f) {
    if (kind === "add") {
      const has = countOf(f);
      preview = {
        changes: total - has,
        text: has ? `${items(total - has)} get “${f}”; ${items(has)} already have it and keep their value.` : `All ${items(total)} get “${f}”.`,
      };
    } else if (kind === "rename") {
      const has = countOf(f);
      const t = to.trim();
      const clash = t ? countOf(t) : 0;
      preview = {
        changes: has,
        text: t ? `“${f}” becomes “${t}” on ${items(has)}.` : `${items(has)} have “${f}”.`,
        blocked:
          t === f
            ? "The new name is the same as the old one."
            : clash
              ? `${items(clash)} already ${clash === 1 ? "has" : "have"} a field “${t}”: drop or rename it first.`
              : undefined,
      };
    } else if (kind === "drop") {
      const has = countOf(f);
      preview = { changes: has, text: `“${f}” is removed from ${items(has)}.`, blocked: has === 0 ? `No item has a field “${f}”.` : undefined };
    } else if (kind === "set") {
      const same =
        "value" in parsed ? selected.filter((i) => Object.hasOwn(i.input, f) && JSON.stringify(i.input[f]) === JSON.stringify(parsed.value)).length : 0;
      preview = {
        changes: selected.length - same,
        text: `${(selected.length - same).toLocaleString("en-US")} of ${items(selected.length)} selected change${same ? `; ${same} already ${same === 1 ? "has" : "have"} this value` : ""}.`,
      };
    } else {
      const has = selected.filter((i) => Object.hasOwn(i.input, f)).length;
      preview = {
        changes: has,
        text: `“${f}” is removed from ${items(has)} of ${items(selected.length)} selected.`,
        blocked: has === 0 ? `None of the selected items has a field “${f}”.` : undefined,
      };
    }
  }

  // Server paths: operation.field / operation.from / operation.to / operation.value, message.
  const fieldOf = (path: string): Field | null => {
    const key = path.split(".").at(-1);
    if (key === "to") return kind === "rename" ? "to" : null;
    if (key === "field" || key === "from") return "field";
    if (key === "value") return kind === "add" || kind === "set" ? "value" : null;
    return key === "message" ? "message" : null;
  };
  const edit = useMutation(
    trpc.datasets.bulkEdit.mutationOptions({
      onSuccess: async (result, input) => {
        await invalidate();
        const op = input.operation;
        onSaved(result, summarize(kind, op.op === "renameField" ? op.from : op.field, op.op === "renameField" ? op.to : "", result));
        onClose();
      },
      onError: (error) => setFormError(applyServerErrors(form, error, { fieldOf, labels })),
    }),
  );

  const onValid = (v: z.output<ReturnType<typeof fieldEditSchema>>) => {
    const parsedValue = parseValue(v.value, v.asJson);
    const operation =
      kind === "add" || kind === "set"
        ? { op: "addField" as const, field: v.field, value: "value" in parsedValue ? parsedValue.value : "", overwrite: kind === "set" }
        : kind === "rename"
          ? { op: "renameField" as const, from: v.field, to: v.to }
          : { op: "dropField" as const, field: v.field };
    edit.mutate({ orgSlug, projectSlug, name, operation, itemIds: selection ? selected.map((i) => i.itemId) : undefined, message: v.message });
  };
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(onValid, () => focusFirstInvalid(formId))(e);
  };

  const chooseExisting = kind === "rename" || kind === "drop" || kind === "remove";
  const options =
    kind === "remove"
      ? [...new Set(selected.flatMap((i) => Object.keys(i.input)))].map((n) => ({ name: n, count: selected.filter((i) => Object.hasOwn(i.input, n)).length }))
      : fields;
  const blocked = preview?.blocked;
  return (
    <Dialog
      open
      onClose={onClose}
      title={TITLES[kind]}
      description={
        selection
          ? `${items(selected.length)} selected. The change makes a new version; earlier versions keep the items as they were.`
          : "Applies to every item of the latest version and makes a new version; earlier versions keep the items as they were."
      }
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant={kind === "drop" || kind === "remove" ? "danger" : "primary"}
            type="submit"
            form={formId}
            loading={edit.isPending}
            disabled={!!blocked || preview?.changes === 0}
          >
            {kind === "add" ? "Add field" : kind === "rename" ? "Rename field" : kind === "drop" ? "Drop field" : kind === "set" ? "Set field" : "Remove field"}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label={TITLES[kind]} className="flex flex-col gap-4">
        <FormProblem message={formError} />
        {fieldsQuery.isError ? <Alert tone="error">Could not load the dataset’s fields: {errorInfo(fieldsQuery.error).message}</Alert> : null}
        {chooseExisting ? (
          <Select label={labels.field} {...register("field")} value={field} error={errors.field?.message}>
            <option value="">Choose a field…</option>
            {options.map((o) => (
              <option key={o.name} value={o.name}>
                {o.name} ({items(o.count)})
              </option>
            ))}
          </Select>
        ) : (
          <>
            <Input
              label={labels.field}
              {...register("field")}
              error={errors.field?.message}
              list={listId}
              placeholder="tone"
              autoComplete="off"
              maxLength={200}
              hint="The key in each item's input; a prompt variable {{tone}} reads the field “tone”."
            />
            <datalist id={listId}>
              {fields.map((o) => (
                <option key={o.name} value={o.name} />
              ))}
            </datalist>
          </>
        )}
        {kind === "rename" ? <Input label={labels.to} {...register("to")} error={errors.to?.message} autoComplete="off" maxLength={200} /> : null}
        {kind === "add" || kind === "set" ? (
          <div className="flex flex-col gap-2">
            <Input
              label={labels.value}
              {...register("value")}
              error={errors.value?.message}
              placeholder={asJson ? '["a", "b"] or 3 or true' : "friendly"}
              autoComplete="off"
            />
            <Checkbox
              label="Value is JSON"
              description="Numbers, true/false, lists or objects instead of text."
              {...register("asJson", { onChange: () => form.formState.isSubmitted && void form.trigger("value") })}
            />
          </div>
        ) : null}
        <Input
          label={labels.message}
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          {...register("message")}
          error={errors.message?.message}
          maxLength={500}
        />
        <div role="status" aria-live="polite" className="min-h-5 text-[13px]">
          {fieldsQuery.isPending && !selection ? (
            <span className="text-zinc-500">Counting the items…</span>
          ) : blocked ? (
            <span className="font-medium text-red-700">{blocked}</span>
          ) : preview ? (
            <span className="text-zinc-700">
              <span className="font-medium">Preview:</span> {preview.text}
              {preview.changes === 0 ? " Nothing would change." : null}
            </span>
          ) : null}
        </div>
      </form>
    </Dialog>
  );
}

function summarize(kind: FieldEditKind, field: string, to: string, r: BulkEditResult): string {
  if (r.version === null) return `Nothing changed: ${kind === "add" ? `every item already has “${field}”` : "the items already looked like that"}.`;
  const at = ` in version ${r.version}`;
  if (kind === "add")
    return `Added “${field}” to ${items(r.changed)}${at}${r.unchanged ? ` (${items(r.unchanged)} already had it and kept their value)` : ""}.`;
  if (kind === "rename") return `Renamed “${field}” to “${to}” on ${items(r.changed)}${at}.`;
  if (kind === "drop") return `Dropped “${field}” from ${items(r.changed)}${at}.`;
  if (kind === "set") return `Set “${field}” on ${items(r.changed)}${at}.`;
  return `Removed “${field}” from ${items(r.changed)}${at}.`;
}
