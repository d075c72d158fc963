"use client";
// The protection rules editor (environment:manage): approval rules, separation of duties, the
// evaluation gate, expiry, wait timer, change freezes and the rollback policy. The draft is checked
// with the shared policy schema before sending; the server's findings (`policy.<path>: message`)
// come back naming the field and land on it, and its message is shown verbatim beside the buttons.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import {
  GATE_METRICS,
  GATE_METRIC_LABELS,
  policyInput,
  ROLLBACK_POLICIES,
  ROLLBACK_POLICY_LABELS,
  type GateMetric,
  type RollbackPolicy,
} from "@/server/contracts/deployments";
import { roleHasPermission } from "@/server/contracts/permissions";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Checkbox, Input, Select, Spinner, cn } from "@/components/ui";
import { PlusIcon, SaveIcon, TrashIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import {
  APPROVER_ROLES,
  blankFreeze,
  blankRule,
  blankThreshold,
  draftOf,
  inputOf,
  issueMessage,
  type Draft,
  type FreezeDraft,
  type MemberOption,
  type RuleDraft,
  type StoredPolicy,
  type ThresholdDraft,
} from "./policy-model";

type Props = { orgSlug: string; projectSlug: string; environment: string; policy: StoredPolicy; onCancel: () => void; onSaved: () => void };
type Errors = Record<string, string>;

export function PolicyEditor(props: Props) {
  const { orgSlug, projectSlug } = props;
  const trpc = useTRPC();
  const scope = { orgSlug, projectSlug };
  const members = useQuery(trpc.members.list.queryOptions(scope));
  const prompts = useQuery(trpc.prompts.list.queryOptions({ ...scope, limit: 200 }));
  const datasets = useQuery(trpc.datasets.list.queryOptions(scope));
  const evaluators = useQuery(trpc.evaluators.list.queryOptions(scope));
  const queues = useQuery(trpc.reviews.list.queryOptions(scope));
  const all = [members, prompts, datasets, evaluators, queues];
  const failed = all.find((q) => q.isError);
  if (failed?.error) {
    return (
      <div className="p-4">
        <QueryErrorAlert title="Could not load what the rules can name" error={failed.error} />
      </div>
    );
  }
  if (!members.data || !prompts.data || !datasets.data || !evaluators.data || !queues.data) {
    return (
      <div className="px-4 py-10 text-center">
        <Spinner label="Loading the editor…" />
      </div>
    );
  }
  return (
    <PolicyForm
      {...props}
      members={members.data}
      prompts={prompts.data.items.map((p) => p.name)}
      datasets={datasets.data.map((d) => ({ name: d.name, latestVersion: d.latestVersion }))}
      evaluators={evaluators.data.map((e) => e.name)}
      queues={queues.data.map((q) => q.name)}
    />
  );
}

type Options = {
  members: MemberOption[];
  prompts: string[];
  datasets: { name: string; latestVersion: number }[];
  evaluators: string[];
  queues: string[];
};

function PolicyForm({ orgSlug, projectSlug, environment, policy, onCancel, onSaved, members, prompts, datasets, evaluators, queues }: Props & Options) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const isProduction = environment === "production";
  const sod = draft.separationOfDuties || isProduction;

  const save = useMutation(
    trpc.environments.setPolicy.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.environments.policy.queryKey({ orgSlug, projectSlug, name: environment }) });
        onSaved();
      },
      onError: (error) => {
        const info = errorInfo(error);
        // "policy.rules.0.required" -> "rules.0.required"; the message starts with that path.
        const key = info.field?.startsWith("policy.") ? info.field.slice("policy.".length) : null;
        if (key) {
          const message = info.message.startsWith(`${key}: `) ? info.message.slice(key.length + 2) : info.message;
          setErrors({ [key]: message });
        }
        setFormError(info.message);
        focusFirstInvalid(formId);
      },
    }),
  );

  function change(patch: Partial<Draft>, ...cleared: string[]) {
    setDraft((d) => ({ ...d, ...patch }));
    if (cleared.length) setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !cleared.some((c) => k === c || k.startsWith(`${c}.`)))));
  }
  function changeRule(id: number, index: number, patch: Partial<RuleDraft>, field: string) {
    change({ rules: draft.rules.map((r) => (r.id === id ? { ...r, ...patch } : r)) }, `rules.${index}.${field}`, "rules");
  }
  function changeThreshold(id: number, index: number, patch: Partial<ThresholdDraft>, field: string) {
    change({ thresholds: draft.thresholds.map((t) => (t.id === id ? { ...t, ...patch } : t)) }, `gate.evaluators.${index}.${field}`, "gate.evaluators");
  }
  function changeFreeze(id: number, index: number, patch: Partial<FreezeDraft>, field: string) {
    change({ freezeWindows: draft.freezeWindows.map((w) => (w.id === id ? { ...w, ...patch } : w)) }, `freezeWindows.${index}.${field}`);
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const input = inputOf({ ...draft, separationOfDuties: sod });
    const parsed = policyInput.safeParse(input);
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.map(String).join(".");
        next[key] ??= issueMessage(issue);
      }
      setErrors(next);
      const n = Object.keys(next).length;
      setFormError(`The rules were not saved: fix the ${n === 1 ? "problem" : `${n} problems`} marked above.`);
      return focusFirstInvalid(formId);
    }
    setErrors({});
    save.mutate({ orgSlug, projectSlug, name: environment, policy: input });
  }

  const err = (key: string) => errors[key];
  const dataset = datasets.find((d) => d.name === draft.dataset);
  const approvers = members.filter((m) => roleHasPermission(m.projectRole ?? m.role, "deployment:approve"));

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label={`Protection rules of ${environment}`} className="flex flex-col">
      <Section
        id={`${formId}-approvals`}
        title="Approvals"
        description="Every rule must be met before a request can deploy. One person's approval counts toward one rule only."
      >
        {err("rules") ? <FieldError>{err("rules")}</FieldError> : null}
        <ol className="flex flex-col gap-3">
          {draft.rules.map((rule, i) => (
            <li key={rule.id}>
              <RuleEditor
                index={i}
                rule={rule}
                errors={errors}
                approvers={approvers}
                allMembers={members}
                canRemove={draft.rules.length > 1}
                onChange={(patch, field) => changeRule(rule.id, i, patch, field)}
                onRemove={() => change({ rules: draft.rules.filter((r) => r.id !== rule.id) }, "rules")}
              />
            </li>
          ))}
        </ol>
        <div>
          <Button
            size="sm"
            icon={<PlusIcon size={14} />}
            disabled={draft.rules.length >= 10}
            onClick={() => change({ rules: [...draft.rules, blankRule()] }, "rules")}
          >
            Add rule
          </Button>
        </div>
      </Section>

      <Section id={`${formId}-sod`} title="Separation of duties">
        <Checkbox
          label="Separation of duties"
          description={
            isProduction
              ? "Always on for production: the requester, the version's author and the last editor of these rules can never approve."
              : "The requester, the version's author and the last editor of these rules cannot approve."
          }
          checked={sod}
          disabled={isProduction}
          onChange={(e) => change({ separationOfDuties: e.target.checked }, "separationOfDuties")}
        />
        {err("separationOfDuties") ? <FieldError>{err("separationOfDuties")}</FieldError> : null}
      </Section>

      <Section
        id={`${formId}-gate`}
        title="Evaluation gate"
        description="A version deploys only with a completed evaluation run that reaches these thresholds."
      >
        <Checkbox label="Require an evaluation gate" checked={draft.gateOn} onChange={(e) => change({ gateOn: e.target.checked }, "gate")} />
        {draft.gateOn ? (
          <div className="flex flex-col gap-4 rounded-md border border-zinc-200 bg-zinc-50/40 p-3">
            <CheckboxGroup legend="Prompts it applies to" hint="None chosen: every prompt deployed to this environment." error={err("gate.prompts")}>
              {prompts.length === 0 ? <p className="text-xs text-zinc-500">This project has no prompts yet.</p> : null}
              {[...new Set([...prompts, ...draft.prompts])].map((name) => (
                <Checkbox
                  key={name}
                  label={<span className="font-mono text-[12.5px]">{name}</span>}
                  checked={draft.prompts.includes(name)}
                  onChange={(e) => change({ prompts: e.target.checked ? [...draft.prompts, name] : draft.prompts.filter((p) => p !== name) }, "gate.prompts")}
                />
              ))}
            </CheckboxGroup>
            <div className="grid gap-3 sm:grid-cols-3">
              <Select
                label="Dataset"
                value={draft.dataset}
                error={err("gate.dataset")}
                onChange={(e) => change({ dataset: e.target.value, datasetVersion: "", tag: "" }, "gate.dataset", "gate.datasetVersion", "gate.tag")}
              >
                <option value="">Choose a dataset</option>
                {[...new Set([...datasets.map((d) => d.name), ...(draft.dataset ? [draft.dataset] : [])])].map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </Select>
              <Input
                label="Dataset version"
                labelAside={<span className="text-xs text-zinc-500">optional</span>}
                type="number"
                min={1}
                max={dataset?.latestVersion}
                value={draft.datasetVersion}
                error={err("gate.datasetVersion")}
                onChange={(e) => change({ datasetVersion: e.target.value }, "gate.datasetVersion")}
                hint={dataset ? `Empty: any version (latest is v${dataset.latestVersion}).` : "Empty: any version."}
              />
              <TagSelect
                orgSlug={orgSlug}
                projectSlug={projectSlug}
                dataset={dataset?.name ?? null}
                version={draft.datasetVersion}
                value={draft.tag}
                error={err("gate.tag")}
                onChange={(tag) => change({ tag }, "gate.tag")}
              />
            </div>
            <ThresholdsEditor
              thresholds={draft.thresholds}
              evaluators={evaluators}
              errors={errors}
              onChange={changeThreshold}
              onAdd={() => change({ thresholds: [...draft.thresholds, blankThreshold()] }, "gate.evaluators")}
              onRemove={(id) => change({ thresholds: draft.thresholds.filter((t) => t.id !== id) }, "gate.evaluators")}
            />
            <div className="flex flex-col gap-3">
              <Checkbox
                label="Require a minimum human review grade"
                description="The mean final grade from a review queue on the gate's run (grades scaled to 0–1)."
                checked={draft.reviewOn}
                onChange={(e) => change({ reviewOn: e.target.checked }, "gate.review")}
              />
              {draft.reviewOn ? (
                <div className="grid gap-3 sm:grid-cols-3">
                  <Select
                    label="Review queue"
                    value={draft.reviewQueue}
                    error={err("gate.review.queue")}
                    onChange={(e) => change({ reviewQueue: e.target.value, reviewDimension: "" }, "gate.review.queue", "gate.review.dimension")}
                  >
                    <option value="">Choose a queue</option>
                    {[...new Set([...queues, ...(draft.reviewQueue ? [draft.reviewQueue] : [])])].map((q) => (
                      <option key={q} value={q}>
                        {q}
                      </option>
                    ))}
                  </Select>
                  <DimensionSelect
                    orgSlug={orgSlug}
                    projectSlug={projectSlug}
                    queue={draft.reviewQueue || null}
                    value={draft.reviewDimension}
                    error={err("gate.review.dimension")}
                    onChange={(reviewDimension) => change({ reviewDimension }, "gate.review.dimension")}
                  />
                  <Input
                    label="Minimum grade"
                    type="number"
                    min={0}
                    max={1}
                    step={0.01}
                    value={draft.reviewMin}
                    error={err("gate.review.min")}
                    onChange={(e) => change({ reviewMin: e.target.value }, "gate.review.min")}
                    hint="From 0 to 1."
                  />
                </div>
              ) : null}
              {err("gate.review") ? <FieldError>{err("gate.review")}</FieldError> : null}
            </div>
          </div>
        ) : null}
        {err("gate") ? <FieldError>{err("gate")}</FieldError> : null}
      </Section>

      <Section id={`${formId}-timing`} title="Timing">
        <div className="grid gap-3 sm:grid-cols-2 lg:max-w-xl">
          <Input
            label="Request expiry (hours)"
            type="number"
            min={1}
            max={24 * 90}
            value={draft.expiryHours}
            error={err("expiryHours")}
            onChange={(e) => change({ expiryHours: e.target.value }, "expiryHours")}
            hint="Requests not deployed by then expire. 168 hours is a week."
          />
          <Input
            label="Wait timer (minutes)"
            type="number"
            min={0}
            max={7 * 24 * 60}
            value={draft.waitMinutes}
            error={err("waitMinutes")}
            onChange={(e) => change({ waitMinutes: e.target.value }, "waitMinutes")}
            hint="How long after the last approval a request may deploy. 0: at once."
          />
        </div>
      </Section>

      <Section
        id={`${formId}-freezes`}
        title="Change freezes"
        description={`Nothing deploys during a freeze window unless an owner breaks the glass with a reason. Times are in your time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}).`}
      >
        {err("freezeWindows") ? <FieldError>{err("freezeWindows")}</FieldError> : null}
        {draft.freezeWindows.length ? (
          <ol className="flex flex-col gap-2">
            {draft.freezeWindows.map((w, i) => (
              <li key={w.id}>
                <fieldset className="grid items-start gap-2 rounded-md border border-zinc-200 bg-zinc-50/40 p-3 sm:grid-cols-[13rem_13rem_1fr_2rem]">
                  <legend className="sr-only">Freeze window {i + 1}</legend>
                  <Input
                    label="Starts"
                    type="datetime-local"
                    value={w.start}
                    error={err(`freezeWindows.${i}.start`)}
                    onChange={(e) => changeFreeze(w.id, i, { start: e.target.value }, "start")}
                  />
                  <Input
                    label="Ends"
                    type="datetime-local"
                    value={w.end}
                    error={err(`freezeWindows.${i}.end`)}
                    onChange={(e) => changeFreeze(w.id, i, { end: e.target.value }, "end")}
                  />
                  <Input
                    label="Reason"
                    value={w.reason}
                    maxLength={300}
                    error={err(`freezeWindows.${i}.reason`)}
                    onChange={(e) => changeFreeze(w.id, i, { reason: e.target.value }, "reason")}
                    placeholder="e.g. Holiday sale"
                  />
                  <Button
                    size="sm"
                    variant="ghost"
                    aria-label={`Remove freeze window ${i + 1}`}
                    className="mt-6 px-1.5"
                    onClick={() => change({ freezeWindows: draft.freezeWindows.filter((x) => x.id !== w.id) }, "freezeWindows")}
                  >
                    <TrashIcon size={14} />
                  </Button>
                </fieldset>
              </li>
            ))}
          </ol>
        ) : (
          <p className="text-xs text-zinc-500">No freeze windows.</p>
        )}
        <div>
          <Button
            size="sm"
            icon={<PlusIcon size={14} />}
            disabled={draft.freezeWindows.length >= 50}
            onClick={() => change({ freezeWindows: [...draft.freezeWindows, blankFreeze()] }, "freezeWindows")}
          >
            Add freeze window
          </Button>
        </div>
      </Section>

      <Section id={`${formId}-rollbacks`} title="Rollbacks" description="How a request to go back to a version this environment served before is approved.">
        <fieldset className="flex flex-col gap-2">
          <legend className="sr-only">Rollback policy</legend>
          {ROLLBACK_POLICIES.map((p) => {
            // "Fast path: one approval from…" -> the label and its explanation.
            const [label = p, ...rest] = ROLLBACK_POLICY_LABELS[p].split(": ");
            const explanation = rest.join(": ");
            return (
              <Radio
                key={p}
                name={`${formId}-rollback`}
                value={p}
                checked={draft.rollbackPolicy === p}
                label={label}
                description={explanation.charAt(0).toUpperCase() + explanation.slice(1)}
                onChange={() => change({ rollbackPolicy: p as RollbackPolicy }, "rollbackPolicy")}
              />
            );
          })}
        </fieldset>
      </Section>

      <div className="flex flex-col gap-3 border-t border-zinc-200 bg-zinc-50/60 px-4 py-3">
        {sod ? (
          <Alert tone="warning" title="Saving makes you the last editor: you won't be able to approve deployments to this environment">
            Separation of duties keeps whoever last changed the rules from approving under them.
          </Alert>
        ) : null}
        {formError ? (
          <div role="region" aria-label="Problem saving the rules">
            <Alert tone="error">{formError}</Alert>
          </div>
        ) : null}
        <div className="flex items-center justify-end gap-2">
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="primary" icon={<SaveIcon size={14} />} loading={save.isPending}>
            Save rules
          </Button>
        </div>
      </div>
    </form>
  );
}

function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="flex flex-col gap-3 border-b border-zinc-200 px-4 py-4 last:border-b-0">
      <div>
        <h3 id={id} className="text-[13px] font-semibold text-zinc-900">
          {title}
        </h3>
        {description ? <p className="mt-0.5 text-xs text-zinc-500">{description}</p> : null}
      </div>
      {children}
    </section>
  );
}

function FieldError({ children }: { children: ReactNode }) {
  return <p className="text-xs text-red-700">{children}</p>;
}

function CheckboxGroup({
  legend,
  hint,
  error,
  children,
  className,
}: {
  legend: string;
  hint?: string;
  error?: string;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  return (
    <fieldset aria-describedby={`${id}-note`} className={cn("flex min-w-0 flex-col gap-1.5", className)}>
      <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">{legend}</legend>
      <div className={cn("flex max-h-44 flex-col gap-2 overflow-y-auto rounded-md border bg-white p-2.5", error ? "border-red-500" : "border-zinc-200")}>
        {children}
      </div>
      <p id={`${id}-note`} className={cn("text-xs", error ? "text-red-700" : "text-zinc-500")}>
        {error ?? hint}
      </p>
    </fieldset>
  );
}

function Radio({
  name,
  value,
  checked,
  label,
  description,
  onChange,
}: {
  name: string;
  value: string;
  checked: boolean;
  label: string;
  description: string;
  onChange: () => void;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2.5">
      <input
        id={id}
        type="radio"
        name={name}
        value={value}
        checked={checked}
        onChange={onChange}
        aria-describedby={`${id}-d`}
        className="mt-0.5 size-4 shrink-0 accent-[var(--color-accent)]"
      />
      <div className="flex flex-col gap-0.5 leading-tight">
        <label htmlFor={id} className="text-[13px] font-medium text-zinc-800">
          {label}
        </label>
        <p id={`${id}-d`} className="text-xs text-zinc-500">
          {description}
        </p>
      </div>
    </div>
  );
}

function RuleEditor({
  index,
  rule,
  errors,
  approvers,
  allMembers,
  canRemove,
  onChange,
  onRemove,
}: {
  index: number;
  rule: RuleDraft;
  errors: Errors;
  approvers: MemberOption[];
  allMembers: MemberOption[];
  canRemove: boolean;
  onChange: (patch: Partial<RuleDraft>, field: string) => void;
  onRemove: () => void;
}) {
  const e = (field: string) => errors[`rules.${index}.${field}`];
  const title = `Rule ${index + 1}`;
  const named = rule.name.trim() ? `${title} (${rule.name.trim()})` : title;
  // Members who may approve, and anyone already named (even if their role changed since).
  const listed = [...approvers, ...allMembers.filter((m) => rule.users.includes(m.userId) && !approvers.includes(m))];
  const unknown = rule.users.filter((id) => !allMembers.some((m) => m.userId === id));
  const whoError = e("users") ?? e("roles");
  return (
    <fieldset className="rounded-md border border-zinc-200 bg-zinc-50/40">
      <legend className="sr-only">{title}</legend>
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-3 py-1.5">
        <p aria-hidden="true" className="text-xs font-medium text-zinc-500">
          {title}
          {rule.name.trim() ? <span className="text-zinc-800"> · {rule.name.trim()}</span> : null}
        </p>
        <Button size="sm" variant="danger-ghost" aria-label={`Remove ${named}`} disabled={!canRemove} onClick={onRemove} className="px-1.5">
          <TrashIcon size={14} />
        </Button>
      </div>
      <div className="grid gap-3 p-3 md:grid-cols-[1fr_9rem]">
        <Input
          label="Name"
          value={rule.name}
          maxLength={80}
          error={e("name")}
          onChange={(ev) => onChange({ name: ev.target.value }, "name")}
          placeholder="e.g. Release approver"
        />
        <Input
          label="Approvals required"
          type="number"
          min={1}
          max={10}
          value={rule.required}
          error={e("required")}
          onChange={(ev) => onChange({ required: ev.target.value }, "required")}
        />
        <div className="grid gap-3 md:col-span-2 md:grid-cols-[12rem_1fr]">
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Roles that can approve</legend>
            {APPROVER_ROLES.map((role) => (
              <Checkbox
                key={role}
                label={role}
                checked={rule.roles.includes(role)}
                onChange={(ev) => onChange({ roles: ev.target.checked ? [...rule.roles, role] : rule.roles.filter((r) => r !== role) }, "users")}
              />
            ))}
          </fieldset>
          <CheckboxGroup
            legend="People who can approve"
            hint="Anyone named here qualifies whatever their role. Only members whose role may approve deployments are listed."
            error={undefined}
          >
            {listed.length === 0 && unknown.length === 0 ? <p className="text-xs text-zinc-500">No member can approve deployments.</p> : null}
            {listed.map((m) => {
              const role = m.projectRole ?? m.role;
              return (
                <Checkbox
                  key={m.userId}
                  label={m.email}
                  description={`${m.name ? `${m.name} · ` : ""}${role}${roleHasPermission(role, "deployment:approve") ? "" : " (this role cannot approve deployments)"}`}
                  checked={rule.users.includes(m.userId)}
                  onChange={(ev) => onChange({ users: ev.target.checked ? [...rule.users, m.userId] : rule.users.filter((u) => u !== m.userId) }, "users")}
                />
              );
            })}
            {unknown.map((id) => (
              <Checkbox
                key={id}
                label="A removed member"
                description={id}
                checked
                onChange={() => onChange({ users: rule.users.filter((u) => u !== id) }, "users")}
              />
            ))}
          </CheckboxGroup>
          {whoError ? <FieldError>{whoError}</FieldError> : null}
        </div>
      </div>
    </fieldset>
  );
}

function ThresholdsEditor({
  thresholds,
  evaluators,
  errors,
  onChange,
  onAdd,
  onRemove,
}: {
  thresholds: ThresholdDraft[];
  evaluators: string[];
  errors: Errors;
  onChange: (id: number, index: number, patch: Partial<ThresholdDraft>, field: string) => void;
  onAdd: () => void;
  onRemove: (id: number) => void;
}) {
  const e = (i: number, field: string) => errors[`gate.evaluators.${i}.${field}`];
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Evaluator thresholds</legend>
      {thresholds.length ? (
        <div className="grid grid-cols-[1fr_9rem_7rem_2rem] gap-2 text-xs font-medium text-zinc-600" aria-hidden="true">
          <span>Evaluator</span>
          <span>Metric</span>
          <span>At least (0–1)</span>
          <span />
        </div>
      ) : null}
      <ol className="flex flex-col gap-2">
        {thresholds.map((t, i) => (
          <li key={t.id} className="grid grid-cols-[1fr_9rem_7rem_2rem] items-start gap-2">
            <Select
              label={`Threshold ${i + 1} evaluator`}
              hideLabel
              value={t.evaluator}
              error={e(i, "name")}
              onChange={(ev) => onChange(t.id, i, { evaluator: ev.target.value }, "name")}
            >
              <option value="">Choose an evaluator</option>
              {[...new Set([...evaluators, ...(t.evaluator ? [t.evaluator] : [])])].map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </Select>
            <Select
              label={`Threshold ${i + 1} metric`}
              hideLabel
              value={t.metric}
              error={e(i, "metric")}
              onChange={(ev) => onChange(t.id, i, { metric: ev.target.value as GateMetric }, "metric")}
            >
              {GATE_METRICS.map((m) => (
                <option key={m} value={m}>
                  {GATE_METRIC_LABELS[m]}
                </option>
              ))}
            </Select>
            <Input
              label={`Threshold ${i + 1} minimum`}
              hideLabel
              type="number"
              min={0}
              max={1}
              step={0.01}
              value={t.min}
              error={e(i, "min")}
              onChange={(ev) => onChange(t.id, i, { min: ev.target.value }, "min")}
            />
            <Button size="sm" variant="ghost" aria-label={`Remove threshold ${i + 1}`} className="mt-0.5 px-1.5" onClick={() => onRemove(t.id)}>
              <TrashIcon size={14} />
            </Button>
          </li>
        ))}
      </ol>
      {errors["gate.evaluators"] ? <FieldError>{errors["gate.evaluators"]}</FieldError> : null}
      <div>
        <Button size="sm" icon={<PlusIcon size={14} />} disabled={thresholds.length >= 20} onClick={onAdd}>
          Add threshold
        </Button>
      </div>
    </fieldset>
  );
}

function TagSelect({
  orgSlug,
  projectSlug,
  dataset,
  version,
  value,
  error,
  onChange,
}: {
  orgSlug: string;
  projectSlug: string;
  dataset: string | null;
  version: string;
  value: string;
  error?: string;
  onChange: (tag: string) => void;
}) {
  const trpc = useTRPC();
  const v = Number(version);
  const tags = useQuery({
    ...trpc.datasets.tags.queryOptions({ orgSlug, projectSlug, name: dataset ?? "", ...(Number.isInteger(v) && v > 0 ? { version: v } : {}) }),
    enabled: !!dataset,
  });
  const names = [...new Set([...(tags.data?.map((t) => t.tag) ?? []), ...(value ? [value] : [])])];
  return (
    <Select
      label="Tag"
      labelAside={<span className="text-xs text-zinc-500">optional</span>}
      value={value}
      error={error}
      disabled={!dataset}
      onChange={(e) => onChange(e.target.value)}
      hint="Runs restricted to items with this tag."
    >
      <option value="">None: the whole dataset</option>
      {names.map((tag) => (
        <option key={tag} value={tag}>
          {tag}
          {tags.data?.find((t) => t.tag === tag) ? ` (${tags.data.find((t) => t.tag === tag)!.count})` : ""}
        </option>
      ))}
    </Select>
  );
}

function DimensionSelect({
  orgSlug,
  projectSlug,
  queue,
  value,
  error,
  onChange,
}: {
  orgSlug: string;
  projectSlug: string;
  queue: string | null;
  value: string;
  error?: string;
  onChange: (dimension: string) => void;
}) {
  const trpc = useTRPC();
  const detail = useQuery({ ...trpc.reviews.get.queryOptions({ orgSlug, projectSlug, name: queue ?? "" }), enabled: !!queue });
  const dims = (detail.data?.rubric ?? []).filter((d) => d.type !== "text").map((d) => ({ key: d.key, label: d.label }));
  if (value && !dims.some((d) => d.key === value)) dims.push({ key: value, label: value });
  return (
    <Select
      label="Dimension"
      labelAside={<span className="text-xs text-zinc-500">optional</span>}
      value={value}
      error={error}
      disabled={!queue}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">Every graded dimension</option>
      {dims.map((d) => (
        <option key={d.key} value={d.key}>
          {d.label} ({d.key})
        </option>
      ))}
    </Select>
  );
}
