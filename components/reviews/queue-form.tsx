"use client";
// The new review queue form: name, description, guidelines (Markdown), the rubric builder (add,
// remove and reorder dimensions; per type its fields; keys derived from labels until edited)
// and the queue's settings. One react-hook-form form: the dimensions and each one's options are
// field arrays, the rubric is checked with the shared zod schema before sending, and the server's
// own findings come back as `rubric.<i>.<field>` or `<field>` and land on that field.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useFieldArray, useForm, useWatch, type FieldPath, type UseFormReturn } from "react-hook-form";
import { z } from "zod";
import { text } from "@/server/contracts/fields";
import { queueName, rubric as rubricSchema, DIMENSION_TYPES, type DimensionType } from "@/server/contracts/reviews";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, ButtonLink, Card, CardBody, CardHeader, Checkbox, Input, PageHeader, Select, Textarea } from "@/components/ui";
import { ArrowDownIcon, ArrowUpIcon, PlusIcon, TrashIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid, phraseFieldMessage } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver, type FieldPlacement } from "@/components/lib/form-errors";
import { keyFromLabel, reviewsHref, TYPE_LABELS } from "./model";

// A dimension as edited: every type's fields are kept (switching type back restores them); only
// the chosen type's go into the rubric. Numbers are text until sent.
type OptionValues = { label: string; value: string; valueEdited: boolean };
type DimensionValues = {
  type: DimensionType;
  label: string;
  key: string;
  keyEdited: boolean;
  description: string;
  required: boolean;
  min: string;
  max: string;
  step: string;
  options: OptionValues[];
  ordered: boolean;
  maxLength: string;
};

const blankOption = (): OptionValues => ({ label: "", value: "", valueEdited: false });
function blankDimension(type: DimensionType = "categorical"): DimensionValues {
  return {
    type,
    label: "",
    key: "",
    keyEdited: false,
    description: "",
    required: type !== "text",
    min: "1",
    max: "5",
    step: "1",
    options: [blankOption(), blankOption()],
    ordered: false,
    maxLength: "2000",
  };
}

const num = (t: string) => (t.trim() === "" ? undefined : Number(t.trim()));

function rubricFromValues(dims: DimensionValues[]): unknown[] {
  return dims.map((d) => {
    const base = { key: d.key, label: d.label, description: d.description.trim(), required: d.required };
    switch (d.type) {
      case "numeric":
        return { type: d.type, ...base, min: num(d.min), max: num(d.max), step: num(d.step) };
      case "categorical":
        return { type: d.type, ...base, options: d.options.map((o) => ({ value: o.value, label: o.label })), ordered: d.ordered };
      case "boolean":
        return { type: d.type, ...base };
      case "text":
        return { type: d.type, ...base, maxLength: num(d.maxLength) };
    }
  });
}

const DIMENSION_LABELS: Record<string, string> = {
  key: "Key",
  label: "Label",
  description: "Description",
  min: "Min",
  max: "Max",
  step: "Step",
  options: "Options",
  maxLength: "Max length",
};

/** A rubric problem at `path` (["1", "options", "0", "label"], relative to the rubric) as the form field it belongs to and a message phrased for it. */
function rubricProblem(path: PropertyKey[], message: string): { field: string; message: string } {
  const [index, field, sub, subField] = path.map(String);
  if (index === undefined || field === undefined) return { field: "rubric", message: phraseFieldMessage(message, "rubric", "The rubric") };
  if (field === "options" && sub !== undefined && subField !== undefined)
    return { field: `rubric.${index}.options.${sub}.${subField}`, message: phraseFieldMessage(message, subField, subField === "value" ? "Value" : "Label") };
  return { field: `rubric.${index}.${field}`, message: phraseFieldMessage(message, field, DIMENSION_LABELS[field] ?? field) };
}

const queueSchema = z.object({
  name: z.string().trim().pipe(queueName),
  description: z.string().trim().pipe(text(2000)),
  guidelines: text(50_000),
  // The rubric's own schema, on what the dimensions become: each problem lands on its field.
  rubric: z.array(z.custom<DimensionValues>()).superRefine((dims, ctx) => {
    for (const issue of rubricSchema.safeParse(rubricFromValues(dims)).error?.issues ?? []) {
      ctx.addIssue({ code: "custom", path: issue.path, message: rubricProblem(issue.path, issue.message).message });
    }
  }),
  reviewsPerItem: z.string(),
  blind: z.boolean(),
  showAutoScores: z.boolean(),
  leaseMinutes: z
    .string()
    .refine(
      (t) => t.trim() !== "" && Number.isInteger(Number(t)) && Number(t) >= 1 && Number(t) <= 240,
      "Lease must be a whole number of minutes from 1 to 240",
    ),
});
type QueueValues = z.infer<typeof queueSchema>;
type QueueForm = UseFormReturn<QueueValues>;

const LABELS = { name: "Name", description: "Description", guidelines: "Guidelines", reviewsPerItem: "Reviews per item", leaseMinutes: "Lease" } as const;
/** Rubric paths (rubric.1.label) are placed by the rubric's own wording; the rest by LABELS. */
const PLACEMENT: FieldPlacement<QueueValues> = {
  labels: LABELS,
  fieldOf: (path) => (path in LABELS ? (path as keyof typeof LABELS) : path.startsWith("rubric") ? (path as FieldPath<QueueValues>) : null),
};

export function QueueForm({ orgSlug, projectSlug, projectName }: { orgSlug: string; projectSlug: string; projectName: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useForm<QueueValues>({
    resolver: placedZodResolver(queueSchema, PLACEMENT),
    defaultValues: {
      name: "",
      description: "",
      guidelines: "",
      rubric: [blankDimension()],
      reviewsPerItem: "2",
      blind: true,
      showAutoScores: false,
      leaseMinutes: "10",
    },
  });
  const {
    register,
    formState: { errors },
  } = form;
  const dimensions = useFieldArray({ control: form.control, name: "rubric" });
  const [formError, setFormError] = useState<string | null>(null);

  const create = useMutation(
    trpc.reviews.create.mutationOptions({
      onSuccess: async (queue) => {
        await queryClient.invalidateQueries({ queryKey: trpc.reviews.list.queryKey() });
        router.push(reviewsHref(orgSlug, projectSlug, queue.name));
      },
      onError: (error) => {
        const field = errorInfo(error).field;
        if (field === "rubric" || field?.startsWith("rubric.")) {
          // The domain says "rubric.1.label is required": the path, then the problem.
          const message = errorInfo(error).message.replace(`${field} `, "");
          const problem = rubricProblem(field.split(".").slice(1), message);
          form.setError(problem.field as FieldPath<QueueValues>, { type: "server", message: problem.message }, { shouldFocus: true });
          return focusFirstInvalid(formId);
        }
        setFormError(applyServerErrors(form, error, PLACEMENT));
      },
    }),
  );

  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      (v) =>
        create.mutate({
          orgSlug,
          projectSlug,
          name: v.name,
          description: v.description,
          guidelines: v.guidelines,
          rubric: rubricFromValues(v.rubric),
          reviewsPerItem: Number(v.reviewsPerItem),
          blind: v.blind,
          showAutoScores: v.showAutoScores,
          leaseMinutes: Number(v.leaseMinutes),
        }),
      () => focusFirstInvalid(formId),
    )(e);
  };

  const rubricError = errors.rubric?.root?.message ?? errors.rubric?.message;
  return (
    <>
      <PageHeader
        eyebrow={
          <>
            {projectName} ·{" "}
            <Link href={reviewsHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
              Reviews
            </Link>
          </>
        }
        title="New review queue"
        description="Describe what reviewers grade and how. After creating the queue, fill it with outputs and choose its reviewers."
      />
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="New review queue" className="flex max-w-4xl flex-col gap-4">
        {formError ? (
          <div role="region" aria-label="Problem">
            <Alert tone="error">{formError}</Alert>
          </div>
        ) : null}
        <Card aria-labelledby="about-title">
          <CardHeader title="About" titleId="about-title" />
          <CardBody className="grid gap-4 py-4">
            <div className="grid gap-4 sm:grid-cols-2">
              <Input
                label="Name"
                {...register("name")}
                error={errors.name?.message}
                placeholder="reply-quality"
                className="font-mono"
                spellCheck={false}
                autoComplete="off"
                hint="Letters, digits, . _ and -; it is part of the address."
              />
              <Input
                label="Description"
                labelAside={<span className="text-xs text-zinc-500">optional</span>}
                {...register("description")}
                error={errors.description?.message}
                maxLength={2000}
              />
            </div>
            <Textarea
              label="Guidelines"
              labelAside={<span className="text-xs text-zinc-500">Markdown</span>}
              {...register("guidelines")}
              error={errors.guidelines?.message}
              rows={6}
              className="font-mono text-[13px]"
              hint="Reviewers read these beside every item: what good looks like, edge cases, examples."
            />
          </CardBody>
        </Card>

        <Card aria-labelledby="rubric-title">
          <CardHeader
            title="Rubric"
            titleId="rubric-title"
            description="The dimensions every reviewer grades. Agreement is measured per dimension (free text is not compared)."
          />
          <CardBody className="flex flex-col gap-3 py-4">
            {rubricError ? (
              <p className="text-xs text-red-700" id={`${formId}-rubric-error`}>
                {rubricError}
              </p>
            ) : null}
            <div className="flex flex-col gap-3">
              {dimensions.fields.map((field, i) => (
                <DimensionEditor
                  key={field.id}
                  form={form}
                  index={i}
                  count={dimensions.fields.length}
                  onMove={(by) => dimensions.move(i, i + by)}
                  onRemove={() => dimensions.remove(i)}
                />
              ))}
            </div>
            <div className="flex flex-wrap items-center gap-3">
              {/* Appending focuses the new dimension's first field (its label). */}
              <Button size="sm" icon={<PlusIcon size={14} />} disabled={dimensions.fields.length >= 20} onClick={() => dimensions.append(blankDimension())}>
                Add dimension
              </Button>
              <span className="text-xs text-zinc-500">{dimensions.fields.length} of at most 20</span>
            </div>
          </CardBody>
        </Card>

        <Card aria-labelledby="settings-title">
          <CardHeader title="How reviewing works" titleId="settings-title" />
          <CardBody className="grid gap-4 py-4 sm:grid-cols-2">
            <Select
              label="Reviews per item"
              {...register("reviewsPerItem")}
              error={errors.reviewsPerItem?.message}
              hint="Independent reviews before an item is final. Two or more measure agreement."
            >
              {[1, 2, 3, 4, 5].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </Select>
            <Input
              label="Lease (minutes)"
              type="number"
              min={1}
              max={240}
              {...register("leaseMinutes")}
              error={errors.leaseMinutes?.message}
              hint="How long a reviewer holds an item before it goes back to the queue."
            />
            <Checkbox label="Blind review" description="Reviewers do not see each other's grades. Leads always see every grade." {...register("blind")} />
            <Checkbox
              label="Show automatic scores"
              description="Reviewers see the evaluators' scores of outputs from evaluation runs (may anchor their judgement)."
              {...register("showAutoScores")}
            />
          </CardBody>
        </Card>

        <div className="flex items-center justify-end gap-2">
          <ButtonLink href={reviewsHref(orgSlug, projectSlug)}>Cancel</ButtonLink>
          <Button type="submit" variant="primary" loading={create.isPending}>
            Create queue
          </Button>
        </div>
      </form>
    </>
  );
}

function DimensionEditor({
  form,
  index,
  count,
  onMove,
  onRemove,
}: {
  form: QueueForm;
  index: number;
  count: number;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const { register, setValue, getValues } = form;
  const at = `rubric.${index}` as const;
  const [type, label, keyEdited] = useWatch({ control: form.control, name: [`${at}.type`, `${at}.label`, `${at}.keyEdited`] });
  const errors = form.formState.errors.rubric?.[index];
  // A derived key is checked again while the form shows its problems (after a save was tried).
  const revalidate = { shouldValidate: form.formState.isSubmitted };
  const title = `Dimension ${index + 1}`;
  const named = label.trim() ? `${title} (${label.trim()})` : title;
  return (
    <fieldset className="rounded-md border border-zinc-200 bg-zinc-50/40">
      <legend className="sr-only">{title}</legend>
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-3 py-2">
        <p aria-hidden="true" className="text-xs font-medium text-zinc-500">
          {title}
          {label.trim() ? <span className="text-zinc-800"> · {label.trim()}</span> : null}
        </p>
        <div className="flex items-center gap-0.5">
          <Button size="sm" variant="ghost" aria-label={`Move ${named} up`} disabled={index === 0} onClick={() => onMove(-1)} className="px-1.5">
            <ArrowUpIcon size={14} />
          </Button>
          <Button size="sm" variant="ghost" aria-label={`Move ${named} down`} disabled={index === count - 1} onClick={() => onMove(1)} className="px-1.5">
            <ArrowDownIcon size={14} />
          </Button>
          <Button size="sm" variant="danger-ghost" aria-label={`Remove ${named}`} disabled={count === 1} onClick={onRemove} className="px-1.5">
            <TrashIcon size={14} />
          </Button>
        </div>
      </div>
      <div className="grid gap-3 p-3 sm:grid-cols-[1fr_1fr_12rem]">
        <Input
          label="Label"
          {...register(`${at}.label`, { onChange: (e) => getValues(`${at}.keyEdited`) || setValue(`${at}.key`, keyFromLabel(e.target.value), revalidate) })}
          error={errors?.label?.message}
          maxLength={100}
          placeholder="Helpfulness"
        />
        <Input
          label="Key"
          {...register(`${at}.key`, { onChange: (e) => setValue(`${at}.keyEdited`, e.target.value !== "") })}
          error={errors?.key?.message}
          maxLength={40}
          className="font-mono"
          spellCheck={false}
          autoComplete="off"
          hint={keyEdited ? "Set by hand." : "From the label; edit to change."}
        />
        <Select label="Type" {...register(`${at}.type`, { onChange: (e) => setValue(`${at}.required`, e.target.value !== "text") })}>
          {DIMENSION_TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABELS[t]}
            </option>
          ))}
        </Select>
        <Input
          label="Description"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          {...register(`${at}.description`)}
          error={errors?.description?.message}
          maxLength={500}
          wrapperClassName="sm:col-span-2"
          placeholder="What reviewers should judge"
        />
        <div className="flex items-end pb-1.5">
          <Checkbox label="Required" {...register(`${at}.required`)} />
        </div>
      </div>
      {type === "numeric" ? (
        <div className="border-t border-zinc-200 p-3">
          <div className="grid grid-cols-3 gap-3 sm:max-w-md">
            <Input label="Min" type="number" {...register(`${at}.min`)} error={errors?.min?.message} />
            <Input label="Max" type="number" {...register(`${at}.max`)} error={errors?.max?.message} />
            <Input label="Step" type="number" {...register(`${at}.step`)} error={errors?.step?.message} />
          </div>
        </div>
      ) : type === "text" ? (
        <div className="border-t border-zinc-200 p-3 sm:max-w-48">
          <Input label="Max length" type="number" {...register(`${at}.maxLength`)} error={errors?.maxLength?.message} hint="Characters" />
        </div>
      ) : type === "categorical" ? (
        <OptionsEditor form={form} index={index} />
      ) : (
        <p className="border-t border-zinc-200 px-3 py-2.5 text-xs text-zinc-500">Reviewers answer yes or no.</p>
      )}
    </fieldset>
  );
}

/** A categorical dimension's options (2 to 9, in order), values derived from labels until edited. */
function OptionsEditor({ form, index }: { form: QueueForm; index: number }) {
  const { register, setValue, getValues } = form;
  const at = `rubric.${index}.options` as const;
  const options = useFieldArray({ control: form.control, name: at });
  const errors = form.formState.errors.rubric?.[index]?.options;
  const listError = errors?.root?.message ?? errors?.message;
  const revalidate = { shouldValidate: form.formState.isSubmitted };
  return (
    <div className="flex flex-col gap-2 border-t border-zinc-200 p-3">
      <div className="grid grid-cols-[1.5rem_1fr_1fr_2rem] gap-2 text-xs font-medium text-zinc-600" aria-hidden="true">
        <span />
        <span>Option label</span>
        <span>Value</span>
        <span />
      </div>
      <ol className="flex flex-col gap-2">
        {options.fields.map((o, j) => (
          <li key={o.id} className="grid grid-cols-[1.5rem_1fr_1fr_2rem] items-start gap-2">
            <span className="pt-1.5 text-right font-mono text-xs text-zinc-500">{j + 1}</span>
            <Input
              label={`Option ${j + 1} label`}
              hideLabel
              {...register(`${at}.${j}.label`, {
                onChange: (e) => getValues(`${at}.${j}.valueEdited`) || setValue(`${at}.${j}.value`, keyFromLabel(e.target.value), revalidate),
              })}
              error={errors?.[j]?.label?.message}
              maxLength={100}
            />
            <Input
              label={`Option ${j + 1} value`}
              hideLabel
              {...register(`${at}.${j}.value`, { onChange: (e) => setValue(`${at}.${j}.valueEdited`, e.target.value !== "") })}
              error={errors?.[j]?.value?.message}
              maxLength={40}
              className="font-mono"
              spellCheck={false}
              autoComplete="off"
            />
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Remove option ${j + 1}`}
              className="mt-0.5 px-1.5"
              disabled={options.fields.length <= 2}
              onClick={() => options.remove(j)}
            >
              <TrashIcon size={14} />
            </Button>
          </li>
        ))}
      </ol>
      {listError ? <p className="text-xs text-red-700">{listError}</p> : null}
      <div className="flex flex-wrap items-center gap-4">
        <Button size="sm" icon={<PlusIcon size={14} />} disabled={options.fields.length >= 9} onClick={() => options.append(blankOption())}>
          Add option
        </Button>
        <Checkbox
          label="Ordered"
          description="Options go from worst to best: agreement counts near misses (ordinal)."
          {...register(`rubric.${index}.ordered`)}
        />
      </div>
    </div>
  );
}
