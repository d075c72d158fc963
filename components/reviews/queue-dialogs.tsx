"use client";
// The lead's dialogs on a queue page: add items (from an evaluation run: all, one evaluator's
// failures, a random sample; or from a dataset version), choose reviewers, mark an item gold and
// adjudicate a disagreement; add finalised items to a dataset. Each is one react-hook-form form
// checked with zod; server errors naming a field (`grade.tone`, `note`, `dataset`,
// `select.evaluator`, `userIds`) are shown on that field.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Controller, useForm, useWatch, type FieldErrors } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { text } from "@/server/contracts/fields";
import type { Grade, Rubric } from "@/server/contracts/reviews";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Alert, Button, Checkbox, Dialog, Input, Select, Spinner, Textarea, cn } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { preview } from "@/components/datasets/model";
import { checkDraft, draftFromAgreement, draftFromGrade, focusFirstProblem, gradeFromDraft, GradeForm, type GradeDraft } from "./grade-form";
import { formatGradeValue } from "./model";
import { formatCount } from "@/components/lib/format";

type Base = { orgSlug: string; projectSlug: string; name: string };

function useInvalidateQueue() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.reviews.get.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.reviews.items.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.reviews.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.reviews.agreement.queryKey() }),
    ]);
}

function FormProblem({ message }: { message: string | null }) {
  return message ? (
    <div role="region" aria-label="Problem" className="mb-3">
      <Alert tone="error">{message}</Alert>
    </div>
  ) : null;
}

// ---------------------------------------------------------------------------------------------
// Add items

// The dialog's own fields (selects and inputs hold text); they become addFromRun's `select` or
// addFromDataset's input, which the server checks with the procedures' schemas.
const addItemsSchema = z
  .object({
    source: z.enum(["run", "dataset"]),
    runNumber: z.string(),
    pick: z.enum(["all", "failed", "sample"]),
    evaluator: z.string(),
    sampleBy: z.enum(["count", "percent"]),
    sampleSize: z.string(),
    dataset: z.string(),
    version: z.string(),
    tag: z.string(),
  })
  .superRefine((v, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (v.source === "dataset") {
      if (!v.dataset) problem("dataset", "Choose a dataset");
      return;
    }
    if (!v.runNumber) problem("runNumber", "Choose a run");
    if (v.pick === "failed" && !v.evaluator) problem("evaluator", "Choose the evaluator whose failures to add");
    const size = Number(v.sampleSize);
    if (v.pick === "sample") {
      if (v.sampleBy === "count" && (!Number.isInteger(size) || size < 1 || size > 100_000))
        problem("sampleSize", "Enter a whole number of outputs (1 or more)");
      if (v.sampleBy === "percent" && (!Number.isFinite(size) || size < 0.1 || size > 100)) problem("sampleSize", "Enter a percentage from 0.1 to 100");
    }
  });
type AddItemsValues = z.infer<typeof addItemsSchema>;

export function AddItemsDialog({ orgSlug, projectSlug, name, onClose, onAdded }: Base & { onClose: () => void; onAdded: (message: string) => void }) {
  const trpc = useTRPC();
  const formId = useId();
  const invalidate = useInvalidateQueue();
  const form = useForm<AddItemsValues>({
    resolver: zodResolver(addItemsSchema),
    defaultValues: { source: "run", runNumber: "", pick: "all", evaluator: "", sampleBy: "count", sampleSize: "20", dataset: "", version: "", tag: "" },
  });
  const {
    register,
    setValue,
    clearErrors,
    formState: { errors },
  } = form;
  // Controlled selects: their options arrive with the queries.
  const [source, runNumber, pick, evaluator, sampleBy, dataset, version, tag] = useWatch({
    control: form.control,
    name: ["source", "runNumber", "pick", "evaluator", "sampleBy", "dataset", "version", "tag"],
  });
  const [formError, setFormError] = useState<string | null>(null);

  const runs = useQuery({ ...trpc.runs.list.queryOptions({ orgSlug, projectSlug, limit: 100 }), enabled: source === "run" });
  // Runs Keel executed: an external (SDK) run's outputs live in its traces, not in the run.
  const finished = (runs.data?.runs ?? []).flatMap((r) =>
    r.promptVersion && (r.status === "completed" || r.status === "cancelled" || r.status === "failed") ? [{ ...r, promptVersion: r.promptVersion }] : [],
  );
  const run = useQuery({ ...trpc.runs.get.queryOptions({ orgSlug, projectSlug, number: Number(runNumber) || 1 }), enabled: source === "run" && !!runNumber });
  const evaluatorNames = run.data?.evaluators.map((e) => e.name) ?? [];
  const datasets = useQuery({ ...trpc.datasets.list.queryOptions({ orgSlug, projectSlug }), enabled: source === "dataset" });
  const chosenDataset = datasets.data?.find((d) => d.name === dataset);
  const versions = useQuery({ ...trpc.datasets.versions.queryOptions({ orgSlug, projectSlug, name: dataset || "x", limit: 200 }), enabled: !!chosenDataset });
  const tags = useQuery({
    ...trpc.datasets.tags.queryOptions({ orgSlug, projectSlug, name: dataset || "x", version: version ? Number(version) : undefined }),
    enabled: !!chosenDataset,
  });

  const onError = (error: unknown) =>
    setFormError(
      applyServerErrors(form, error, {
        fieldOf: (path) =>
          path === "select.evaluator" ? "evaluator" : ((["runNumber", "dataset", "version", "tag"] as const).find((f) => f === path) ?? null),
      }),
    );
  const done = async (r: { added: number; skipped: number }, from: string) => {
    await invalidate();
    onAdded(
      r.added
        ? `Added ${r.added} ${r.added === 1 ? "item" : "items"} from ${from}${r.skipped ? ` (${r.skipped} already in the queue)` : ""}.`
        : `Nothing added: ${r.skipped ? `all ${r.skipped} chosen outputs are already in the queue` : `${from} has no matching outputs`}.`,
    );
  };
  const fromRun = useMutation(trpc.reviews.addFromRun.mutationOptions({ onSuccess: (r, v) => done(r, `run #${v.runNumber}`), onError }));
  const fromDataset = useMutation(
    trpc.reviews.addFromDataset.mutationOptions({
      onSuccess: (r, v) => done(r, `${v.dataset}${v.version ? ` v${v.version}` : ""}${v.tag ? ` (${v.tag})` : ""}`),
      onError,
    }),
  );

  const onValid = (v: AddItemsValues) => {
    if (v.source === "run") {
      const size = Number(v.sampleSize);
      const select =
        v.pick === "all"
          ? ({ kind: "all" } as const)
          : v.pick === "failed"
            ? ({ kind: "failed", evaluator: v.evaluator } as const)
            : ({ kind: "sample", ...(v.sampleBy === "count" ? { count: size } : { percent: size }) } as const);
      fromRun.mutate({ orgSlug, projectSlug, name, runNumber: Number(v.runNumber), select });
    } else {
      fromDataset.mutate({
        orgSlug,
        projectSlug,
        name,
        dataset: v.dataset,
        ...(v.version ? { version: Number(v.version) } : {}),
        ...(v.tag ? { tag: v.tag } : {}),
      });
    }
  };
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(onValid, () => focusFirstInvalid(formId))(e);
  };

  const pending = fromRun.isPending || fromDataset.isPending;
  return (
    <Dialog
      open
      onClose={onClose}
      title="Add items"
      description="Outputs to review. The same run output is never queued twice."
      size="md"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" loading={pending}>
            Add items
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Add items" className="flex flex-col gap-4">
        <FormProblem message={formError} />
        <fieldset>
          <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">From</legend>
          <div className="flex gap-4">
            <Radio name={`${formId}-source`} label="An evaluation run" checked={source === "run"} onChange={() => (setValue("source", "run"), clearErrors())} />
            <Radio name={`${formId}-source`} label="A dataset" checked={source === "dataset"} onChange={() => (setValue("source", "dataset"), clearErrors())} />
          </div>
        </fieldset>
        {source === "run" ? (
          <>
            <Select
              label="Run"
              {...register("runNumber", { onChange: () => (setValue("evaluator", ""), clearErrors()) })}
              value={runNumber}
              error={errors.runNumber?.message}
              disabled={runs.isPending}
            >
              <option value="">{runs.isPending ? "Loading runs…" : finished.length ? "Choose a run" : "No finished runs"}</option>
              {finished.map((r) => (
                <option key={r.number} value={r.number}>
                  #{r.number} · {r.promptVersion.prompt.name}@v{r.promptVersion.version} on {r.datasetVersion.dataset.name}@v{r.datasetVersion.version}
                </option>
              ))}
            </Select>
            {runs.isError ? <QueryErrorAlert title="Could not load the runs" error={runs.error} /> : null}
            <fieldset>
              <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Which outputs</legend>
              <div className="flex flex-col gap-2">
                <Radio name={`${formId}-pick`} label="All outputs" checked={pick === "all"} onChange={() => setValue("pick", "all")} />
                <Radio name={`${formId}-pick`} label="Failures of an evaluator" checked={pick === "failed"} onChange={() => setValue("pick", "failed")} />
                {pick === "failed" ? (
                  <Select
                    label="Evaluator"
                    {...register("evaluator", { onChange: () => clearErrors() })}
                    value={evaluator}
                    error={errors.evaluator?.message}
                    disabled={!run.data}
                    wrapperClassName="ml-6"
                    boxClassName="max-w-xs"
                  >
                    <option value="">
                      {!runNumber
                        ? "Choose a run first"
                        : run.isPending
                          ? "Loading…"
                          : evaluatorNames.length
                            ? "Choose an evaluator"
                            : "The run has no evaluators"}
                    </option>
                    {evaluatorNames.map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </Select>
                ) : null}
                <Radio name={`${formId}-pick`} label="A random sample" checked={pick === "sample"} onChange={() => setValue("pick", "sample")} />
                {pick === "sample" ? (
                  <div className="ml-6 flex items-start gap-2">
                    <Input
                      label={sampleBy === "count" ? "Number of outputs" : "Percent of outputs"}
                      type="number"
                      min={sampleBy === "count" ? 1 : 0.1}
                      max={sampleBy === "count" ? 100_000 : 100}
                      step={sampleBy === "count" ? 1 : 0.1}
                      {...register("sampleSize")}
                      error={errors.sampleSize?.message}
                      wrapperClassName="w-40"
                    />
                    <Select label="Sample by" {...register("sampleBy")} boxClassName="w-32">
                      <option value="count">Count</option>
                      <option value="percent">Percent</option>
                    </Select>
                  </div>
                ) : null}
              </div>
            </fieldset>
          </>
        ) : (
          <>
            <Select
              label="Dataset"
              {...register("dataset", { onChange: () => (setValue("version", ""), setValue("tag", ""), clearErrors()) })}
              value={dataset}
              error={errors.dataset?.message}
              disabled={datasets.isPending}
            >
              <option value="">{datasets.isPending ? "Loading datasets…" : "Choose a dataset"}</option>
              {(datasets.data ?? []).map((d) => (
                <option key={d.id} value={d.name}>
                  {d.name} ({formatCount(d.itemCount)} {d.itemCount === 1 ? "item" : "items"})
                </option>
              ))}
            </Select>
            <div className="grid grid-cols-2 gap-3">
              <Select
                label="Version"
                {...register("version", { onChange: () => setValue("tag", "") })}
                value={version}
                error={errors.version?.message}
                disabled={!chosenDataset}
              >
                <option value="">{chosenDataset ? `Latest (version ${chosenDataset.latestVersion})` : "—"}</option>
                {(versions.data?.versions ?? []).map((v) => (
                  <option key={v.version} value={v.version}>
                    Version {v.version}
                  </option>
                ))}
              </Select>
              <Select
                label="Tag"
                labelAside={<span className="text-xs text-zinc-500">optional</span>}
                {...register("tag")}
                value={tag}
                error={errors.tag?.message}
                disabled={!chosenDataset || !tags.data?.length}
              >
                <option value="">All items</option>
                {(tags.data ?? []).map((t) => (
                  <option key={t.tag} value={t.tag}>
                    {t.tag} ({t.count})
                  </option>
                ))}
              </Select>
            </div>
            <p className="text-xs text-zinc-500">Reviewers grade each item&apos;s expected output (there is no model answer).</p>
          </>
        )}
      </form>
    </Dialog>
  );
}

function Radio({ name, label, checked, onChange }: { name: string; label: string; checked: boolean; onChange: () => void }) {
  return (
    <label className="inline-flex items-center gap-2 text-[13px] text-zinc-800">
      <input type="radio" name={name} checked={checked} onChange={onChange} className="size-4 accent-[var(--color-accent)]" />
      {label}
    </label>
  );
}

// ---------------------------------------------------------------------------------------------
// Reviewers

const reviewersSchema = z.object({ userIds: z.array(z.uuid()).max(100, "Choose at most 100 reviewers") });
type ReviewersValues = z.infer<typeof reviewersSchema>;

// People whose role can grade (an organization role or a project override).
const canGrade = (role: string | null) => role === "owner" || role === "admin" || role === "editor" || role === "reviewer";

export function ReviewersDialog({
  orgSlug,
  projectSlug,
  name,
  current,
  onClose,
  onSaved,
}: Base & { current: string[]; onClose: () => void; onSaved: (message: string) => void }) {
  const trpc = useTRPC();
  const formId = useId();
  const invalidate = useInvalidateQueue();
  const members = useQuery(trpc.members.list.queryOptions({ orgSlug }));
  const form = useForm<ReviewersValues>({ resolver: zodResolver(reviewersSchema), defaultValues: { userIds: current } });
  const error = form.formState.errors.userIds?.message;
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation(
    trpc.reviews.setReviewers.mutationOptions({
      onSuccess: async (r) => {
        await invalidate();
        onSaved(`${r.reviewers} ${r.reviewers === 1 ? "reviewer" : "reviewers"} assigned.`);
      },
      onError: (e) =>
        setFormError(applyServerErrors(form, e, { labels: { userIds: "Reviewers" }, fieldOf: (path) => (path.startsWith("userIds") ? "userIds" : null) })),
    }),
  );
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit((v) => save.mutate({ orgSlug, projectSlug, name, userIds: v.userIds }))(e);
  };
  const list = members.data ?? [];
  return (
    <Dialog
      open
      onClose={onClose}
      title="Reviewers"
      description="Reviewers see only the queues they are assigned to, and in them only their own grades."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" loading={save.isPending}>
            Save reviewers
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Reviewers">
        <FormProblem message={formError} />
        {members.isPending ? (
          <Spinner label="Loading members…" />
        ) : members.isError ? (
          <QueryErrorAlert title="Could not load the members" error={members.error} />
        ) : (
          <Controller
            control={form.control}
            name="userIds"
            render={({ field }) => {
              const chosen = new Set(field.value);
              return (
                <fieldset aria-describedby={error ? `${formId}-error` : undefined}>
                  <legend className="mb-2 text-[13px] text-zinc-600">
                    {chosen.size} of {list.length} members chosen
                  </legend>
                  <ul className="flex flex-col divide-y divide-zinc-100 rounded-md border border-zinc-200">
                    {list.map((m) => {
                      const role = m.projectRole ?? m.role;
                      const able = canGrade(role);
                      return (
                        <li key={m.userId} className={cn("px-3 py-2", !able && "bg-zinc-50")}>
                          <Checkbox
                            label={m.name ? `${m.name} (${m.email})` : m.email}
                            description={able ? `Role: ${role}` : `Role: ${role}. This role cannot grade; they would see nothing to review.`}
                            checked={chosen.has(m.userId)}
                            disabled={!able && !chosen.has(m.userId)}
                            onChange={(e) => field.onChange(e.target.checked ? [...field.value, m.userId] : field.value.filter((id) => id !== m.userId))}
                          />
                        </li>
                      );
                    })}
                  </ul>
                  {error ? (
                    <p id={`${formId}-error`} className="mt-1.5 text-xs text-red-700">
                      {error}
                    </p>
                  ) : null}
                </fieldset>
              );
            }}
          />
        )}
      </form>
    </Dialog>
  );
}
// ---------------------------------------------------------------------------------------------
// Gold and adjudication

export type QueueItem = RouterOutputs["reviews"]["items"]["items"][number];

function ItemContent({ item }: { item: QueueItem }) {
  return (
    <dl className="mb-4 grid gap-2 rounded-md border border-zinc-200 bg-zinc-50/60 p-3 text-[13px]">
      <div>
        <dt className="text-xs font-medium text-zinc-500">Input</dt>
        <dd className="line-clamp-4 whitespace-pre-wrap text-zinc-800">{preview(item.input, 600) || "—"}</dd>
      </div>
      <div>
        <dt className="text-xs font-medium text-zinc-500">Output</dt>
        <dd className="line-clamp-6 whitespace-pre-wrap text-zinc-800">{typeof item.output === "string" ? item.output : preview(item.output, 800) || "—"}</dd>
      </div>
      {item.expected !== null && item.expected !== undefined ? (
        <div>
          <dt className="text-xs font-medium text-zinc-500">Expected</dt>
          <dd className="line-clamp-3 whitespace-pre-wrap text-zinc-700">{preview(item.expected, 400)}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** The item's reviews side by side: one column per reviewer, one row per dimension; rows where they differ are marked. */
export function ReviewsGrid({
  rubric,
  reviews,
  differing,
  position,
  compact = false,
}: {
  rubric: Rubric;
  reviews: QueueItem["reviews"];
  differing: string[];
  position: number;
  compact?: boolean;
}) {
  if (reviews.length === 0) return <span className="text-xs text-zinc-500">No reviews yet</span>;
  return (
    <table className={cn("border-collapse text-left text-xs", compact ? "" : "w-full")}>
      <caption className="sr-only">Reviews of item #{position}</caption>
      <thead>
        <tr>
          <th scope="col" className="pr-3 pb-1 font-medium text-zinc-500">
            <span className="sr-only">Dimension</span>
          </th>
          {reviews.map((r) => (
            <th key={r.reviewer} scope="col" className="max-w-36 truncate pr-3 pb-1 font-medium text-zinc-500" title={r.reviewer}>
              {r.reviewer.split("@")[0]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rubric.map((d) => {
          const differs = differing.includes(d.key);
          return (
            <tr key={d.key} className={differs ? "bg-amber-50" : undefined}>
              <th scope="row" className={cn("py-0.5 pr-3 font-normal whitespace-nowrap", differs ? "text-amber-900" : "text-zinc-500")}>
                {d.label}
                {differs ? <span className="sr-only"> (reviewers differ)</span> : null}
              </th>
              {reviews.map((r) => (
                <td
                  key={r.reviewer}
                  className={cn("max-w-48 py-0.5 pr-3 text-zinc-800", d.type === "text" && "truncate")}
                  title={d.type === "text" ? String(r.grade[d.key] ?? "") : undefined}
                >
                  {formatGradeValue(d, r.grade[d.key])}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

// The grade controls are one controlled value (the draft, text by dimension key); the rubric's own
// checkGrade finds the problem and puts it on its dimension, `grade.<key>`, where the server names it too.
const gradeDraft = (rubric: Rubric) =>
  z.record(z.string(), z.string()).superRefine((draft, ctx) => {
    for (const [key, message] of Object.entries(checkDraft(rubric, draft).errors ?? {})) ctx.addIssue({ code: "custom", path: [key], message });
  });

/** A server error on one of the rubric's dimensions ("grade.tone") goes on that dimension. */
const gradeFieldOf = (rubric: Rubric) => (path: string) => (rubric.some((d) => path === `grade.${d.key}`) ? (path as `grade.${string}`) : null);

function gradeErrors(rubric: Rubric, errors: FieldErrors<{ grade: GradeDraft }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of rubric) {
    const message = errors.grade?.[d.key]?.message;
    if (message) out[d.key] = message;
  }
  return out;
}

type GoldValues = { grade: GradeDraft };

export function GoldDialog({
  orgSlug,
  projectSlug,
  name,
  rubric,
  item,
  onClose,
  onSaved,
}: Base & { rubric: Rubric; item: QueueItem; onClose: () => void; onSaved: (message: string) => void }) {
  const trpc = useTRPC();
  const formId = useId();
  const invalidate = useInvalidateQueue();
  const existing = (item.gold as Grade | null) ?? null;
  // Focus goes to the first problem in the page's order (focusFirstProblem), the grade's radios included.
  const form = useForm<GoldValues>({
    resolver: zodResolver(z.object({ grade: gradeDraft(rubric) })),
    defaultValues: { grade: draftFromGrade(rubric, existing ?? (item.finalGrade as Grade | null)) },
    shouldFocusError: false,
  });
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation(
    trpc.reviews.setGold.mutationOptions({
      onSuccess: async (r) => {
        await invalidate();
        onSaved(r.gold ? `Item #${item.position} is a gold item.` : `Item #${item.position} is no longer a gold item.`);
      },
      onError: (error) => {
        setFormError(applyServerErrors(form, error, { fieldOf: gradeFieldOf(rubric) }));
        focusFirstProblem(formId);
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      (v) => save.mutate({ orgSlug, projectSlug, name, position: item.position, grade: gradeFromDraft(rubric, v.grade) }),
      () => focusFirstProblem(formId),
    )(e);
  };
  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      title={existing ? `Gold grade of item #${item.position}` : `Mark item #${item.position} as gold`}
      description="A gold item has a known correct grade. It is mixed in unannounced and measures each reviewer's accuracy; every reviewer of the queue grades it."
      footer={
        <>
          {existing ? (
            <Button
              variant="danger-ghost"
              className="mr-auto"
              loading={save.isPending && save.variables?.grade === null}
              onClick={() => (setFormError(null), save.mutate({ orgSlug, projectSlug, name, position: item.position, grade: null }))}
            >
              Unmark gold
            </Button>
          ) : null}
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" loading={save.isPending && save.variables?.grade !== null}>
            {existing ? "Save gold grade" : "Mark as gold"}
          </Button>
        </>
      }
    >
      <FormProblem message={formError} />
      <ItemContent item={item} />
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Gold grade">
        <Controller
          control={form.control}
          name="grade"
          render={({ field }) => (
            <GradeForm
              rubric={rubric}
              draft={field.value}
              onChange={field.onChange}
              errors={gradeErrors(rubric, form.formState.errors)}
              idPrefix={`${formId}-g`}
            />
          )}
        />
      </form>
    </Dialog>
  );
}

const adjudicateNote = text(2000).min(1, "is required: say why this is the final grade");
type AdjudicateValues = { grade: GradeDraft; note: string };

export function AdjudicateDialog({
  orgSlug,
  projectSlug,
  name,
  rubric,
  item,
  onClose,
  onSaved,
}: Base & { rubric: Rubric; item: QueueItem; onClose: () => void; onSaved: (message: string) => void }) {
  const trpc = useTRPC();
  const formId = useId();
  const invalidate = useInvalidateQueue();
  const form = useForm<AdjudicateValues>({
    resolver: placedZodResolver(z.object({ grade: gradeDraft(rubric), note: z.string().trim().pipe(adjudicateNote) }), { labels: { note: "Note" } }),
    defaultValues: {
      grade: draftFromAgreement(
        rubric,
        item.reviews.map((r) => r.grade),
      ),
      note: "",
    },
    shouldFocusError: false,
  });
  const { errors } = form.formState;
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation(
    trpc.reviews.adjudicate.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onSaved(`Item #${item.position} adjudicated: its final grade is set.`);
      },
      onError: (error) => {
        const onGrade = gradeFieldOf(rubric);
        setFormError(applyServerErrors(form, error, { labels: { note: "Note" }, fieldOf: (path) => (path === "note" ? "note" : onGrade(path)) }));
        focusFirstProblem(formId);
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      (v) => save.mutate({ orgSlug, projectSlug, name, position: item.position, grade: gradeFromDraft(rubric, v.grade), note: v.note }),
      () => focusFirstProblem(formId),
    )(e);
  };
  const differingLabels = rubric.filter((d) => item.differing.includes(d.key)).map((d) => d.label);
  return (
    <Dialog
      open
      onClose={onClose}
      size="xl"
      closeOnBackdrop={false}
      title={`Adjudicate item #${item.position}`}
      description={
        differingLabels.length
          ? `Reviewers differ on ${differingLabels.join(", ")}. Your grade becomes the item's final grade.`
          : "Your grade becomes the item's final grade."
      }
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" loading={save.isPending}>
            Set final grade
          </Button>
        </>
      }
    >
      <FormProblem message={formError} />
      <div className="grid gap-5 lg:grid-cols-2">
        <div className="min-w-0">
          <ItemContent item={item} />
          <section aria-labelledby={`${formId}-reviews`} className="rounded-md border border-zinc-200 p-3">
            <h3 id={`${formId}-reviews`} className="mb-2 text-xs font-semibold text-zinc-700">
              The reviews
            </h3>
            <ReviewsGrid rubric={rubric} reviews={item.reviews} differing={item.differing} position={item.position} />
          </section>
        </div>
        <form id={formId} onSubmit={onSubmit} noValidate aria-label="Final grade" className="flex min-w-0 flex-col gap-4">
          <h3 className="text-xs font-semibold text-zinc-700">Final grade</h3>
          <Controller
            control={form.control}
            name="grade"
            render={({ field }) => (
              <GradeForm rubric={rubric} draft={field.value} onChange={field.onChange} errors={gradeErrors(rubric, errors)} idPrefix={`${formId}-a`} />
            )}
          />
          <Textarea
            label="Note"
            {...form.register("note")}
            error={errors.note?.message}
            maxLength={2000}
            rows={3}
            hint="Required. Why this is the right grade; it is kept with the item and in the audit log."
          />
        </form>
      </div>
    </Dialog>
  );
}

const addToDatasetSchema = z.object({ dataset: z.string().min(1, "Choose a dataset") });
type AddToDatasetValues = z.infer<typeof addToDatasetSchema>;

/** Finalised items into a dataset: the reviewed output becomes the expected output, with a link back. */
export function AddToDatasetDialog({
  orgSlug,
  projectSlug,
  name,
  finalized,
  onClose,
  onSaved,
}: Base & { finalized: number; onClose: () => void; onSaved: (message: string) => void }) {
  const trpc = useTRPC();
  const formId = useId();
  const datasets = useQuery(trpc.datasets.list.queryOptions({ orgSlug, projectSlug }));
  const form = useForm<AddToDatasetValues>({ resolver: zodResolver(addToDatasetSchema), defaultValues: { dataset: "" } });
  // Controlled: the options arrive with the query.
  const dataset = useWatch({ control: form.control, name: "dataset" });
  const [formError, setFormError] = useState<string | null>(null);
  const add = useMutation(
    trpc.reviews.addToDataset.mutationOptions({
      onSuccess: (r, v) => onSaved(`${r.itemIds.length} finalised ${r.itemIds.length === 1 ? "item" : "items"} added to ${v.dataset} as version ${r.version}.`),
      onError: (e) => setFormError(applyServerErrors(form, e, { labels: { dataset: "Dataset" } })),
    }),
  );
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit((v) => add.mutate({ orgSlug, projectSlug, name, dataset: v.dataset }))(e);
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title="Add finalised items to a dataset"
      description={`The ${finalized} finalised ${finalized === 1 ? "item goes" : "items go"} into the dataset as one new version: the reviewed output becomes the expected output, and the final grade and a link back to this queue go into the item's metadata.`}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" loading={add.isPending}>
            Add to dataset
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Add to dataset">
        <FormProblem message={formError} />
        <Select label="Dataset" {...form.register("dataset")} value={dataset} error={form.formState.errors.dataset?.message} disabled={datasets.isPending}>
          <option value="">Choose a dataset…</option>
          {(datasets.data ?? []).map((d) => (
            <option key={d.name} value={d.name}>
              {d.name}
            </option>
          ))}
        </Select>
      </form>
    </Dialog>
  );
}
