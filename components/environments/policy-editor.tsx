"use client";
// The protection rules editor (environment:manage): approval rules, separation of duties, the
// evaluation gate, expiry, wait timer, change freezes and the rollback policy, one section each
// (policy-approvals, -gate, -thresholds, -schedule, -rollbacks). One react-hook-form form whose
// values follow the policy's shape; it is checked with the policy's own schema (policyForm) before
// sending, and the server's findings (`policy.<path>: message`) land on the same field
// (POLICY_PLACEMENT). The form's general message, beside the buttons, says how many problems are
// marked, or the server's message verbatim.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { FormProvider, useForm, useWatch } from "react-hook-form";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, FormProblem, Spinner } from "@/components/ui";
import { SaveIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { ApprovalsSection, SeparationOfDutiesSection } from "./policy-approvals";
import { GateSection } from "./policy-gate";
import { notSavedMessage, POLICY_PLACEMENT, policyForm, policyValues, type MemberOption, type StoredPolicy } from "./policy-model";
import { rootOf } from "./policy-parts";
import { RollbacksSection } from "./policy-rollbacks";
import { FreezesSection, TimingSection } from "./policy-schedule";

type Props = { orgSlug: string; projectSlug: string; environment: string; policy: StoredPolicy; onCancel: () => void; onSaved: () => void };

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

const resolver = placedZodResolver(policyForm, POLICY_PLACEMENT);
/** Lists and groups whose own message goes when something in them changes (their items' messages are checked again as they change). */
const GROUPS = ["rules", "gate.evaluators", "gate.review", "gate", "freezeWindows"] as const;

function PolicyForm({ orgSlug, projectSlug, environment, policy, onCancel, onSaved, members, prompts, datasets, evaluators, queues }: Props & Options) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const isProduction = environment === "production";
  const [defaultValues] = useState(() => policyValues(policy, environment));
  const form = useForm({ resolver, defaultValues });
  const { control, formState, subscribe, getFieldState, clearErrors } = form;
  const sod = useWatch({ control, name: "separationOfDuties" });

  useEffect(
    () =>
      subscribe({
        formState: { values: true },
        callback: ({ name }) => {
          for (const group of GROUPS) if (name?.startsWith(`${group}.`) && getFieldState(rootOf(group)).error) clearErrors(rootOf(group));
        },
      }),
    [subscribe, getFieldState, clearErrors],
  );

  const save = useMutation(
    trpc.environments.setPolicy.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.environments.policy.queryKey({ orgSlug, projectSlug, name: environment }) });
        onSaved();
      },
    }),
  );

  const onSubmit = form.handleSubmit(
    async (input) => {
      try {
        await save.mutateAsync({ orgSlug, projectSlug, name: environment, policy: input });
      } catch (error) {
        // On its field when the server names one of the form's, and verbatim beside the buttons.
        applyServerErrors(form, error, POLICY_PLACEMENT);
        form.setError("root", { type: "server", message: errorInfo(error).message });
        focusFirstInvalid(formId);
      }
    },
    (errors) => {
      form.setError("root", { type: "invalid", message: notSavedMessage(errors) });
      focusFirstInvalid(formId);
    },
  );

  return (
    <FormProvider {...form}>
      <form id={formId} onSubmit={onSubmit} noValidate aria-label={`Protection rules of ${environment}`} className="flex flex-col">
        <ApprovalsSection id={`${formId}-approvals`} members={members} />
        <SeparationOfDutiesSection id={`${formId}-sod`} isProduction={isProduction} />
        <GateSection id={`${formId}-gate`} scope={{ orgSlug, projectSlug }} prompts={prompts} datasets={datasets} evaluators={evaluators} queues={queues} />
        <TimingSection id={`${formId}-timing`} />
        <FreezesSection id={`${formId}-freezes`} />
        <RollbacksSection id={`${formId}-rollbacks`} />

        <div className="flex flex-col gap-3 border-t border-zinc-200 bg-zinc-50/60 px-4 py-3">
          {sod ? (
            <Alert tone="warning" title="Saving makes you the last editor: you won't be able to approve deployments to this environment">
              Separation of duties keeps whoever last changed the rules from approving under them.
            </Alert>
          ) : null}
          <FormProblem label="Problem saving the rules" message={formState.errors.root?.message} />
          <div className="flex items-center justify-end gap-2">
            <Button onClick={onCancel}>Cancel</Button>
            <Button type="submit" variant="primary" icon={<SaveIcon size={14} />} loading={save.isPending}>
              Save rules
            </Button>
          </div>
        </div>
      </form>
    </FormProvider>
  );
}
