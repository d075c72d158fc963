"use client";
// Asking for a version to reach a protected environment, from a prompt's page: a promotion
// (environment, version, justification) or a rollback (environment, a version it served before,
// a comment). The server checks the evaluation gate at once: a failing gate is refused with a
// message naming each evaluator and threshold, shown here as it comes. On success the request's
// page opens.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Dialog, Select, Spinner, Textarea } from "@/components/ui";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { formatDateTime } from "@/components/lib/time";
import { useInvalidateDeployments } from "./request-actions";
import { deploymentRequestHref as requestHref } from "./deployment-tabs";

type Env = { name: string; current: number | null };
type Common = {
  orgSlug: string;
  projectSlug: string;
  prompt: string;
  /** The protected environments, with the version each serves. */
  environments: Env[];
  initialEnvironment: string;
  onClose: () => void;
};

type Fields = "environment" | "version" | "justification";

function useSubmitRequest(props: Pick<Common, "orgSlug" | "projectSlug">, formId: string) {
  const trpc = useTRPC();
  const router = useRouter();
  const invalidate = useInvalidateDeployments();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Fields, string>>>({});
  const [refusal, setRefusal] = useState<{ title: string; message: string } | null>(null);
  const mutation = useMutation(
    trpc.deployments.request.mutationOptions({
      onSuccess: async (result) => {
        await invalidate();
        router.push(requestHref(props.orgSlug, props.projectSlug, result.number));
      },
      onError: (error) => {
        const info = errorInfo(error);
        // A failing gate or a conflict is about the whole request: say it prominently.
        if (info.code === "UNPROCESSABLE_CONTENT") return setRefusal({ title: "The evaluation gate refuses this version", message: info.message });
        if (info.field === "justification" || info.field === "environment") {
          setFieldErrors({ [info.field]: info.message });
          return focusFirstInvalid(formId);
        }
        setRefusal({ title: "The request was refused", message: info.message });
      },
    }),
  );
  return { mutation, fieldErrors, setFieldErrors, refusal, setRefusal };
}

function Refusal({ refusal }: { refusal: { title: string; message: string } | null }) {
  return refusal ? (
    <div role="region" aria-label="Refused">
      <Alert tone="error" title={refusal.title}>
        {refusal.message}
      </Alert>
    </div>
  ) : null;
}

function EnvironmentSelect({ environments, value, onChange, error }: { environments: Env[]; value: string; onChange: (v: string) => void; error?: string }) {
  return (
    <Select label="Environment" value={value} error={error} onChange={(e) => onChange(e.target.value)} hint="Protected environments move only through approved requests.">
      {environments.map((env) => (
        <option key={env.name} value={env.name}>
          {env.name}
          {env.current ? ` (serves v${env.current})` : " (not set)"}
        </option>
      ))}
    </Select>
  );
}

export function RequestDeploymentDialog({ orgSlug, projectSlug, prompt, environments, initialEnvironment, versions, initialVersion, onClose }: Common & { versions: number[]; initialVersion: number }) {
  const formId = useId();
  const [environment, setEnvironment] = useState(initialEnvironment);
  const [version, setVersion] = useState(String(initialVersion));
  const [justification, setJustification] = useState("");
  const { mutation, fieldErrors, setFieldErrors, refusal, setRefusal } = useSubmitRequest({ orgSlug, projectSlug }, formId);
  const current = environments.find((e) => e.name === environment)?.current ?? null;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setRefusal(null);
    const next: Partial<Record<Fields, string>> = {};
    if (!justification.trim()) next.justification = "Say why this version should be deployed";
    if (Number(version) === current) next.version = `${environment} already serves v${current}`;
    setFieldErrors(next);
    if (Object.keys(next).length) return focusFirstInvalid(formId);
    mutation.mutate({ orgSlug, projectSlug, prompt, version: Number(version), environment, justification: justification.trim(), kind: "promote" });
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Request deployment"
      description={<span className="font-mono">{prompt}</span>}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" loading={mutation.isPending}>
            Request deployment
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Request deployment" className="flex flex-col gap-4">
        <Refusal refusal={refusal} />
        <EnvironmentSelect environments={environments} value={environment} onChange={(v) => (setEnvironment(v), setRefusal(null))} error={fieldErrors.environment} />
        <Select label="Version" value={version} error={fieldErrors.version} onChange={(e) => (setVersion(e.target.value), setRefusal(null))} hint="The version's content hash is recorded with the request.">
          {versions.map((v) => (
            <option key={v} value={v}>
              Version {v}
              {v === current ? ` (${environment} serves it)` : ""}
            </option>
          ))}
        </Select>
        <Textarea
          label="Justification"
          labelAside={<span className="text-xs text-zinc-500">required</span>}
          value={justification}
          error={fieldErrors.justification}
          required
          maxLength={2000}
          onChange={(e) => setJustification(e.target.value)}
          hint="Approvers read this first: what changes for users, and why now."
        />
        <p className="text-xs text-zinc-500">
          If {environment} has an evaluation gate, the version needs a completed run that meets it; the request is refused otherwise. Approvers then decide; the version is deployed when every approval rule is met.
        </p>
      </form>
    </Dialog>
  );
}

export function RequestRollbackDialog({ orgSlug, projectSlug, prompt, environments, initialEnvironment, onClose }: Common) {
  const trpc = useTRPC();
  const formId = useId();
  const [environment, setEnvironment] = useState(initialEnvironment);
  const [version, setVersion] = useState("");
  const [comment, setComment] = useState("");
  const { mutation, fieldErrors, setFieldErrors, refusal, setRefusal } = useSubmitRequest({ orgSlug, projectSlug }, formId);
  const targets = useQuery(trpc.deployments.rollbackTargets.queryOptions({ orgSlug, projectSlug, environment, prompt }));
  const options = targets.data?.targets ?? [];
  const chosen = version && options.some((t) => String(t.version) === version) ? version : options[0] ? String(options[0].version) : "";
  const target = options.find((t) => String(t.version) === chosen);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setRefusal(null);
    const next: Partial<Record<Fields, string>> = {};
    if (!chosen) next.version = `${environment} served no other version of ${prompt} before`;
    if (!comment.trim()) next.justification = "A rollback needs a comment saying why";
    setFieldErrors(next);
    if (Object.keys(next).length) return focusFirstInvalid(formId);
    mutation.mutate({ orgSlug, projectSlug, prompt, version: Number(chosen), environment, justification: comment.trim(), kind: "rollback" });
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Request rollback"
      description={<span className="font-mono">{prompt}</span>}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" loading={mutation.isPending} disabled={targets.isPending || options.length === 0}>
            Request rollback
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Request rollback" className="flex flex-col gap-4">
        <Refusal refusal={refusal} />
        <EnvironmentSelect environments={environments} value={environment} onChange={(v) => (setEnvironment(v), setVersion(""), setRefusal(null))} error={fieldErrors.environment} />
        {targets.isPending ? (
          <Spinner label="Loading the versions it served…" />
        ) : targets.isError ? (
          <QueryErrorAlert title="Could not load the rollback targets" error={targets.error} />
        ) : options.length === 0 ? (
          <Alert tone="info">{environment} has served no other version of this prompt: there is nothing to roll back to. Request a promotion instead.</Alert>
        ) : (
          <Select
            label="Roll back to"
            value={chosen}
            error={fieldErrors.version}
            onChange={(e) => (setVersion(e.target.value), setRefusal(null))}
            hint={[targets.data.current ? `${environment} serves v${targets.data.current} now.` : null, target ? `v${target.version} was last moved there by ${target.movedBy}.` : null].filter(Boolean).join(" ")}
          >
            {options.map((t) => (
              <option key={t.version} value={t.version}>
                Version {t.version} (last deployed {formatDateTime(t.lastDeployedAt)})
              </option>
            ))}
          </Select>
        )}
        <Textarea
          label="Comment"
          labelAside={<span className="text-xs text-zinc-500">required</span>}
          value={comment}
          error={fieldErrors.justification}
          required
          maxLength={2000}
          onChange={(e) => setComment(e.target.value)}
          hint="What went wrong with the current version."
        />
      </form>
    </Dialog>
  );
}
