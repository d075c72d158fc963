"use client";
// The New dataset dialog: name, description and JSON Schemas (datasets.create); then the dataset's page.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Button, Dialog, FormProblem, Input, Textarea } from "@/components/ui";
import { useZodForm } from "@/components/lib/form-errors";
import { DATASET_DETAILS_PLACEMENT, datasetDetailsForm, NO_DATASET_DETAILS } from "./details-form";
import { datasetHref } from "./model";

export function NewDatasetDialog({ open, onClose, orgSlug, projectSlug }: { open: boolean; onClose: () => void; orgSlug: string; projectSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const create = useMutation(trpc.datasets.create.mutationOptions());
  const { form, onSubmit } = useZodForm({
    schema: datasetDetailsForm,
    placement: DATASET_DETAILS_PLACEMENT,
    defaultValues: NO_DATASET_DETAILS,
    formId,
    save: async ({ inputSchema, expectedSchema, ...details }) => {
      const result = await create.mutateAsync({
        orgSlug,
        projectSlug,
        ...details,
        inputSchema: inputSchema ?? undefined,
        expectedSchema: expectedSchema ?? undefined,
      });
      await queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
      router.push(datasetHref(orgSlug, projectSlug, result.name));
    },
  });
  const {
    register,
    formState: { errors, isSubmitting },
  } = form;

  function close() {
    form.reset(NO_DATASET_DETAILS);
    onClose();
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title="New dataset"
      description="Items are added after creation: by hand, from a file or from the playground."
      size="lg"
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={isSubmitting}>
            Create dataset
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="New dataset" className="flex flex-col gap-4">
        <FormProblem message={errors.root?.message} />
        <Input
          label="Name"
          {...register("name")}
          error={errors.name?.message}
          placeholder="support-questions"
          className="font-mono"
          spellCheck={false}
          autoComplete="off"
          hint="Letters, digits, . _ and -. Evaluations and the API refer to the dataset by this name."
        />
        <Textarea
          label="Description"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          {...register("description")}
          error={errors.description?.message}
          maxLength={2000}
          className="min-h-14"
        />
        <Textarea
          label="Input schema"
          labelAside={<span className="text-xs text-zinc-500">optional JSON Schema</span>}
          {...register("inputSchema")}
          error={errors.inputSchema?.message}
          className="min-h-24 font-mono text-xs"
          spellCheck={false}
          placeholder={'{ "type": "object", "required": ["question"] }'}
          hint="Every item's input must match it. Leave empty for none."
        />
        <Textarea
          label="Expected output schema"
          labelAside={<span className="text-xs text-zinc-500">optional JSON Schema</span>}
          {...register("expectedSchema")}
          error={errors.expectedSchema?.message}
          className="min-h-24 font-mono text-xs"
          spellCheck={false}
          placeholder={'{ "type": "string" }'}
          hint="Every expected output must match it. Leave empty for none."
        />
      </form>
    </Dialog>
  );
}
