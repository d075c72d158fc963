"use client";
// "Add to dataset", wherever an output is worth keeping as a test case: a dataset to add to, the
// expected output (prefilled with the output, editable) and optional tags, ending with a link to
// the new version. DatasetItemDialog is the form; the playground (a run's variables as the input,
// source "playground") and a production trace (source "trace") each supply the input they show
// and how the item is saved.
import { formatCount } from "@/components/lib/format";
import { useMutation, useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useForm, useWatch } from "react-hook-form";
import { z } from "zod";
import { MAX_ITEM_TAGS, itemTag } from "@/server/contracts/datasets";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Alert, Button, Dialog, FormProblem, Select, Spinner, Textarea, Input } from "@/components/ui";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { datasetHref } from "./model";

export function parseTags(text: string): { tags: string[]; error: string | null } {
  const tags = [
    ...new Set(
      text
        .split(/[,\s]+/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (tags.length > MAX_ITEM_TAGS) return { tags, error: `Use at most ${MAX_ITEM_TAGS} tags` };
  for (const tag of tags) {
    const check = itemTag.safeParse(tag);
    if (!check.success) return { tags, error: `Tag "${tag}" ${check.error.issues[0]?.message ?? "is not valid"}` };
  }
  return { tags, error: null };
}

/** What the person chose: the dataset, the expected output ("" for none) and the tags. */
export type DatasetItemChoice = { dataset: string; expected: string; tags: string[] };
export type SaveCallbacks = { onSuccess(result: { version: number }): void; onError(error: unknown): void };

type DatasetItemDialogProps = {
  open: boolean;
  onClose: () => void;
  orgSlug: string;
  projectSlug: string;
  description: string;
  /** What the item's input will be, shown above the expected output. */
  input?: ReactNode;
  /** The suggested expected output. */
  output: string;
  expectedHint: string;
  /** What the output is, for the empty state: "runs", "traces". */
  things: string;
  tagsPlaceholder: string;
  save(choice: DatasetItemChoice, callbacks: SaveCallbacks): void;
  saving: boolean;
};

const LABELS = { dataset: "Dataset", expected: "Expected output", tags: "Tags" };
type Field = keyof typeof LABELS;
// The dataset (empty: the first one listed), the expected output and the tags as typed.
const itemSchema = z.object({
  dataset: z.string(),
  expected: z.string(),
  tags: z.string().transform((text, ctx) => {
    const parsed = parseTags(text);
    if (parsed.error) ctx.addIssue({ code: "custom", message: parsed.error });
    return parsed.tags;
  }),
});

/** Server field paths to the form's: datasets.addItems names `name` and `items.0.expected`, observability.addToDataset `dataset` and `expected`. */
function fieldOf(path: string): Field | null {
  const parts = path.split(".");
  if (parts[0] === "name" || parts[0] === "dataset") return "dataset";
  if (parts.includes("expected")) return "expected";
  if (parts.includes("tags")) return "tags";
  return null;
}

export function DatasetItemDialog({
  open,
  onClose,
  orgSlug,
  projectSlug,
  description,
  input,
  output,
  expectedHint,
  things,
  tagsPlaceholder,
  save,
  saving,
}: DatasetItemDialogProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const datasets = useQuery({ ...trpc.datasets.list.queryOptions({ orgSlug, projectSlug }), enabled: open });
  // Kept between openings.
  const [chosen, setChosen] = useState("");
  const [done, setDone] = useState<{ name: string; version: number } | null>(null);
  const [wasOpen, setWasOpen] = useState(open);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) setDone(null);
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      title="Add to dataset"
      description={description}
      footer={
        done ? (
          <Button variant="primary" onClick={onClose} data-autofocus>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button variant="primary" type="submit" form={formId} loading={saving} disabled={!datasets.data?.length}>
              Add item
            </Button>
          </>
        )
      }
    >
      {done ? (
        <div role="region" aria-label="Added">
          <Alert tone="success" title={`Added to ${done.name}`}>
            The item is in version {done.version}.{" "}
            <Link href={datasetHref(orgSlug, projectSlug, done.name, null, { v: done.version })} className="font-medium underline">
              Open {done.name}
            </Link>
          </Alert>
        </div>
      ) : (
        // Mounted while the dialog is open: each opening starts afresh, with the latest output.
        <DatasetItemForm
          formId={formId}
          datasets={datasets}
          chosen={chosen}
          onChoose={setChosen}
          input={input}
          output={output}
          expectedHint={expectedHint}
          things={things}
          tagsPlaceholder={tagsPlaceholder}
          datasetsHref={datasetHref(orgSlug, projectSlug)}
          save={(choice, onError) =>
            save(choice, {
              onSuccess: (result) => {
                setDone({ name: choice.dataset, version: result.version });
                void queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() });
              },
              onError,
            })
          }
        />
      )}
    </Dialog>
  );
}

type DatasetItemFormProps = Pick<DatasetItemDialogProps, "input" | "output" | "expectedHint" | "things" | "tagsPlaceholder"> & {
  formId: string;
  datasets: UseQueryResult<RouterOutputs["datasets"]["list"], unknown>;
  chosen: string;
  onChoose: (name: string) => void;
  datasetsHref: string;
  save: (choice: DatasetItemChoice, onError: (error: unknown) => void) => void;
};

function DatasetItemForm({
  formId,
  datasets,
  chosen,
  onChoose,
  input,
  output,
  expectedHint,
  things,
  tagsPlaceholder,
  datasetsHref,
  save,
}: DatasetItemFormProps) {
  const form = useForm({ resolver: placedZodResolver(itemSchema, { labels: LABELS }), defaultValues: { dataset: chosen, expected: output, tags: "" } });
  const {
    register,
    formState: { errors },
  } = form;
  const dataset = useWatch({ control: form.control, name: "dataset" });
  const datasetName = dataset || datasets.data?.[0]?.name || "";
  const [failure, setFailure] = useState<string | null>(null);

  const onValid = (values: z.output<typeof itemSchema>) => {
    if (!datasetName) return form.setError("dataset", { message: "Choose a dataset" }, { shouldFocus: true });
    save({ dataset: datasetName, expected: values.expected, tags: values.tags }, (error) =>
      setFailure(applyServerErrors(form, error, { fieldOf, labels: LABELS })),
    );
  };
  const onSubmit = (e: FormEvent) => {
    setFailure(null);
    return form.handleSubmit(onValid, () => focusFirstInvalid(formId))(e);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Add to dataset" className="flex flex-col gap-4">
      <FormProblem message={failure} label="Problems" title="Could not add the item" />
      {datasets.isPending ? (
        <Spinner label="Loading datasets…" />
      ) : datasets.isError ? (
        <div role="region" aria-label="Problems loading datasets">
          <Alert tone="error" title="Could not load the datasets">
            {errorInfo(datasets.error).message}
          </Alert>
        </div>
      ) : datasets.data.length === 0 ? (
        <Alert tone="info" title="No datasets yet">
          <Link href={datasetsHref} className="font-medium underline">
            Create a dataset
          </Link>{" "}
          first, then add {things} to it.
        </Alert>
      ) : (
        <Select
          label={LABELS.dataset}
          {...register("dataset", { onChange: (e: { target: { value: string } }) => onChoose(e.target.value) })}
          value={datasetName}
          error={errors.dataset?.message}
          boxClassName="w-full sm:w-80"
        >
          {datasets.data.map((d) => (
            <option key={d.id} value={d.name}>
              {d.name} ({formatCount(d.itemCount)} {d.itemCount === 1 ? "item" : "items"})
            </option>
          ))}
        </Select>
      )}
      {input}
      <Textarea
        label={LABELS.expected}
        {...register("expected")}
        error={errors.expected?.message}
        rows={6}
        hint={expectedHint}
        className="font-mono text-[12.5px]"
      />
      <Input
        label={LABELS.tags}
        labelAside={<span className="text-xs text-zinc-500">optional</span>}
        {...register("tags")}
        error={errors.tags?.message}
        placeholder={tagsPlaceholder}
        hint="Separate with commas"
        className="font-mono"
      />
    </form>
  );
}

type Props = {
  open: boolean;
  onClose: () => void;
  orgSlug: string;
  projectSlug: string;
  /** The run's variables: the item's input. */
  variables: Record<string, string>;
  /** The run's output: the suggested expected output. */
  output: string;
  /** "<prompt name>@v<version>", or "draft". */
  sourceRef: string;
};

/** From the playground: the run's variables become the item's input (source "playground"). */
export function AddToDatasetDialog({ open, onClose, orgSlug, projectSlug, variables, output, sourceRef }: Props) {
  const trpc = useTRPC();
  const inputId = useId();
  const add = useMutation(trpc.datasets.addItems.mutationOptions());
  const entries = Object.entries(variables);
  return (
    <DatasetItemDialog
      open={open}
      onClose={onClose}
      orgSlug={orgSlug}
      projectSlug={projectSlug}
      description={`Save this run as a dataset item: its variables as the input, its output as the expected output. From ${sourceRef === "draft" ? "a draft" : sourceRef}.`}
      output={output}
      expectedHint="Prefilled with the run's output; edit it into the answer you expect."
      things="runs"
      tagsPlaceholder="regression, edge-case"
      saving={add.isPending}
      save={(choice, callbacks) =>
        add.mutate(
          {
            orgSlug,
            projectSlug,
            name: choice.dataset,
            items: [{ input: variables, expected: choice.expected === "" ? undefined : choice.expected, metadata: {}, tags: choice.tags }],
            message: `Added from the playground (${sourceRef})`,
            source: { type: "playground", ref: sourceRef },
          },
          callbacks,
        )
      }
      input={
        <div className="flex flex-col gap-1.5">
          <p className="text-[13px] font-medium text-zinc-800" id={inputId}>
            Input
          </p>
          {entries.length ? (
            <dl aria-labelledby={inputId} className="flex max-h-48 flex-col gap-1 overflow-auto rounded-md border border-zinc-200 bg-zinc-50/60 px-3 py-2">
              {entries.map(([k, v]) => (
                <div key={k} className="flex min-w-0 gap-2">
                  <dt className="shrink-0 font-mono text-xs text-zinc-500">{k}</dt>
                  <dd className="min-w-0 font-mono text-xs break-words whitespace-pre-wrap text-zinc-800">
                    {v || <span className="text-zinc-500">(empty)</span>}
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="text-xs text-zinc-500">This run had no variables: the item&apos;s input is empty.</p>
          )}
        </div>
      }
    />
  );
}
