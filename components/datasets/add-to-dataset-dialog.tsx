"use client";
// "Add to dataset", wherever an output is worth keeping as a test case: a dataset to add to, the
// expected output (prefilled with the output, editable) and optional tags, ending with a link to
// the new version. DatasetItemDialog is the form; the playground (a run's variables as the input,
// source "playground") and a production trace (source "trace") each supply the input they show
// and how the item is saved.
import { formatCount } from "@/components/lib/format";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { MAX_ITEM_TAGS, itemTag } from "@/server/contracts/datasets";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Dialog, Select, Spinner, Textarea, Input } from "@/components/ui";
import { errorInfo } from "@/components/lib/errors";
import { datasetHref } from "./model";

export function parseTags(text: string): { tags: string[]; error: string | null } {
  const tags = [...new Set(text.split(/[,\s]+/).map((t) => t.trim()).filter(Boolean))];
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

export function DatasetItemDialog({ open, onClose, orgSlug, projectSlug, description, input, output, expectedHint, things, tagsPlaceholder, save, saving }: DatasetItemDialogProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const datasets = useQuery({ ...trpc.datasets.list.queryOptions({ orgSlug, projectSlug }), enabled: open });
  const [chosen, setChosen] = useState("");
  const [expected, setExpected] = useState(output);
  const [tagsText, setTagsText] = useState("");
  const [errors, setErrors] = useState<{ dataset?: string; tags?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<{ name: string; version: number } | null>(null);
  // Each opening starts afresh, with the latest output (the dataset choice is kept).
  const [wasOpen, setWasOpen] = useState(open);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setExpected(output);
      setTagsText("");
      setErrors({});
      setFailure(null);
      setDone(null);
    }
  }
  const datasetName = chosen || datasets.data?.[0]?.name || "";

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const tags = parseTags(tagsText);
    const next = { dataset: datasetName ? undefined : "Choose a dataset", tags: tags.error ?? undefined };
    setErrors(next);
    if (next.dataset || next.tags) return;
    setFailure(null);
    const name = datasetName;
    save(
      { dataset: name, expected, tags: tags.tags },
      {
        onSuccess: (result) => {
          setDone({ name, version: result.version });
          void queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() });
        },
        onError: (error) => setFailure(errorInfo(error).message),
      },
    );
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
        <form id={formId} onSubmit={onSubmit} noValidate aria-label="Add to dataset" className="flex flex-col gap-4">
          {failure ? (
            <div role="region" aria-label="Problems">
              <Alert tone="error" title="Could not add the item">
                {failure}
              </Alert>
            </div>
          ) : null}
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
              <Link href={datasetHref(orgSlug, projectSlug)} className="font-medium underline">
                Create a dataset
              </Link>{" "}
              first, then add {things} to it.
            </Alert>
          ) : (
            <Select label="Dataset" value={datasetName} onChange={(e) => setChosen(e.target.value)} error={errors.dataset} boxClassName="w-full sm:w-80">
              {datasets.data.map((d) => (
                <option key={d.id} value={d.name}>
                  {d.name} ({formatCount(d.itemCount)} {d.itemCount === 1 ? "item" : "items"})
                </option>
              ))}
            </Select>
          )}
          {input}
          <Textarea label="Expected output" value={expected} onChange={(e) => setExpected(e.target.value)} rows={6} hint={expectedHint} className="font-mono text-[12.5px]" />
          <Input
            label="Tags"
            labelAside={<span className="text-xs text-zinc-500">optional</span>}
            value={tagsText}
            onChange={(e) => setTagsText(e.target.value)}
            error={errors.tags}
            placeholder={tagsPlaceholder}
            hint="Separate with commas"
            className="font-mono"
          />
        </form>
      )}
    </Dialog>
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
                  <dd className="min-w-0 font-mono text-xs break-words whitespace-pre-wrap text-zinc-800">{v || <span className="text-zinc-500">(empty)</span>}</dd>
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
