"use client";
// The new review queue form: name, description, guidelines (Markdown), the rubric builder (add,
// remove and reorder dimensions; per type its fields; keys derived from labels until edited)
// and the queue's settings. The rubric is checked with the shared zod schema before sending; the
// server's own findings come back as `rubric.<i>.<field>` or `<field>` and land on that field.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useRef, useState, type FormEvent } from "react";
import { rubric as rubricSchema, DIMENSION_TYPES, type DimensionType } from "@/server/contracts/reviews";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, ButtonLink, Card, CardBody, CardHeader, Checkbox, Input, PageHeader, Select, Textarea } from "@/components/ui";
import { ArrowDownIcon, ArrowUpIcon, PlusIcon, TrashIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid, phraseFieldMessage } from "@/components/lib/errors";
import { keyFromLabel, reviewsHref, TYPE_LABELS } from "./model";

type OptionDraft = { id: number; label: string; value: string; valueEdited: boolean };
type DimensionDraft = {
  id: number;
  type: DimensionType;
  label: string;
  key: string;
  keyEdited: boolean;
  description: string;
  required: boolean;
  min: string;
  max: string;
  step: string;
  options: OptionDraft[];
  ordered: boolean;
  maxLength: string;
};

let nextId = 1;
const newId = () => nextId++;
const blankOption = (): OptionDraft => ({ id: newId(), label: "", value: "", valueEdited: false });
function blankDimension(type: DimensionType = "categorical"): DimensionDraft {
  return { id: newId(), type, label: "", key: "", keyEdited: false, description: "", required: type !== "text", min: "1", max: "5", step: "1", options: [blankOption(), blankOption()], ordered: false, maxLength: "2000" };
}

const num = (t: string) => (t.trim() === "" ? undefined : Number(t.trim()));

function rubricFromDrafts(dims: DimensionDraft[]): unknown[] {
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

const LABELS: Record<string, string> = { name: "Name", description: "Description", guidelines: "Guidelines", reviewsPerItem: "Reviews per item", leaseMinutes: "Lease", rubric: "The rubric", key: "Key", label: "Label", min: "Min", max: "Max", step: "Step", options: "Options", maxLength: "Max length", value: "Value" };

/** A rubric path ["1", "options", "0", "label"] → the error key and a phrased message. */
function rubricError(path: (string | number)[], message: string): [string, string] {
  const [index, field, sub, subField] = path.map(String);
  if (index === undefined || field === undefined) return ["rubric", phraseFieldMessage(message, "rubric", LABELS.rubric!)];
  if (field === "options" && sub !== undefined && subField !== undefined) return [`${index}.options.${sub}.${subField}`, phraseFieldMessage(message, subField, subField === "value" ? "Value" : "Label")];
  return [`${index}.${field}`, phraseFieldMessage(message, field, LABELS[field] ?? field)];
}

export function QueueForm({ orgSlug, projectSlug, projectName }: { orgSlug: string; projectSlug: string; projectName: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [guidelines, setGuidelines] = useState("");
  const [dims, setDims] = useState<DimensionDraft[]>(() => [blankDimension()]);
  const [reviewsPerItem, setReviewsPerItem] = useState("2");
  const [blind, setBlind] = useState(true);
  const [showAutoScores, setShowAutoScores] = useState(false);
  const [leaseMinutes, setLeaseMinutes] = useState("10");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const dimsRef = useRef<HTMLDivElement>(null);

  const create = useMutation(
    trpc.reviews.create.mutationOptions({
      onSuccess: async (queue) => {
        await queryClient.invalidateQueries({ queryKey: trpc.reviews.list.queryKey() });
        router.push(reviewsHref(orgSlug, projectSlug, queue.name));
      },
      onError: (error) => {
        const info = errorInfo(error);
        const field = info.field;
        if (field?.startsWith("rubric")) {
          const parts = field.split(".").slice(1);
          const message = info.message.startsWith(`${field} `) ? info.message.slice(field.length + 1) : info.message;
          const [k, m] = rubricError(parts, message);
          setErrors({ [k]: m });
        } else if (field && field in LABELS) {
          setErrors({ [field]: phraseFieldMessage(info.message, field, LABELS[field]!) });
        } else {
          setFormError(info.message);
          return;
        }
        focusFirstInvalid(formId);
      },
    }),
  );

  function update(id: number, patch: Partial<DimensionDraft>) {
    setDims((list) => list.map((d) => (d.id === id ? { ...d, ...patch } : d)));
  }
  function move(index: number, by: -1 | 1) {
    setDims((list) => {
      const next = [...list];
      const [d] = next.splice(index, 1);
      next.splice(index + by, 0, d!);
      return next;
    });
    setErrors({});
  }

  function validate(): Record<string, string> {
    const next: Record<string, string> = {};
    if (!name.trim()) next.name = "Name is required";
    else if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name.trim())) next.name = "Name may use letters, digits, . _ and - (starting with a letter or digit)";
    else if (name.trim().length > 100) next.name = "Name must be at most 100 characters";
    const lease = Number(leaseMinutes);
    if (!Number.isInteger(lease) || lease < 1 || lease > 240) next.leaseMinutes = "Lease must be a whole number of minutes from 1 to 240";
    const parsed = rubricSchema.safeParse(rubricFromDrafts(dims));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [k, m] = rubricError(issue.path as (string | number)[], issue.message);
        if (!next[k]) next[k] = m;
      }
    }
    return next;
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const next = validate();
    setErrors(next);
    if (Object.keys(next).length) return focusFirstInvalid(formId);
    create.mutate({
      orgSlug,
      projectSlug,
      name: name.trim(),
      description: description.trim(),
      guidelines,
      rubric: rubricFromDrafts(dims),
      reviewsPerItem: Number(reviewsPerItem),
      blind,
      showAutoScores,
      leaseMinutes: Number(leaseMinutes),
    });
  }

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
              <Input label="Name" value={name} error={errors.name} onChange={(e) => (setName(e.target.value), setErrors((x) => ({ ...x, name: "" })))} placeholder="reply-quality" className="font-mono" spellCheck={false} autoComplete="off" hint="Letters, digits, . _ and -; it is part of the address." />
              <Input label="Description" labelAside={<span className="text-xs text-zinc-500">optional</span>} value={description} error={errors.description} maxLength={2000} onChange={(e) => setDescription(e.target.value)} />
            </div>
            <Textarea
              label="Guidelines"
              labelAside={<span className="text-xs text-zinc-500">Markdown</span>}
              value={guidelines}
              error={errors.guidelines}
              onChange={(e) => setGuidelines(e.target.value)}
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
            {errors.rubric ? (
              <p className="text-xs text-red-700" id={`${formId}-rubric-error`}>
                {errors.rubric}
              </p>
            ) : null}
            <div ref={dimsRef} className="flex flex-col gap-3">
              {dims.map((d, i) => (
                <DimensionEditor
                  key={d.id}
                  index={i}
                  count={dims.length}
                  draft={d}
                  errors={errors}
                  onChange={(patch) => (update(d.id, patch), setErrors((x) => Object.fromEntries(Object.entries(x).filter(([k]) => !k.startsWith(`${i}.`) && k !== "rubric"))))}
                  onMove={(by) => move(i, by)}
                  onRemove={() => (setDims((list) => list.filter((x) => x.id !== d.id)), setErrors({}))}
                />
              ))}
            </div>
            <div className="flex flex-wrap items-center gap-3">
              <Button
                size="sm"
                icon={<PlusIcon size={14} />}
                disabled={dims.length >= 20}
                onClick={() => {
                  setDims((list) => [...list, blankDimension()]);
                  requestAnimationFrame(() => dimsRef.current?.querySelector<HTMLElement>("fieldset:last-of-type input")?.focus());
                }}
              >
                Add dimension
              </Button>
              <span className="text-xs text-zinc-500">{dims.length} of at most 20</span>
            </div>
          </CardBody>
        </Card>

        <Card aria-labelledby="settings-title">
          <CardHeader title="How reviewing works" titleId="settings-title" />
          <CardBody className="grid gap-4 py-4 sm:grid-cols-2">
            <Select label="Reviews per item" value={reviewsPerItem} error={errors.reviewsPerItem} onChange={(e) => setReviewsPerItem(e.target.value)} hint="Independent reviews before an item is final. Two or more measure agreement.">
              {[1, 2, 3, 4, 5].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </Select>
            <Input label="Lease (minutes)" type="number" min={1} max={240} value={leaseMinutes} error={errors.leaseMinutes} onChange={(e) => setLeaseMinutes(e.target.value)} hint="How long a reviewer holds an item before it goes back to the queue." />
            <Checkbox label="Blind review" description="Reviewers do not see each other's grades. Leads always see every grade." checked={blind} onChange={(e) => setBlind(e.target.checked)} />
            <Checkbox label="Show automatic scores" description="Reviewers see the evaluators' scores of outputs from evaluation runs (may anchor their judgement)." checked={showAutoScores} onChange={(e) => setShowAutoScores(e.target.checked)} />
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
  index,
  count,
  draft: d,
  errors,
  onChange,
  onMove,
  onRemove,
}: {
  index: number;
  count: number;
  draft: DimensionDraft;
  errors: Record<string, string>;
  onChange: (patch: Partial<DimensionDraft>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const e = (field: string) => errors[`${index}.${field}`];
  const title = `Dimension ${index + 1}`;
  const named = d.label.trim() ? `${title} (${d.label.trim()})` : title;
  function setOption(id: number, patch: Partial<OptionDraft>) {
    onChange({ options: d.options.map((o) => (o.id === id ? { ...o, ...patch } : o)) });
  }
  return (
    <fieldset className="rounded-md border border-zinc-200 bg-zinc-50/40">
      <legend className="sr-only">{title}</legend>
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-3 py-2">
        <p aria-hidden="true" className="text-xs font-medium text-zinc-500">
          {title}
          {d.label.trim() ? <span className="text-zinc-800"> · {d.label.trim()}</span> : null}
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
        <Input label="Label" value={d.label} error={e("label")} maxLength={100} onChange={(ev) => onChange({ label: ev.target.value, ...(d.keyEdited ? {} : { key: keyFromLabel(ev.target.value) }) })} placeholder="Helpfulness" />
        <Input
          label="Key"
          value={d.key}
          error={e("key")}
          maxLength={40}
          onChange={(ev) => onChange({ key: ev.target.value, keyEdited: ev.target.value !== "" })}
          className="font-mono"
          spellCheck={false}
          autoComplete="off"
          hint={d.keyEdited ? "Set by hand." : "From the label; edit to change."}
        />
        <Select label="Type" value={d.type} onChange={(ev) => onChange({ type: ev.target.value as DimensionType, required: ev.target.value !== "text" })}>
          {DIMENSION_TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABELS[t]}
            </option>
          ))}
        </Select>
        <Input label="Description" labelAside={<span className="text-xs text-zinc-500">optional</span>} value={d.description} error={e("description")} maxLength={500} onChange={(ev) => onChange({ description: ev.target.value })} wrapperClassName="sm:col-span-2" placeholder="What reviewers should judge" />
        <div className="flex items-end pb-1.5">
          <Checkbox label="Required" checked={d.required} onChange={(ev) => onChange({ required: ev.target.checked })} />
        </div>
      </div>
      {d.type === "numeric" ? (
        <div className="border-t border-zinc-200 p-3">
          <div className="grid grid-cols-3 gap-3 sm:max-w-md">
          <Input label="Min" type="number" value={d.min} error={e("min")} onChange={(ev) => onChange({ min: ev.target.value })} />
          <Input label="Max" type="number" value={d.max} error={e("max")} onChange={(ev) => onChange({ max: ev.target.value })} />
          <Input label="Step" type="number" value={d.step} error={e("step")} onChange={(ev) => onChange({ step: ev.target.value })} />
          </div>
        </div>
      ) : d.type === "text" ? (
        <div className="border-t border-zinc-200 p-3 sm:max-w-48">
          <Input label="Max length" type="number" value={d.maxLength} error={e("maxLength")} onChange={(ev) => onChange({ maxLength: ev.target.value })} hint="Characters" />
        </div>
      ) : d.type === "categorical" ? (
        <div className="flex flex-col gap-2 border-t border-zinc-200 p-3">
          <div className="grid grid-cols-[1.5rem_1fr_1fr_2rem] gap-2 text-xs font-medium text-zinc-600" aria-hidden="true">
            <span />
            <span>Option label</span>
            <span>Value</span>
            <span />
          </div>
          <ol className="flex flex-col gap-2">
            {d.options.map((o, j) => (
              <li key={o.id} className="grid grid-cols-[1.5rem_1fr_1fr_2rem] items-start gap-2">
                <span className="pt-1.5 text-right font-mono text-xs text-zinc-500">{j + 1}</span>
                <Input
                  label={`Option ${j + 1} label`}
                  hideLabel
                  value={o.label}
                  error={e(`options.${j}.label`)}
                  maxLength={100}
                  onChange={(ev) => setOption(o.id, { label: ev.target.value, ...(o.valueEdited ? {} : { value: keyFromLabel(ev.target.value) }) })}
                />
                <Input
                  label={`Option ${j + 1} value`}
                  hideLabel
                  value={o.value}
                  error={e(`options.${j}.value`)}
                  maxLength={40}
                  onChange={(ev) => setOption(o.id, { value: ev.target.value, valueEdited: ev.target.value !== "" })}
                  className="font-mono"
                  spellCheck={false}
                  autoComplete="off"
                />
                <Button size="sm" variant="ghost" aria-label={`Remove option ${j + 1}`} className="mt-0.5 px-1.5" disabled={d.options.length <= 2} onClick={() => onChange({ options: d.options.filter((x) => x.id !== o.id) })}>
                  <TrashIcon size={14} />
                </Button>
              </li>
            ))}
          </ol>
          {e("options") ? <p className="text-xs text-red-700">{e("options")}</p> : null}
          <div className="flex flex-wrap items-center gap-4">
            <Button size="sm" icon={<PlusIcon size={14} />} disabled={d.options.length >= 9} onClick={() => onChange({ options: [...d.options, blankOption()] })}>
              Add option
            </Button>
            <Checkbox label="Ordered" description="Options go from worst to best: agreement counts near misses (ordinal)." checked={d.ordered} onChange={(ev) => onChange({ ordered: ev.target.checked })} />
          </div>
        </div>
      ) : (
        <p className="border-t border-zinc-200 px-3 py-2.5 text-xs text-zinc-500">Reviewers answer yes or no.</p>
      )}
    </fieldset>
  );
}
