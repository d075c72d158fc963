"use client";
// The rules editor's approvals: the approval rules (a field array; who can approve is a rule's
// roles and people, whose problems show under the people) and separation of duties.
import { Controller, useFieldArray, useFormContext, useWatch } from "react-hook-form";
import { roleHasPermission } from "@/server/contracts/permissions";
import { Button, Checkbox, Input } from "@/components/ui";
import { PlusIcon, TrashIcon } from "@/components/ui/icons";
import { APPROVER_ROLES, blankRule, type MemberOption, type PolicyValues } from "./policy-model";
import { CheckboxGroup, FieldError, rootOf, Section, toggled, useProblem } from "./policy-parts";

export function ApprovalsSection({ id, members }: { id: string; members: MemberOption[] }) {
  const { control, clearErrors } = useFormContext<PolicyValues>();
  const rules = useFieldArray({ control, name: "rules" });
  const problem = useProblem();
  const approvers = members.filter((m) => roleHasPermission(m.projectRole ?? m.role, "deployment:approve"));
  return (
    <Section id={id} title="Approvals" description="Every rule must be met before a request can deploy. One person's approval counts toward one rule only.">
      <FieldError>{problem(rootOf("rules"))}</FieldError>
      <ol className="flex flex-col gap-3">
        {rules.fields.map((field, i) => (
          <li key={field.id}>
            <RuleEditor
              index={i}
              approvers={approvers}
              allMembers={members}
              canRemove={rules.fields.length > 1}
              onRemove={() => {
                clearErrors(rootOf("rules"));
                rules.remove(i);
              }}
            />
          </li>
        ))}
      </ol>
      <div>
        <Button
          size="sm"
          icon={<PlusIcon size={14} />}
          disabled={rules.fields.length >= 10}
          onClick={() => {
            clearErrors(rootOf("rules"));
            rules.append(blankRule(), { shouldFocus: false });
          }}
        >
          Add rule
        </Button>
      </div>
    </Section>
  );
}

function RuleEditor({
  index,
  approvers,
  allMembers,
  canRemove,
  onRemove,
}: {
  index: number;
  approvers: MemberOption[];
  allMembers: MemberOption[];
  canRemove: boolean;
  onRemove: () => void;
}) {
  const { register, control } = useFormContext<PolicyValues>();
  const problem = useProblem();
  const name = (useWatch({ control, name: `rules.${index}.name` }) ?? "").trim();
  const title = `Rule ${index + 1}`;
  const named = name ? `${title} (${name})` : title;
  return (
    <fieldset className="rounded-md border border-zinc-200 bg-zinc-50/40">
      <legend className="sr-only">{title}</legend>
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-3 py-1.5">
        <p aria-hidden="true" className="text-xs font-medium text-zinc-500">
          {title}
          {name ? <span className="text-zinc-800"> · {name}</span> : null}
        </p>
        <Button size="sm" variant="danger-ghost" aria-label={`Remove ${named}`} disabled={!canRemove} onClick={onRemove} className="px-1.5">
          <TrashIcon size={14} />
        </Button>
      </div>
      <div className="grid gap-3 p-3 md:grid-cols-[1fr_9rem]">
        <Input label="Name" {...register(`rules.${index}.name`)} maxLength={80} error={problem(`rules.${index}.name`)} placeholder="e.g. Release approver" />
        <Input label="Approvals required" type="number" min={1} max={10} {...register(`rules.${index}.required`)} error={problem(`rules.${index}.required`)} />
        <div className="grid gap-3 md:col-span-2 md:grid-cols-[12rem_1fr]">
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Roles that can approve</legend>
            <Controller
              control={control}
              name={`rules.${index}.roles`}
              // The roles' problems show under the people: choosing a role checks them again.
              rules={{ deps: [`rules.${index}.users`] }}
              render={({ field }) => (
                <>
                  {APPROVER_ROLES.map((role) => (
                    <Checkbox
                      key={role}
                      label={role}
                      checked={field.value.includes(role)}
                      onChange={(ev) => field.onChange(toggled(field.value, role, ev.target.checked))}
                    />
                  ))}
                </>
              )}
            />
          </fieldset>
          <Controller
            control={control}
            name={`rules.${index}.users`}
            render={({ field }) => <PeopleChoice users={field.value} onChange={field.onChange} approvers={approvers} allMembers={allMembers} />}
          />
          <FieldError>{problem(`rules.${index}.users`)}</FieldError>
        </div>
      </div>
    </fieldset>
  );
}

function PeopleChoice({
  users,
  onChange,
  approvers,
  allMembers,
}: {
  users: string[];
  onChange: (users: string[]) => void;
  approvers: MemberOption[];
  allMembers: MemberOption[];
}) {
  // Members who may approve, and anyone already named (even if their role changed since).
  const listed = [...approvers, ...allMembers.filter((m) => users.includes(m.userId) && !approvers.includes(m))];
  const unknown = users.filter((id) => !allMembers.some((m) => m.userId === id));
  return (
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
            checked={users.includes(m.userId)}
            onChange={(ev) => onChange(toggled(users, m.userId, ev.target.checked))}
          />
        );
      })}
      {unknown.map((id) => (
        <Checkbox key={id} label="A removed member" description={id} checked onChange={() => onChange(users.filter((u) => u !== id))} />
      ))}
    </CheckboxGroup>
  );
}

export function SeparationOfDutiesSection({ id, isProduction }: { id: string; isProduction: boolean }) {
  const { control } = useFormContext<PolicyValues>();
  const problem = useProblem();
  return (
    <Section id={id} title="Separation of duties">
      <Controller
        control={control}
        name="separationOfDuties"
        // Production's stays on (its value is always true): the box is disabled, the value kept.
        render={({ field }) => (
          <Checkbox
            label="Separation of duties"
            description={
              isProduction
                ? "Always on for production: the requester, the version's author and the last editor of these rules can never approve."
                : "The requester, the version's author and the last editor of these rules cannot approve."
            }
            checked={field.value}
            disabled={isProduction}
            onChange={(e) => field.onChange(e.target.checked)}
          />
        )}
      />
      <FieldError>{problem("separationOfDuties")}</FieldError>
    </Section>
  );
}
