"use client";
// Guardrails: checks the gateway runs on a call's input (before the model sees it) and/or output
// (before the client does), per prompt and environment. Each blocks the call or flags it on its
// trace. The list has an enabled switch per guardrail; create/edit/delete go through dialogs.
// Changing needs observability:manage; the server checks again and names the field at fault.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { GuardrailInput } from "@/server/contracts/observability";
import { useTRPC } from "@/components/trpc/client";
import { ActionsTH, Alert, Badge, Button, ConfirmDialog, EmptyState, QueryBody, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { PlusIcon, ShieldCheckIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { GuardrailDialog } from "./guardrail-dialog";
import { ACTION_LABELS, configSummary, kindLabel, STAGE_LABELS, type GuardrailRow } from "./guardrail-model";
import { EnabledSwitch, RowActions, ScopeCell, SettingsSection, type ProjectRef } from "./shared";

export function Guardrails({ orgSlug, projectSlug, projectName, canManage }: ProjectRef & { projectName: string; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.guardrails.list.queryOptions({ orgSlug, projectSlug }));
  const [editing, setEditing] = useState<GuardrailRow | "new" | null>(null);
  const [deleting, setDeleting] = useState<GuardrailRow | null>(null);
  const [status, setStatus] = useState("");
  const [toggleError, setToggleError] = useState<string | null>(null);
  const toggle = useMutation(
    trpc.guardrails.update.mutationOptions({
      onSuccess: async (row) => {
        setStatus(`${row.name} was ${row.enabled ? "enabled" : "disabled"}`);
        await queryClient.invalidateQueries({ queryKey: trpc.guardrails.list.queryKey() });
      },
      onError: (error) => setToggleError(errorInfo(error).message),
    }),
  );

  const addButton = canManage ? (
    <Button variant="primary" size="sm" icon={<PlusIcon />} onClick={() => setEditing("new")}>
      Add guardrail
    </Button>
  ) : null;

  return (
    <SettingsSection
      id="guardrails"
      title="Guardrails"
      description="Checks the gateway runs on each call's input (before the model sees it) and output (before your application does). Block refuses the call; flag lets it through and marks its trace. Calls sent as OpenTelemetry traces are not checked."
      actions={addButton}
      status={status}
    >
      {toggleError ? (
        <div className="px-4 pt-3">
          <Alert tone="error" title="Could not change the guardrail">
            {toggleError}
          </Alert>
        </div>
      ) : null}
      <QueryBody query={list} what="guardrails">
        {(rows) =>
          rows.length === 0 ? (
            <EmptyState icon={<ShieldCheckIcon />} title="No guardrails" description={canManage ? "Add one to keep personal data from model providers or to hold replies to a shape." : "Owners and admins can add guardrails."} action={addButton} />
          ) : (
            <Table caption={`Guardrails of ${projectName}`}>
              <THead>
                <TR>
                  <TH>Name</TH>
                  <TH>Check</TH>
                  <TH>Stage</TH>
                  <TH>Action</TH>
                  <TH>Scope</TH>
                  <TH>Enabled</TH>
                  {canManage ? (
                    <ActionsTH />
                  ) : null}
                </TR>
              </THead>
              <TBody>
                {rows.map((g) => (
                  <TR key={g.id}>
                    <TD className="max-w-xs">
                      <span className="block font-medium text-zinc-900">{g.name}</span>
                      {g.description ? <span className="block text-xs text-zinc-500">{g.description}</span> : null}
                    </TD>
                    <TD>
                      <span className="flex flex-col items-start gap-0.5">
                        <Badge tone="outline">{kindLabel(g.kind)}</Badge>
                        <span className="text-xs text-zinc-600">{configSummary(g.config)}</span>
                      </span>
                    </TD>
                    <TD className="whitespace-nowrap">{STAGE_LABELS[g.stage]}</TD>
                    <TD>{g.action === "block" ? <Badge tone="danger">{ACTION_LABELS.block}</Badge> : <Badge tone="warning">{ACTION_LABELS.flag}</Badge>}</TD>
                    <TD>
                      <ScopeCell promptName={g.promptName} environment={g.environment} />
                    </TD>
                    <TD>
                      <EnabledSwitch
                        name={g.name}
                        enabled={g.enabled}
                        canManage={canManage}
                        pending={toggle.isPending && toggle.variables?.id === g.id}
                        onToggle={(enabled) => {
                          setToggleError(null);
                          toggle.mutate({ orgSlug, projectSlug, id: g.id, ...inputOf(g), enabled });
                        }}
                      />
                    </TD>
                    {canManage ? (
                      <TD className="text-right whitespace-nowrap">
                        <RowActions name={g.name} onEdit={() => setEditing(g)} onDelete={() => setDeleting(g)} />
                      </TD>
                    ) : null}
                  </TR>
                ))}
              </TBody>
            </Table>
          )
        }
      </QueryBody>
      {canManage ? (
        <>
          <GuardrailDialog orgSlug={orgSlug} projectSlug={projectSlug} editing={editing} onClose={() => setEditing(null)} onSaved={setStatus} />
          <DeleteGuardrailDialog orgSlug={orgSlug} projectSlug={projectSlug} row={deleting} onClose={() => setDeleting(null)} onDeleted={setStatus} />
        </>
      ) : null}
    </SettingsSection>
  );
}

/** A stored guardrail as the update procedure's input (its config was validated when saved). */
function inputOf(g: GuardrailRow): GuardrailInput {
  return { name: g.name, description: g.description, stage: g.stage, action: g.action, config: g.config as GuardrailInput["config"], promptName: g.promptName, environment: g.environment, enabled: g.enabled };
}

function DeleteGuardrailDialog({ orgSlug, projectSlug, row, onClose, onDeleted }: ProjectRef & { row: GuardrailRow | null; onClose: () => void; onDeleted: (text: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.guardrails.delete.mutationOptions({
      onSuccess: async () => {
        if (row) onDeleted(`${row.name} was deleted`);
        await queryClient.invalidateQueries({ queryKey: trpc.guardrails.list.queryKey() });
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog open={!!row} onClose={onClose} title={`Delete ${row?.name ?? "this guardrail"}?`} confirmLabel="Delete guardrail" onConfirm={() => row && remove.mutate({ orgSlug, projectSlug, id: row.id })} mutation={remove}>
      <p>The gateway stops running this check on new calls. Traces it already flagged or blocked keep their record.</p>
    </ConfirmDialog>
  );
}
