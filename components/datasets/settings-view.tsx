"use client";
// A dataset's settings: name, description and JSON Schemas (the server refuses schemas that
// existing items do not fit, naming the item), archive/restore, and delete (admins, with the
// name typed; refused while evaluations use the dataset).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Card, CardBody, CardHeader, FormProblem, Input, Spinner, Textarea, ConfirmDialog } from "@/components/ui";
import { TrashIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { datasetHref } from "./model";
import { schemaText } from "./schema-field";
import { DATASET_DETAILS_LABELS, DATASET_DETAILS_PLACEMENT, datasetDetailsForm, type DatasetDetailsValues } from "./details-form";

type Props = { orgSlug: string; projectSlug: string; name: string; canDelete: boolean };
export function SettingsView(props: Props) {
  const { orgSlug, projectSlug, name } = props;
  const trpc = useTRPC();
  const dataset = useQuery(trpc.datasets.get.queryOptions({ orgSlug, projectSlug, name }));
  if (dataset.isPending) return <Spinner label="Loading…" />;
  if (dataset.isError) return <QueryErrorAlert title="Could not load the dataset" error={dataset.error} />;
  const d = dataset.data;
  return (
    <div className="flex max-w-3xl flex-col gap-4">
      {/* Keyed by the saved values: after a save the form starts from what the server kept. */}
      <DetailsForm
        key={JSON.stringify([d.name, d.description, d.inputSchema, d.expectedSchema])}
        {...props}
        initial={{ name: d.name, description: d.description, inputSchema: schemaText(d.inputSchema), expectedSchema: schemaText(d.expectedSchema) }}
      />
      <ArchiveCard {...props} archived={!!d.archivedAt} />
      {props.canDelete ? <DeleteCard {...props} /> : null}
    </div>
  );
}

function DetailsForm({ orgSlug, projectSlug, name, initial }: Props & { initial: DatasetDetailsValues }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useForm({ resolver: placedZodResolver(datasetDetailsForm, DATASET_DETAILS_PLACEMENT), defaultValues: initial });
  const {
    register,
    formState: { errors, isDirty },
  } = form;
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const update = useMutation(
    trpc.datasets.update.mutationOptions({
      onSuccess: async (result) => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.datasets.get.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() }),
        ]);
        if (result.name !== name) {
          router.replace(datasetHref(orgSlug, projectSlug, result.name, "settings"));
          router.refresh();
        } else setStatus("Settings saved.");
      },
      onError: (error) => setFormError(applyServerErrors(form, error, DATASET_DETAILS_PLACEMENT)),
    }),
  );

  // Only what changed is sent.
  const onValid = (values: z.output<typeof datasetDetailsForm>) => {
    const raw = form.getValues();
    update.mutate({
      orgSlug,
      projectSlug,
      name,
      newName: values.name !== name ? values.name : undefined,
      description: raw.description !== initial.description ? values.description : undefined,
      inputSchema: raw.inputSchema !== initial.inputSchema ? values.inputSchema : undefined,
      expectedSchema: raw.expectedSchema !== initial.expectedSchema ? values.expectedSchema : undefined,
    });
  };
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    setStatus("");
    return form.handleSubmit(onValid, () => focusFirstInvalid(formId))(e);
  };

  return (
    <Card aria-labelledby="details-title">
      <CardHeader titleId="details-title" title="Details" description="Renaming changes the dataset's address and how evaluations and the API refer to it." />
      <form id={formId} onSubmit={onSubmit} onChange={() => setStatus("")} noValidate aria-label="Dataset details">
        <CardBody className="flex flex-col gap-4">
          <FormProblem message={formError} />
          <Input
            label={DATASET_DETAILS_LABELS.name}
            {...register("name")}
            error={errors.name?.message}
            className="font-mono"
            spellCheck={false}
            autoComplete="off"
            hint="Letters, digits, . _ and -."
          />
          <Textarea
            label={DATASET_DETAILS_LABELS.description}
            {...register("description")}
            error={errors.description?.message}
            maxLength={2000}
            className="min-h-14"
          />
          <Textarea
            label={DATASET_DETAILS_LABELS.inputSchema}
            labelAside={<span className="text-xs text-zinc-500">JSON Schema, empty for none</span>}
            {...register("inputSchema")}
            error={errors.inputSchema?.message}
            className="min-h-32 font-mono text-xs"
            spellCheck={false}
            hint="Every item's input must match. A new schema is refused if an item of the latest version does not fit it."
          />
          <Textarea
            label={DATASET_DETAILS_LABELS.expectedSchema}
            labelAside={<span className="text-xs text-zinc-500">JSON Schema, empty for none</span>}
            {...register("expectedSchema")}
            error={errors.expectedSchema?.message}
            className="min-h-24 font-mono text-xs"
            spellCheck={false}
          />
        </CardBody>
        <div className="flex items-center justify-end gap-3 border-t border-zinc-200 bg-zinc-50/60 px-4 py-2.5">
          <p role="status" className="text-[13px] text-emerald-700">
            {status}
          </p>
          <Button onClick={() => (form.reset(), setFormError(null))} disabled={!isDirty}>
            Reset
          </Button>
          <Button variant="primary" type="submit" loading={update.isPending} disabled={!isDirty}>
            Save settings
          </Button>
        </div>
      </form>
    </Card>
  );
}

function ArchiveCard({ orgSlug, projectSlug, name, archived }: Props & { archived: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mutation = useMutation(
    trpc.datasets.setArchived.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.datasets.get.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() }),
        ]),
    }),
  );
  return (
    <Card aria-labelledby="archive-title">
      <CardHeader
        titleId="archive-title"
        title={archived ? "Restore" : "Archive"}
        description={
          archived
            ? "The dataset is archived: hidden from the list (unless archived ones are shown) and its items cannot change."
            : "Hide the dataset from the list. Its versions stay readable and exportable; restore it at any time."
        }
        actions={
          <Button
            variant={archived ? "secondary" : "danger-ghost"}
            loading={mutation.isPending}
            onClick={() => mutation.mutate({ orgSlug, projectSlug, name, archived: !archived })}
          >
            {archived ? "Restore dataset" : "Archive dataset"}
          </Button>
        }
      />
      {mutation.error ? (
        <CardBody>
          <Alert tone="error">{errorInfo(mutation.error).message}</Alert>
        </CardBody>
      ) : null}
    </Card>
  );
}

function DeleteCard({ orgSlug, projectSlug, name }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const remove = useMutation(
    trpc.datasets.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
        router.push(datasetHref(orgSlug, projectSlug));
      },
    }),
  );
  const close = () => (setOpen(false), setTyped(""), remove.reset());
  return (
    <Card aria-labelledby="delete-title" className="border-red-200">
      <CardHeader
        titleId="delete-title"
        title="Delete dataset"
        description="Deletes the dataset with every version and item. Refused while evaluations use it: archive it instead."
        actions={
          <Button variant="danger" icon={<TrashIcon size={14} />} onClick={() => setOpen(true)}>
            Delete dataset
          </Button>
        }
      />
      <ConfirmDialog
        open={open}
        onClose={close}
        title={`Delete ${name}?`}
        confirmLabel="Delete forever"
        confirmDisabled={typed !== name}
        focusCancel={false}
        pending={remove.isPending}
        onConfirm={() => remove.mutate({ orgSlug, projectSlug, name, confirmName: typed })}
      >
        <p>This cannot be undone. Every version and item of the dataset is deleted.</p>
        <Input
          label={
            <>
              Type <span className="font-mono">{name}</span> to confirm
            </>
          }
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          className="font-mono"
          autoComplete="off"
          spellCheck={false}
          error={remove.error && errorInfo(remove.error).field === "confirmName" ? errorInfo(remove.error).message : undefined}
        />
        {remove.error && errorInfo(remove.error).field !== "confirmName" ? (
          <Alert tone="error" title={errorInfo(remove.error).code === "CONFLICT" ? "The dataset cannot be deleted" : undefined}>
            {errorInfo(remove.error).message}
          </Alert>
        ) : null}
      </ConfirmDialog>
    </Card>
  );
}
