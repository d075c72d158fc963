"use client";
// The evaluator dialog: create an evaluator, or save a new version of one. The configuration's
// fields (one set per kind) are in ./evaluator-fields; the form is checked with evaluatorForm, the
// procedure's own schema (./evaluator-model), and the server's own checks (a regex or JSON Schema
// that does not compile, a judge prompt that does not exist) come back as `config.<field>` and
// are shown on the field.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Button, Dialog, FormProblem, Input, Textarea } from "@/components/ui";
import { useZodForm } from "@/components/lib/form-errors";
import { EvaluatorFields } from "./evaluator-fields";
import { EVALUATOR_FORMS, EVALUATOR_LABELS as L, EVALUATOR_PLACEMENTS, evaluatorValues, type EvaluatorDraft, type EvaluatorMode } from "./evaluator-model";

export function EvaluatorDialog({
  orgSlug,
  projectSlug,
  mode,
  initial,
  onClose,
  onSaved,
}: {
  orgSlug: string;
  projectSlug: string;
  mode: EvaluatorMode;
  initial?: EvaluatorDraft;
  onClose: () => void;
  onSaved: (result: { name: string; version: number; changed: boolean }) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const create = useMutation(trpc.evaluators.create.mutationOptions());
  const saveVersion = useMutation(trpc.evaluators.saveVersion.mutationOptions());
  const { form, onSubmit } = useZodForm({
    schema: EVALUATOR_FORMS[mode.type],
    placement: EVALUATOR_PLACEMENTS[mode.type],
    defaultValues: evaluatorValues(mode, initial),
    formId,
    save: async (input) => {
      const result =
        mode.type === "create"
          ? { ...(await create.mutateAsync({ orgSlug, projectSlug, ...input })), changed: true }
          : { name: mode.name, ...(await saveVersion.mutateAsync({ orgSlug, projectSlug, ...input })) };
      await queryClient.invalidateQueries({ queryKey: trpc.evaluators.list.queryKey() });
      await queryClient.invalidateQueries({ queryKey: trpc.evaluators.get.queryKey({ orgSlug, projectSlug, name: result.name }) });
      onSaved(result);
    },
  });
  const {
    register,
    formState: { errors, isSubmitting },
  } = form;

  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      title={mode.type === "create" ? "New evaluator" : `Save a new version of ${mode.name}`}
      description={
        mode.type === "create"
          ? "An evaluator scores each answer of a run. Changing it later makes a new version; runs keep the version they used."
          : "Runs started from now on use the new version; earlier runs keep theirs."
      }
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={isSubmitting}>
            {mode.type === "create" ? "Create evaluator" : "Save new version"}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        onSubmit={onSubmit}
        noValidate
        aria-label={mode.type === "create" ? "New evaluator" : "New evaluator version"}
        className="flex flex-col gap-4"
      >
        <FormProblem message={errors.root?.message} />
        {mode.type === "create" ? (
          <Input
            label={L.name}
            {...register("name")}
            error={errors.name?.message}
            placeholder="mentions-refund"
            className="font-mono"
            spellCheck={false}
            autoComplete="off"
            hint="Letters, digits, . _ and -. Runs, the API and the CLI refer to the evaluator by this name."
          />
        ) : null}
        <Textarea
          label={L.description}
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          {...register("description")}
          error={errors.description?.message}
          maxLength={2000}
          className="min-h-14"
        />
        <EvaluatorFields orgSlug={orgSlug} projectSlug={projectSlug} form={form} />
        {mode.type === "version" ? (
          <Input
            label={L.commitMessage}
            labelAside={<span className="text-xs text-zinc-500">optional</span>}
            {...register("commitMessage")}
            error={errors.commitMessage?.message}
            maxLength={500}
            placeholder="Stricter threshold"
          />
        ) : null}
      </form>
    </Dialog>
  );
}
