"use client";
// Bulk edits of the items' input fields: add a field with a default value, rename or drop a field
// on every item of the latest version, or set/remove a field on the selected items. Each dialog
// previews how many items the change touches before it makes the new version.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Checkbox, Dialog, Input, Select } from "@/components/ui";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import type { BulkEditResult } from "@/server/contracts/datasets";
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

const TITLES: Record<FieldEditKind, string> = { add: "Add a field", rename: "Rename a field", drop: "Drop a field", set: "Set a field on the selected items", remove: "Remove a field from the selected items" };
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

export function FieldEditDialog({ orgSlug, projectSlug, name, kind, selection, onClose, onSaved }: Props) {
  const trpc = useTRPC();
  const formId = useId();
  const listId = useId();
  const invalidate = useInvalidateDataset({ orgSlug, projectSlug, name });
  const fieldsQuery = useQuery(trpc.datasets.fields.queryOptions({ orgSlug, projectSlug, name }));
  const [field, setField] = useState("");
  const [to, setTo] = useState("");
  const [value, setValue] = useState("");
  const [asJson, setAsJson] = useState(false);
  const [message, setMessage] = useState("");
  const [errors, setErrors] = useState<{ field?: string; to?: string; value?: string; form?: string }>({});

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
      preview = { changes: total - has, text: has ? `${items(total - has)} get “${f}”; ${items(has)} already have it and keep their value.` : `All ${items(total)} get “${f}”.` };
    } else if (kind === "rename") {
      const has = countOf(f);
      const t = to.trim();
      const clash = t ? countOf(t) : 0;
      preview = {
        changes: has,
        text: t ? `“${f}” becomes “${t}” on ${items(has)}.` : `${items(has)} have “${f}”.`,
        blocked: t === f ? "The new name is the same as the old one." : clash ? `${items(clash)} already ${clash === 1 ? "has" : "have"} a field “${t}”: drop or rename it first.` : undefined,
      };
    } else if (kind === "drop") {
      const has = countOf(f);
      preview = { changes: has, text: `“${f}” is removed from ${items(has)}.`, blocked: has === 0 ? `No item has a field “${f}”.` : undefined };
    } else if (kind === "set") {
      const same = "value" in parsed ? selected.filter((i) => Object.hasOwn(i.input, f) && JSON.stringify(i.input[f]) === JSON.stringify(parsed.value)).length : 0;
      preview = { changes: selected.length - same, text: `${(selected.length - same).toLocaleString("en-US")} of ${items(selected.length)} selected change${same ? `; ${same} already ${same === 1 ? "has" : "have"} this value` : ""}.` };
    } else {
      const has = selected.filter((i) => Object.hasOwn(i.input, f)).length;
      preview = { changes: has, text: `“${f}” is removed from ${items(has)} of ${items(selected.length)} selected.`, blocked: has === 0 ? `None of the selected items has a field “${f}”.` : undefined };
    }
  }

  const edit = useMutation(
    trpc.datasets.bulkEdit.mutationOptions({
      onSuccess: async (result) => {
        await invalidate();
        onSaved(result, summarize(kind, f, to.trim(), result));
        onClose();
      },
      onError: (error) => {
        const info = errorInfo(error);
        const key = info.field?.split(".").at(-1);
        setErrors(key === "to" && kind === "rename" ? { to: info.message } : key === "field" || key === "from" ? { field: info.message } : { form: info.message });
        focusFirstInvalid(formId);
      },
    }),
  );

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next: typeof errors = {};
    if (!f) next.field = kind === "add" || kind === "set" ? "Name the field" : "Choose a field";
    if (kind === "rename" && !to.trim()) next.to = "Name the new field";
    if ((kind === "add" || kind === "set") && "error" in parsed) next.value = `Value ${parsed.error}`;
    setErrors(next);
    if (Object.keys(next).length) return focusFirstInvalid(formId);
    const v = "value" in parsed ? parsed.value : "";
    const operation =
      kind === "add" || kind === "set"
        ? { op: "addField" as const, field: f, value: v, overwrite: kind === "set" }
        : kind === "rename"
          ? { op: "renameField" as const, from: f, to: to.trim() }
          : { op: "dropField" as const, field: f };
    edit.mutate({ orgSlug, projectSlug, name, operation, itemIds: selection ? selected.map((i) => i.itemId) : undefined, message: message.trim() });
  }

  const chooseExisting = kind === "rename" || kind === "drop" || kind === "remove";
  const options = kind === "remove" ? [...new Set(selected.flatMap((i) => Object.keys(i.input)))].map((n) => ({ name: n, count: selected.filter((i) => Object.hasOwn(i.input, n)).length })) : fields;
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
          <Button variant={kind === "drop" || kind === "remove" ? "danger" : "primary"} type="submit" form={formId} loading={edit.isPending} disabled={!!blocked || preview?.changes === 0}>
            {kind === "add" ? "Add field" : kind === "rename" ? "Rename field" : kind === "drop" ? "Drop field" : kind === "set" ? "Set field" : "Remove field"}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label={TITLES[kind]} className="flex flex-col gap-4">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        {fieldsQuery.isError ? <Alert tone="error">Could not load the dataset’s fields: {errorInfo(fieldsQuery.error).message}</Alert> : null}
        {chooseExisting ? (
          <Select label={kind === "rename" ? "Field to rename" : "Field"} value={field} error={errors.field} onChange={(e) => setField(e.target.value)}>
            <option value="">Choose a field…</option>
            {options.map((o) => (
              <option key={o.name} value={o.name}>
                {o.name} ({items(o.count)})
              </option>
            ))}
          </Select>
        ) : (
          <>
            <Input label="Field name" value={field} error={errors.field} onChange={(e) => setField(e.target.value)} list={listId} placeholder="tone" autoComplete="off" maxLength={200} hint="The key in each item's input; a prompt variable {{tone}} reads the field “tone”." />
            <datalist id={listId}>
              {fields.map((o) => (
                <option key={o.name} value={o.name} />
              ))}
            </datalist>
          </>
        )}
        {kind === "rename" ? <Input label="New name" value={to} error={errors.to} onChange={(e) => setTo(e.target.value)} autoComplete="off" maxLength={200} /> : null}
        {kind === "add" || kind === "set" ? (
          <div className="flex flex-col gap-2">
            <Input label={kind === "add" ? "Default value" : "Value"} value={value} error={errors.value} onChange={(e) => setValue(e.target.value)} placeholder={asJson ? '["a", "b"] or 3 or true' : "friendly"} autoComplete="off" />
            <Checkbox label="Value is JSON" description="Numbers, true/false, lists or objects instead of text." checked={asJson} onChange={(e) => setAsJson(e.target.checked)} />
          </div>
        ) : null}
        <Input label="Change message" labelAside={<span className="text-xs text-zinc-500">optional</span>} value={message} onChange={(e) => setMessage(e.target.value)} maxLength={500} />
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
  if (kind === "add") return `Added “${field}” to ${items(r.changed)}${at}${r.unchanged ? ` (${items(r.unchanged)} already had it and kept their value)` : ""}.`;
  if (kind === "rename") return `Renamed “${field}” to “${to}” on ${items(r.changed)}${at}.`;
  if (kind === "drop") return `Dropped “${field}” from ${items(r.changed)}${at}.`;
  if (kind === "set") return `Set “${field}” on ${items(r.changed)}${at}.`;
  return `Removed “${field}” from ${items(r.changed)}${at}.`;
}
