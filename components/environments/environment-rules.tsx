"use client";
// One protected environment's protection rules: the summary everyone with deployment:read sees,
// and for environment:manage an inline editor in its place.
import { useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { DEFAULT_POLICY } from "@/server/contracts/deployments";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Card, CardHeader, Spinner } from "@/components/ui";
import { LockIcon, PencilIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { PolicyEditor } from "./policy-editor";
import { LastEdited, PolicySummary } from "./policy-summary";
import { type StoredPolicy } from "./policy-model";

type Props = { orgSlug: string; projectSlug: string; environment: string; canManage: boolean };

export function rulesAnchor(environment: string) {
  return `rules-${environment}`;
}

export function EnvironmentRules({ orgSlug, projectSlug, environment, canManage }: Props) {
  const trpc = useTRPC();
  const policy = useQuery(trpc.environments.policy.queryOptions({ orgSlug, projectSlug, name: environment }));
  const members = useQuery(trpc.members.list.queryOptions({ orgSlug, projectSlug }));
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState("");
  const editButton = useRef<HTMLButtonElement>(null);
  const titleId = `${rulesAnchor(environment)}-title`;
  const stored = policy.data?.policy ?? null;

  function leaveEditor(message: string) {
    setEditing(false);
    setStatus(message);
    requestAnimationFrame(() => editButton.current?.focus());
  }

  const emails = new Map((members.data ?? []).map((m) => [m.userId, m.email]));
  const userLabel = (id: string) => emails.get(id) ?? (members.isPending ? "…" : "a removed member");

  return (
    <Card id={rulesAnchor(environment)} aria-labelledby={titleId} className="scroll-mt-16">
      <CardHeader
        titleId={titleId}
        title={
          <span className="inline-flex items-center gap-1.5">
            <LockIcon size={13} className="text-amber-600" />
            {editing ? "Edit protection rules of" : "Protection rules of"} <span className="font-mono">{environment}</span>
          </span>
        }
        description={
          <>
            {stored ? <LastEdited policy={stored} /> : null}
            <span role="status" className="ml-2 text-emerald-700">
              {status}
            </span>
          </>
        }
        actions={
          canManage && !editing && policy.data ? (
            <Button
              ref={editButton}
              size="sm"
              icon={<PencilIcon size={13} />}
              aria-label={`Edit rules of ${environment}`}
              onClick={() => (setStatus(""), setEditing(true))}
            >
              Edit rules
            </Button>
          ) : null
        }
      />
      {policy.isPending ? (
        <div className="px-4 py-8 text-center">
          <Spinner label="Loading the rules…" />
        </div>
      ) : policy.isError ? (
        <div className="p-4">
          <QueryErrorAlert title={`Could not load the rules of ${environment}`} error={policy.error} />
        </div>
      ) : editing ? (
        <PolicyEditor
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          environment={environment}
          policy={stored ?? defaultPolicy()}
          onCancel={() => leaveEditor("")}
          onSaved={() => leaveEditor(`The rules of ${environment} were saved`)}
        />
      ) : stored ? (
        <PolicySummary environment={environment} policy={stored} userLabel={userLabel} />
      ) : (
        <div className="p-4">
          <Alert tone="warning">
            No rules are recorded for {environment}.{canManage ? " Edit them to set some." : ""}
          </Alert>
        </div>
      )}
    </Card>
  );
}

/** What the server gives a newly protected environment (used only if none is recorded). */
function defaultPolicy(): StoredPolicy {
  return { ...DEFAULT_POLICY, editedById: null, editedByLabel: "", editedAt: new Date(0).toISOString() };
}
