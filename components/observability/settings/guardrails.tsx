"use client";
// Guardrails: checks the gateway runs on a call's input (before the model sees it) and/or output
// (before the client does), per prompt and environment. Each blocks the call or flags it on its
// trace. The list has an enabled switch per guardrail; create/edit/delete go through dialogs.
// Changing needs observability:manage; the server checks again and names the field at fault.
import { useMutation, useQuery } from "@tanstack/react-query";
import type { GuardrailInput } from "@/server/contracts/observability";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Badge, CrudSection, FormDialog } from "@/components/ui";
import { ShieldCheckIcon } from "@/components/ui/icons";
import { GuardrailForm } from "./guardrail-dialog";
import { ACTION_LABELS, configSummary, kindLabel, STAGE_LABELS } from "./guardrail-model";
import { editAndDelete, enabledToggle, ScopeCell, type ProjectRef } from "./shared";

type Guardrail = RouterOutputs["guardrails"]["list"][number];

export function Guardrails({ orgSlug, projectSlug, projectName, canManage }: ProjectRef & { projectName: string; canManage: boolean }) {
  const trpc = useTRPC();
  const ref = { orgSlug, projectSlug };
  const list = useQuery(trpc.guardrails.list.queryOptions(ref));
  const create = useMutation(trpc.guardrails.create.mutationOptions());
  const update = useMutation(trpc.guardrails.update.mutationOptions());
  const toggle = useMutation(trpc.guardrails.update.mutationOptions());
  const remove = useMutation(trpc.guardrails.delete.mutationOptions());
  const enabled = enabledToggle<Guardrail>({
    canManage,
    name: (g) => g.name,
    mutation: toggle,
    toggle: (g, enabled) => toggle.mutateAsync({ ...ref, id: g.id, ...inputOf(g), enabled }),
    failure: "Could not change the guardrail",
  });

  return (
    <CrudSection<Guardrail>
      id="guardrails"
      title="Guardrails"
      description="Checks the gateway runs on each call's input (before the model sees it) and output (before your application does). Block refuses the call; flag lets it through and marks its trace. Calls sent as OpenTelemetry traces are not checked."
      createLabel="Add guardrail"
      canCreate={canManage}
      query={list}
      what="guardrails"
      invalidates={[trpc.guardrails.list.queryKey()]}
      empty={{
        icon: <ShieldCheckIcon />,
        title: "No guardrails",
        description: canManage ? "Add one to keep personal data from model providers or to hold replies to a shape." : "Owners and admins can add guardrails.",
      }}
      caption={`Guardrails of ${projectName}`}
      rowKey={(g) => g.id}
      notice={enabled.notice}
      columns={[
        {
          header: "Name",
          className: "max-w-xs",
          cell: (g) => (
            <>
              <span className="block font-medium text-zinc-900">{g.name}</span>
              {g.description ? <span className="block text-xs text-zinc-500">{g.description}</span> : null}
            </>
          ),
        },
        {
          header: "Check",
          cell: (g) => (
            <span className="flex flex-col items-start gap-0.5">
              <Badge tone="outline">{kindLabel(g.kind)}</Badge>
              <span className="text-xs text-zinc-600">{configSummary(g.config)}</span>
            </span>
          ),
        },
        { header: "Stage", className: "whitespace-nowrap", cell: (g) => STAGE_LABELS[g.stage] },
        {
          header: "Action",
          cell: (g) => (g.action === "block" ? <Badge tone="danger">{ACTION_LABELS.block}</Badge> : <Badge tone="warning">{ACTION_LABELS.flag}</Badge>),
        },
        { header: "Scope", cell: (g) => <ScopeCell promptName={g.promptName} environment={g.environment} /> },
        enabled.column,
      ]}
      actions={
        canManage
          ? editAndDelete<Guardrail>(
              (g) => g.name,
              remove,
              (g) => ({
                title: `Delete ${g.name}?`,
                confirmLabel: "Delete guardrail",
                body: <p>The gateway stops running this check on new calls. Traces it already flagged or blocked keep their record.</p>,
                run: () => remove.mutateAsync({ ...ref, id: g.id }),
                done: `${g.name} was deleted`,
              }),
            )
          : []
      }
      dialog={({ row, open, close, saved }) => (
        <FormDialog
          open={open}
          onClose={close}
          size="lg"
          title={row ? "Edit guardrail" : "Add guardrail"}
          description="The gateway runs it on every matching call from the next request on."
          submitLabel={row ? "Save guardrail" : "Add guardrail"}
          pending={create.isPending || update.isPending}
        >
          {(formId) => (
            <GuardrailForm
              {...ref}
              row={row}
              formId={formId}
              save={async (input) => {
                const g = row ? await update.mutateAsync({ ...ref, id: row.id, ...input }) : await create.mutateAsync({ ...ref, ...input });
                await saved(`${g.name} was ${row ? "saved" : "added"}`);
              }}
            />
          )}
        </FormDialog>
      )}
    />
  );
}

/** A stored guardrail as the update procedure's input (its config was validated when saved). */
function inputOf(g: Guardrail): GuardrailInput {
  return {
    name: g.name,
    description: g.description,
    stage: g.stage,
    action: g.action,
    config: g.config as GuardrailInput["config"],
    promptName: g.promptName,
    environment: g.environment,
    enabled: g.enabled,
  };
}
