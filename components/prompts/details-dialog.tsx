"use client";
// Editing a prompt's description and tags (they belong to the prompt, not to a version). A
// react-hook-form form: the description is checked with the contract's text field, the tags as the
// server checks them; a server error naming `description` or `tags` is shown on that field.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { text } from "@/server/contracts/fields";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Dialog, Input, Textarea } from "@/components/ui";
import { applyServerErrors, placedZodResolver, type FieldPlacement } from "@/components/lib/form-errors";
import { parseTags } from "./model";

const detailsSchema = z.object({
  description: text(2000),
  tags: z.string().superRefine((value, ctx) => {
    const { error } = parseTags(value);
    if (error) ctx.addIssue({ code: "custom", message: error });
  }),
});
type DetailsValues = z.infer<typeof detailsSchema>;

const PLACEMENT: FieldPlacement<DetailsValues> = {
  labels: { description: "Description", tags: "Tags" },
  fieldOf: (path) => (path.split(".")[0] === "tags" ? "tags" : path === "description" ? "description" : null),
};

type Props = { open: boolean; onClose: () => void; orgSlug: string; projectSlug: string; name: string; description: string; tags: string[] };

export function DetailsDialog({ open, onClose, orgSlug, projectSlug, name, description, tags }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useForm<DetailsValues>({ resolver: placedZodResolver(detailsSchema, PLACEMENT), defaultValues: { description, tags: tags.join(", ") } });
  const {
    register,
    formState: { errors },
  } = form;
  const [formError, setFormError] = useState<string | null>(null);
  const update = useMutation(
    trpc.prompts.updateDetails.mutationOptions({
      onSuccess: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ orgSlug, projectSlug, name }) }),
          queryClient.invalidateQueries({ queryKey: trpc.prompts.list.queryKey() }),
        ]);
        onClose();
      },
      onError: (error) => setFormError(applyServerErrors(form, error, PLACEMENT)),
    }),
  );
  // Closing without saving puts back the prompt's own details.
  function close() {
    update.reset();
    setFormError(null);
    form.reset({ description, tags: tags.join(", ") });
    onClose();
  }
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit((v) => update.mutate({ orgSlug, projectSlug, name, description: v.description, tags: parseTags(v.tags).tags }))(e);
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Edit details"
      description="Description and tags belong to the prompt, not to a version: changing them saves no new version."
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={update.isPending}>
            Save details
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Edit details" className="flex flex-col gap-4">
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        <Textarea label="Description" {...register("description")} error={errors.description?.message} maxLength={2000} />
        <Input label="Tags" {...register("tags")} error={errors.tags?.message} hint="Separate tags with commas." />
      </form>
    </Dialog>
  );
}
