"use client";
// Bulk changes to the selected items: add/remove tags (splits) and archive. Each is one new
// version of the dataset, with an optional change message.
import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";
import { z } from "zod";
import { text } from "@/server/contracts/fields";
import { useTRPC } from "@/components/trpc/client";
import { Button, Dialog, FormProblem, Input, ConfirmDialog } from "@/components/ui";
import { useZodForm, type FieldPlacement } from "@/components/lib/form-errors";
import { parseTagList } from "./model";
import { useInvalidateDataset } from "./item-dialog";

/** A comma-separated tag list as the tags it names, or its problem. */
const tagList = z.string().transform((text, ctx) => {
  const parsed = parseTagList(text);
  if (parsed.error) ctx.addIssue({ code: "custom", message: parsed.error });
  return parsed.tags;
});

const tagItemsForm = z
  .object({ add: tagList, remove: tagList, message: z.string().trim().pipe(text(500)) })
  .refine((v) => v.add.length > 0 || v.remove.length > 0, { path: ["add"], message: "Name a tag to add or remove" });
type TagItemsValues = z.input<typeof tagItemsForm>;

const TAG_ITEMS_LABELS = { add: "Add tags", remove: "Remove tags", message: "Change message" } as const;
const TAG_ITEMS_PLACEMENT: FieldPlacement<TagItemsValues> = {
  labels: TAG_ITEMS_LABELS,
  fieldOf: (path) => {
    const first = path.split(".")[0] ?? "";
    return first in TAG_ITEMS_LABELS ? (first as keyof typeof TAG_ITEMS_LABELS) : null;
  },
};

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
  const tag = useMutation(trpc.datasets.tagItems.mutationOptions());
  const { form, onSubmit } = useZodForm({
    schema: tagItemsForm,
    placement: TAG_ITEMS_PLACEMENT,
    defaultValues: { add: "", remove: "", message: "" },
    formId,
    save: async (input) => {
      const result = await tag.mutateAsync({ orgSlug, projectSlug, name, itemIds, ...input });
      await invalidate();
      onSaved(result.version, result.changed ?? itemIds.length);
      onClose();
    },
  });
  const {
    register,
    formState: { errors, isSubmitting },
  } = form;
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
          <Button variant="primary" type="submit" form={formId} loading={isSubmitting}>
            Apply tags
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Tag items" className="flex flex-col gap-4">
        <FormProblem message={errors.root?.message} />
        <Input
          label="Add tags"
          {...register("add")}
          error={errors.add?.message}
          list={listId}
          placeholder="test"
          hint="Separate tags with commas."
          autoComplete="off"
        />
        <Input label="Remove tags" {...register("remove")} error={errors.remove?.message} list={listId} placeholder="train" autoComplete="off" />
        <datalist id={listId}>
          {existingTags.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <Input
          label="Change message"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          {...register("message")}
          error={errors.message?.message}
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
