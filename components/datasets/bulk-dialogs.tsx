"use client";
// Bulk changes to the selected items: add/remove tags (splits) and archive. Each is one new
// version of the dataset, with an optional change message.
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Dialog, Input, ConfirmDialog } from "@/components/ui";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { parseTagList } from "./model";
import { useInvalidateDataset } from "./item-dialog";

type Props = {
  orgSlug: string;
  projectSlug: string;
  name: string;
  itemIds: string[];
  onClose: () => void;
  onSaved: (version: number | null, count: number) => void;
};

export function TagItemsDialog({ orgSlug, projectSlug, name, itemIds, existingTags, onClose, onSaved }: Props & { existingTags: string[] }) {
  const trpc = useTRPC();
  const formId = useId();
  const listId = useId();
  const invalidate = useInvalidateDataset({ orgSlug, projectSlug, name });
  const [add, setAdd] = useState("");
  const [remove, setRemove] = useState("");
  const [message, setMessage] = useState("");
  const [errors, setErrors] = useState<{ add?: string; remove?: string; message?: string; form?: string }>({});
  const tag = useMutation(
    trpc.datasets.tagItems.mutationOptions({
      onSuccess: async (result) => {
        await invalidate();
        onSaved(result.version, result.changed ?? itemIds.length);
        onClose();
      },
      onError: (error) => {
        const info = errorInfo(error);
        const field = info.field?.split(".")[0];
        setErrors(field === "add" || field === "remove" || field === "message" ? { [field]: info.message } : { form: info.message });
        focusFirstInvalid(formId);
      },
    }),
  );
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const a = parseTagList(add);
    const r = parseTagList(remove);
    const next: typeof errors = {};
    if (a.error) next.add = a.error;
    if (r.error) next.remove = r.error;
    if (!a.error && !r.error && a.tags.length === 0 && r.tags.length === 0) next.add = "Name a tag to add or remove";
    setErrors(next);
    if (Object.keys(next).length) return focusFirstInvalid(formId);
    tag.mutate({ orgSlug, projectSlug, name, itemIds, add: a.tags, remove: r.tags, message: message.trim() });
  }
  const n = itemIds.length;
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Tag ${n} ${n === 1 ? "item" : "items"}`}
      description="Tags act as splits (train, test, regression…). The change makes a new version."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={tag.isPending}>
            Apply tags
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Tag items" className="flex flex-col gap-4">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Input
          label="Add tags"
          value={add}
          error={errors.add}
          onChange={(e) => setAdd(e.target.value)}
          list={listId}
          placeholder="test"
          hint="Separate tags with commas."
          autoComplete="off"
        />
        <Input
          label="Remove tags"
          value={remove}
          error={errors.remove}
          onChange={(e) => setRemove(e.target.value)}
          list={listId}
          placeholder="train"
          autoComplete="off"
        />
        <datalist id={listId}>
          {existingTags.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <Input
          label="Change message"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          value={message}
          error={errors.message}
          onChange={(e) => setMessage(e.target.value)}
          maxLength={500}
        />
      </form>
    </Dialog>
  );
}

export function ArchiveItemsDialog({ orgSlug, projectSlug, name, itemIds, onClose, onSaved }: Props) {
  const trpc = useTRPC();
  const invalidate = useInvalidateDataset({ orgSlug, projectSlug, name });
  const [message, setMessage] = useState("");
  const archive = useMutation(
    trpc.datasets.archiveItems.mutationOptions({
      onSuccess: async (result) => {
        await invalidate();
        onSaved(result.version, result.archived);
        onClose();
      },
    }),
  );
  const n = itemIds.length;
  return (
    <ConfirmDialog
      open
      onClose={onClose}
      title={`Archive ${n} ${n === 1 ? "item" : "items"}?`}
      confirmLabel="Archive"
      mutation={archive}
      onConfirm={() => archive.mutate({ orgSlug, projectSlug, name, itemIds, message: message.trim() })}
    >
      <p>They leave the new version of the dataset. Earlier versions keep them, so evaluations that used them stay reproducible.</p>
      <Input
        label="Change message"
        labelAside={<span className="text-xs text-zinc-500">optional</span>}
        value={message}
        onChange={(e) => setMessage(e.target.value)}
        maxLength={500}
      />
    </ConfirmDialog>
  );
}
