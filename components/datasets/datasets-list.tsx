"use client";
// The project's datasets: search and "show archived" (kept in the address), each with its item
// count, latest version and last change; a dialog creates a new one.
import { formatCount } from "@/components/lib/format";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useUrlParams, useUrlSearch } from "@/components/lib/url-params";
import { datasetName } from "@/server/contracts/datasets";
import { useTRPC } from "@/components/trpc/client";
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Dialog,
  EmptyState,
  Input,
  PageHeader,
  Spinner,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
  Textarea,
} from "@/components/ui";
import { DatabaseIcon, PlusIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid, phraseFieldMessage } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { datasetHref } from "./model";
import { parseSchemaText } from "./schema-field";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canWrite: boolean };

export function DatasetsList({ orgSlug, projectSlug, projectName, canWrite }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const showArchived = searchParams.get("archived") === "1";
  const { search, setSearch, query, submit } = useUrlSearch("q", 100);
  const [creating, setCreating] = useState(false);

  const datasets = useQuery({
    ...trpc.datasets.list.queryOptions({ orgSlug, projectSlug, search: query || undefined, includeArchived: showArchived }),
    placeholderData: keepPreviousData,
  });
  const rows = datasets.data ?? [];
  const filtered = !!query;

  const newButton = canWrite ? (
    <Button variant="primary" icon={<PlusIcon />} onClick={() => setCreating(true)}>
      New dataset
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Datasets"
        description="Test cases for prompts and evaluations. Every change to a dataset's items makes a new numbered version; old versions stay readable."
        actions={newButton}
      />
      <Card aria-labelledby="datasets-title">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 items-center gap-3">
            <h2 id="datasets-title" className="text-sm font-semibold text-zinc-900">
              {datasets.isSuccess ? `${rows.length} ${rows.length === 1 ? "dataset" : "datasets"}` : "Datasets"}
            </h2>
            {datasets.isFetching && !datasets.isPending ? <Spinner size={12} /> : null}
          </div>
          <form role="search" aria-label="Filter datasets" className="flex flex-wrap items-center gap-4" onSubmit={(e) => (e.preventDefault(), submit())}>
            <Checkbox label="Show archived" checked={showArchived} onChange={(e) => setParams({ archived: e.target.checked ? "1" : "" })} />
            <Input
              label="Search"
              hideLabel
              type="search"
              placeholder="Search names and descriptions"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              wrapperClassName="w-64"
              className="h-7 text-[13px]"
            />
          </form>
        </div>
        {datasets.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading datasets…" />
          </div>
        ) : datasets.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the datasets" error={datasets.error} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={<DatabaseIcon />}
            title={filtered ? "No datasets match" : "No datasets yet"}
            description={
              filtered
                ? "Try another search."
                : canWrite
                  ? "Create a dataset, then add items by hand, import a CSV or JSONL file, or save runs from the playground."
                  : "Editors create datasets; you will see them here."
            }
            action={
              filtered ? (
                <Button size="sm" onClick={() => (setSearch(""), submit(""))}>
                  Clear search
                </Button>
              ) : (
                newButton
              )
            }
          />
        ) : (
          <Table caption={`Datasets of ${projectName}`}>
            <THead>
              <TR>
                <TH>Name</TH>
                <TH className="text-right">Items</TH>
                <TH>Latest</TH>
                <TH>Last change</TH>
              </TR>
            </THead>
            <TBody>
              {rows.map((d) => (
                <TR key={d.id}>
                  <TD>
                    <span className="flex items-center gap-2">
                      <Link
                        href={datasetHref(orgSlug, projectSlug, d.name)}
                        className="font-mono text-[13px] font-medium text-zinc-900 hover:text-accent hover:underline"
                      >
                        {d.name}
                      </Link>
                      {d.archivedAt ? <Badge tone="warning">archived</Badge> : null}
                    </span>
                    {d.description ? <span className="block max-w-xl truncate text-xs text-zinc-500">{d.description}</span> : null}
                  </TD>
                  <TD className="text-right font-mono text-xs text-zinc-700 tabular-nums">{formatCount(d.itemCount)}</TD>
                  <TD className="font-mono text-xs text-zinc-700">
                    {d.latestVersion > 0 ? `v${d.latestVersion}` : <span className="font-sans text-zinc-500">no versions</span>}
                  </TD>
                  <TD className="whitespace-nowrap text-zinc-500">
                    <Time value={d.lastChangeAt} mode="relative" />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      {canWrite ? <NewDatasetDialog open={creating} onClose={() => setCreating(false)} orgSlug={orgSlug} projectSlug={projectSlug} /> : null}
    </>
  );
}

type Field = "name" | "description" | "inputSchema" | "expectedSchema";
const LABELS: Record<Field, string> = { name: "Name", description: "Description", inputSchema: "Input schema", expectedSchema: "Expected output schema" };

function NewDatasetDialog({ open, onClose, orgSlug, projectSlug }: { open: boolean; onClose: () => void; orgSlug: string; projectSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const [values, setValues] = useState<Record<Field, string>>({ name: "", description: "", inputSchema: "", expectedSchema: "" });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useMutation(
    trpc.datasets.create.mutationOptions({
      onSuccess: async (result) => {
        await queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
        router.push(datasetHref(orgSlug, projectSlug, result.name));
      },
      onError: (error) => {
        const info = errorInfo(error);
        const field = info.field?.split(".")[0] as Field | undefined;
        if (field && field in LABELS) setErrors({ [field]: phraseFieldMessage(info.message, field, LABELS[field]) });
        else setFormError(info.message);
        focusFirstInvalid(formId);
      },
    }),
  );

  function close() {
    create.reset();
    setValues({ name: "", description: "", inputSchema: "", expectedSchema: "" });
    setErrors({});
    setFormError(null);
    onClose();
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const next: Partial<Record<Field, string>> = {};
    const name = datasetName.safeParse(values.name.trim());
    if (!name.success) next.name = phraseFieldMessage(name.error.issues[0]?.message ?? "is not valid", "name", "Name");
    const inputSchema = parseSchemaText(values.inputSchema);
    if (inputSchema.error) next.inputSchema = inputSchema.error;
    const expectedSchema = parseSchemaText(values.expectedSchema);
    if (expectedSchema.error) next.expectedSchema = expectedSchema.error;
    setErrors(next);
    if (Object.keys(next).length) return focusFirstInvalid(formId);
    create.mutate({
      orgSlug,
      projectSlug,
      name: values.name.trim(),
      description: values.description.trim(),
      inputSchema: inputSchema.value ?? undefined,
      expectedSchema: expectedSchema.value ?? undefined,
    });
  }

  const set = (field: Field) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));

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
          <Button variant="primary" type="submit" form={formId} loading={create.isPending}>
            Create dataset
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="New dataset" className="flex flex-col gap-4">
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        <Input
          label="Name"
          value={values.name}
          error={errors.name}
          onChange={set("name")}
          placeholder="support-questions"
          className="font-mono"
          spellCheck={false}
          autoComplete="off"
          hint="Letters, digits, . _ and -. Evaluations and the API refer to the dataset by this name."
        />
        <Textarea
          label="Description"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          value={values.description}
          error={errors.description}
          onChange={set("description")}
          maxLength={2000}
          className="min-h-14"
        />
        <Textarea
          label="Input schema"
          labelAside={<span className="text-xs text-zinc-500">optional JSON Schema</span>}
          value={values.inputSchema}
          error={errors.inputSchema}
          onChange={set("inputSchema")}
          className="min-h-24 font-mono text-xs"
          spellCheck={false}
          placeholder={'{ "type": "object", "required": ["question"] }'}
          hint="Every item's input must match it. Leave empty for none."
        />
        <Textarea
          label="Expected output schema"
          labelAside={<span className="text-xs text-zinc-500">optional JSON Schema</span>}
          value={values.expectedSchema}
          error={errors.expectedSchema}
          onChange={set("expectedSchema")}
          className="min-h-24 font-mono text-xs"
          spellCheck={false}
          placeholder={'{ "type": "string" }'}
          hint="Every expected output must match it. Leave empty for none."
        />
      </form>
    </Dialog>
  );
}
