"use client";
// The labels panel of a prompt: "latest" and each environment with the version it serves. An
// unprotected environment's label moves after a confirmation; a protected one moves only through
// a deployment request (a promotion or a rollback), asked for here by roles with
// deployment:request.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Alert, Card, CardHeader, ConfirmDialog } from "@/components/ui";
import { LockIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { RequestDeploymentDialog, RequestRollbackDialog } from "@/components/deployments/request-deployment-dialog";
import { LabelBadge } from "./badges";
import { EnvironmentLabel } from "./environment-label";

type Prompt = RouterOutputs["prompts"]["get"];
type Env = Prompt["environments"][number];

type Props = {
  orgSlug: string;
  projectSlug: string;
  name: string;
  canMoveLabels: boolean;
  canManageEnvironments: boolean;
  /** Protected environments: may ask for a deployment or a rollback (deployment:request). */
  canRequestDeployments: boolean;
  versions: number[];
  labels: Prompt["labels"];
  environments: Env[];
  latest: number;
  /** The version on show: a deployment request starts from it. */
  shown: number;
};

export function LabelsPanel({
  orgSlug,
  projectSlug,
  name,
  canMoveLabels,
  canManageEnvironments,
  canRequestDeployments: canRequest,
  versions,
  labels,
  environments,
  latest,
  shown,
}: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [moving, setMoving] = useState<{ env: Env; to: number; from: number | null } | null>(null);
  // Protected environments: a deployment request (promotion or rollback) instead of a move.
  const [requesting, setRequesting] = useState<{ kind: "promote" | "rollback"; environment: string } | null>(null);
  const protectedEnvs = environments.filter((e) => e.protected).map((e) => ({ name: e.name, current: labels.find((l) => l.name === e.name)?.version ?? null }));
  const [status, setStatus] = useState("");
  const move = useMutation(
    trpc.prompts.moveLabel.mutationOptions({
      onSuccess: async (result) => {
        setStatus(result.changed ? `${result.label} now points at version ${result.version}` : `${result.label} already pointed at version ${result.version}`);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ orgSlug, projectSlug, name }) }),
          queryClient.invalidateQueries({ queryKey: trpc.prompts.labelHistory.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.prompts.list.queryKey() }),
        ]);
        setMoving(null);
      },
    }),
  );
  const anyProtected = environments.some((e) => e.protected);

  return (
    <Card aria-labelledby="labels-title">
      <CardHeader titleId="labels-title" title="Labels" description="The version each environment serves. Applications fetch a prompt by label." />
      <ul className="divide-y divide-zinc-100">
        <li className="flex items-center justify-between gap-3 px-4 py-2.5">
          <span>
            <LabelBadge name="latest" />
            <span className="mt-0.5 block text-xs text-zinc-500">Always the newest version</span>
          </span>
          <span className="font-mono text-xs text-zinc-700">v{latest}</span>
        </li>
        {environments.map((env) => (
          <EnvironmentLabel
            key={env.name}
            env={env}
            current={labels.find((l) => l.name === env.name) ?? null}
            versions={versions}
            canMove={canMoveLabels}
            canRequest={canRequest}
            onMove={(to, from) => (move.reset(), setMoving({ env, to, from }))}
            onRequest={(kind) => setRequesting({ kind, environment: env.name })}
          />
        ))}
      </ul>
      <div className="border-t border-zinc-100 px-4 py-2.5 text-xs text-zinc-500">
        <p role="status" className="text-emerald-700">
          {status}
        </p>
        {!canMoveLabels ? <p>Your role cannot move labels (label:move); editors, admins and owners can.</p> : null}
        {anyProtected ? (
          <p className="mt-1">
            <LockIcon size={11} className="mr-1 inline align-[-1px]" />
            Protected environments move only through an approved deployment, never directly.{" "}
            <Link href={`/o/${orgSlug}/p/${projectSlug}/deployments`} className="underline hover:text-zinc-800">
              Deployment requests
            </Link>
            {canManageEnvironments ? (
              <>
                {" "}
                <Link href={`/o/${orgSlug}/p/${projectSlug}/environments`} className="underline hover:text-zinc-800">
                  Manage environments
                </Link>
              </>
            ) : null}
          </p>
        ) : null}
      </div>
      <ConfirmDialog
        open={!!moving}
        onClose={() => setMoving(null)}
        title={moving ? `Point ${moving.env.name} at version ${moving.to}?` : "Move label"}
        confirmLabel={`Move ${moving?.env.name ?? "label"}`}
        pending={move.isPending}
        onConfirm={() => moving && move.mutate({ orgSlug, projectSlug, name, label: moving.env.name, version: moving.to })}
        error={move.error ? <Alert tone="error">{errorInfo(move.error).message}</Alert> : null}
      >
        <p>
          Applications asking for <span className="font-mono text-zinc-900">{name}</span> with label{" "}
          <span className="font-mono text-zinc-900">{moving?.env.name}</span> get version {moving?.to}{" "}
          {moving?.from ? <>instead of version {moving.from}</> : null} from now on. The move is recorded in the label history and the audit log.
        </p>
      </ConfirmDialog>
      {requesting?.kind === "promote" ? (
        <RequestDeploymentDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          prompt={name}
          environments={protectedEnvs}
          initialEnvironment={requesting.environment}
          versions={versions}
          initialVersion={shown}
          onClose={() => setRequesting(null)}
        />
      ) : requesting?.kind === "rollback" ? (
        <RequestRollbackDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          prompt={name}
          environments={protectedEnvs}
          initialEnvironment={requesting.environment}
          onClose={() => setRequesting(null)}
        />
      ) : null}
    </Card>
  );
}
