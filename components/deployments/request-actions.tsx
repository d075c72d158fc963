"use client";
// What the viewer can do with a deployment request, as the server says (deployments.get's
// `viewer`): approve (optional comment) or reject (comment required) when they may decide, or
// the reason they may not; cancel (requester or admin, optional reason); deploy an approved
// request now, or say what holds it; and, for owners during a change freeze, break the glass
// with a mandatory, audited reason. Server refusals are shown as they come (they are written for
// people).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Card, CardBody, CardHeader, Dialog, Textarea } from "@/components/ui";
import { CheckIcon, InfoIcon, ShieldAlertIcon, XIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { Time } from "@/components/lib/time";
import type { RequestDetail } from "./model";

type Base = { orgSlug: string; projectSlug: string };

/** Everything a deployment change can make stale: requests, the badge, history, the prompt's labels. */
export function useInvalidateDeployments() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.deployments.get.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.deployments.evidence.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.deployments.pendingCount.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.deployments.history.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.deployments.rollbackTargets.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.prompts.labelHistory.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.prompts.list.queryKey() }),
    ]);
}

function Problem({ message }: { message: string | null }) {
  return message ? (
    <div role="region" aria-label="Problem">
      <Alert tone="error">{message}</Alert>
    </div>
  ) : null;
}

type Dialogs = "approve" | "reject" | "cancel" | "override" | null;

export function ActionsCard({
  request,
  checkedAt,
  orgSlug,
  projectSlug,
  canRequest,
  onDone,
}: Base & { request: RequestDetail; /** When `request` was read (ms). */ checkedAt: number; canRequest: boolean; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateDeployments();
  const [dialog, setDialog] = useState<Dialogs>(null);
  const v = request.viewer;
  const open = request.state === "pending" || request.state === "approved";
  const waiting = request.deployableAt ? new Date(request.deployableAt).getTime() > checkedAt : false;
  const blocked = request.state === "approved" && (waiting || request.freeze !== null);

  const deployNow = useMutation(
    trpc.deployments.deployNow.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onDone(`Deployed: ${request.environment} now serves v${request.version} of ${request.prompt}.`);
      },
    }),
  );

  if (!open) return null;
  const showDecide = v.canApprove || v.canReject;
  const finish = async (message: string) => {
    await invalidate();
    setDialog(null);
    onDone(message);
  };
  return (
    <Card aria-labelledby="actions-title">
      <CardHeader titleId="actions-title" title={request.state === "approved" ? "Approved: deployment" : "Your decision"} />
      <CardBody className="flex flex-col gap-3 text-[13px]">
        {request.state === "approved" ? (
          request.freeze ? (
            <div className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2.5 text-amber-900" aria-label="Deployment status">
              <p className="font-medium">
                Change freeze until <Time value={request.freeze.end} />
              </p>
              <p className="text-xs">{request.freeze.reason}. The request deploys when the freeze ends (if it has not expired by then).</p>
              {v.canOverrideFreeze ? (
                <Button variant="danger" size="sm" className="mt-2" icon={<ShieldAlertIcon size={13} />} onClick={() => setDialog("override")}>
                  Break the glass
                </Button>
              ) : null}
            </div>
          ) : waiting && request.deployableAt ? (
            <p className="text-zinc-700" aria-label="Deployment status">
              Wait timer: deploys on its own at <Time value={request.deployableAt} />.
            </p>
          ) : (
            <p className="text-zinc-700" aria-label="Deployment status">
              {request.blockedBy ?? "Deploys within seconds."}
            </p>
          )
        ) : null}
        {request.state === "approved" && canRequest && !blocked ? (
          <div className="flex flex-col gap-2">
            <div>
              <Button variant="primary" loading={deployNow.isPending} onClick={() => deployNow.mutate({ orgSlug, projectSlug, number: request.number })}>
                Deploy now
              </Button>
            </div>
            <Problem message={deployNow.error ? errorInfo(deployNow.error).message : null} />
          </div>
        ) : null}
        {showDecide ? (
          <div className="flex flex-wrap gap-2">
            {v.canApprove ? (
              <Button variant="primary" icon={<CheckIcon size={14} />} onClick={() => setDialog("approve")}>
                Approve
              </Button>
            ) : null}
            {v.canReject ? (
              <Button variant="danger-ghost" icon={<XIcon size={14} />} onClick={() => setDialog("reject")}>
                Reject
              </Button>
            ) : null}
          </div>
        ) : null}
        {v.cannotDecideBecause && request.state === "pending" ? (
          <p className="flex gap-2 rounded-md bg-zinc-50 px-3 py-2 text-zinc-700" aria-label="Why you cannot approve">
            <InfoIcon size={14} className="mt-0.5 shrink-0 text-zinc-500" />
            <span>{v.cannotDecideBecause}.</span>
          </p>
        ) : null}
        {v.canCancel ? (
          <div className="border-t border-zinc-100 pt-3">
            <Button variant="ghost" size="sm" onClick={() => setDialog("cancel")}>
              Cancel request
            </Button>
          </div>
        ) : null}
      </CardBody>

      {dialog === "approve" || dialog === "reject" ? (
        <DecideDialog mode={dialog} request={request} orgSlug={orgSlug} projectSlug={projectSlug} onClose={() => setDialog(null)} onDone={finish} />
      ) : null}
      {dialog === "cancel" ? (
        <ReasonDialog kind="cancel" request={request} orgSlug={orgSlug} projectSlug={projectSlug} onClose={() => setDialog(null)} onDone={finish} />
      ) : null}
      {dialog === "override" ? (
        <ReasonDialog kind="override" request={request} orgSlug={orgSlug} projectSlug={projectSlug} onClose={() => setDialog(null)} onDone={finish} />
      ) : null}
    </Card>
  );
}

function DecideDialog({
  mode,
  request,
  orgSlug,
  projectSlug,
  onClose,
  onDone,
}: Base & { mode: "approve" | "reject"; request: RequestDetail; onClose: () => void; onDone: (message: string) => Promise<void> }) {
  const trpc = useTRPC();
  const formId = useId();
  const [comment, setComment] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const onError = (error: unknown) => {
    const info = errorInfo(error);
    if (info.field === "comment") {
      setFieldError(info.message);
      focusFirstInvalid(formId);
    } else setFormError(info.message);
  };
  const approve = useMutation(
    trpc.deployments.approve.mutationOptions({
      onSuccess: (r) =>
        onDone(
          r.state === "deployed"
            ? `Approved and deployed: ${request.environment} now serves v${request.version} of ${request.prompt}.`
            : r.state === "approved"
              ? `Approved: every rule is met. ${r.waiting.join("; ")}`
              : `Your approval is recorded. Still waiting for ${r.waiting.join("; ")}.`,
        ),
      onError,
    }),
  );
  const reject = useMutation(trpc.deployments.reject.mutationOptions({ onSuccess: () => onDone(`Request #${request.number} rejected.`), onError }));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const text = comment.trim();
    if (mode === "reject" && !text) {
      setFieldError("Say why you reject it: a rejection needs a comment");
      return focusFirstInvalid(formId);
    }
    setFieldError(null);
    if (mode === "approve") approve.mutate({ orgSlug, projectSlug, number: request.number, comment: text });
    else reject.mutate({ orgSlug, projectSlug, number: request.number, comment: text });
  }

  const title = `${mode === "approve" ? "Approve" : "Reject"} request #${request.number}`;
  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      description={`${request.prompt} v${request.version} → ${request.environment}`}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant={mode === "approve" ? "primary" : "danger"} loading={approve.isPending || reject.isPending}>
            {mode === "approve" ? "Approve" : "Reject"}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label={title} className="flex flex-col gap-3">
        <Problem message={formError} />
        <p className="text-[13px] text-zinc-600">
          {mode === "approve"
            ? "Your approval counts toward one rule you qualify for. When every rule is met, the version is deployed (after any wait timer, outside change freezes, and if the evaluation gate still passes)."
            : "A rejection closes the request for good; the requester has to ask again. Your comment is shown to them and kept in the audit log."}
        </p>
        <Textarea
          label="Comment"
          labelAside={mode === "approve" ? <span className="text-xs text-zinc-500">optional</span> : <span className="text-xs text-zinc-500">required</span>}
          value={comment}
          error={fieldError}
          required={mode === "reject"}
          maxLength={2000}
          onChange={(e) => setComment(e.target.value)}
        />
      </form>
    </Dialog>
  );
}

const REASON_TEXT: Record<"cancel" | "override", { title: string; action: string; label: string; required: boolean; intro: ReactNode }> = {
  cancel: {
    title: "Cancel request",
    action: "Cancel request",
    label: "Reason",
    required: false,
    intro: "The request is closed and nothing is deployed. Approvals already given are kept in its record.",
  },
  override: {
    title: "Break the glass",
    action: "Deploy during the freeze",
    label: "Reason for breaking the freeze",
    required: true,
    intro: (
      <Alert tone="warning" title="This is audited">
        Deploying during a change freeze is recorded with your name and reason in the audit log, in the deployment record and in the evidence pack, and is
        highlighted on this request for everyone.
      </Alert>
    ),
  },
};

function ReasonDialog({
  kind,
  request,
  orgSlug,
  projectSlug,
  onClose,
  onDone,
}: Base & { kind: "cancel" | "override"; request: RequestDetail; onClose: () => void; onDone: (message: string) => Promise<void> }) {
  const trpc = useTRPC();
  const formId = useId();
  const text = REASON_TEXT[kind];
  const [reason, setReason] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const onError = (error: unknown) => {
    const info = errorInfo(error);
    if (info.field === "reason") {
      setFieldError(info.message);
      focusFirstInvalid(formId);
    } else setFormError(info.message);
  };
  const cancel = useMutation(trpc.deployments.cancel.mutationOptions({ onSuccess: () => onDone(`Request #${request.number} cancelled.`), onError }));
  const override = useMutation(
    trpc.deployments.overrideFreeze.mutationOptions({
      onSuccess: () =>
        onDone(`Deployed during the change freeze: ${request.environment} now serves v${request.version} of ${request.prompt}. The override is audited.`),
      onError,
    }),
  );

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const value = reason.trim();
    if (text.required && !value) {
      setFieldError("Breaking a change freeze needs a reason");
      return focusFirstInvalid(formId);
    }
    setFieldError(null);
    if (kind === "cancel") cancel.mutate({ orgSlug, projectSlug, number: request.number, reason: value });
    else override.mutate({ orgSlug, projectSlug, number: request.number, reason: value });
  }

  const title = `${text.title}: #${request.number}`;
  return (
    <Dialog
      open
      onClose={onClose}
      alert={kind === "override"}
      title={title}
      description={`${request.prompt} v${request.version} → ${request.environment}`}
      footer={
        <>
          <Button onClick={onClose}>{kind === "cancel" ? "Keep request" : "Cancel"}</Button>
          <Button type="submit" form={formId} variant="danger" loading={cancel.isPending || override.isPending}>
            {text.action}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label={title} className="flex flex-col gap-3 text-[13px] text-zinc-600">
        <Problem message={formError} />
        {typeof text.intro === "string" ? <p>{text.intro}</p> : text.intro}
        <Textarea
          label={text.label}
          labelAside={text.required ? <span className="text-xs text-zinc-500">required</span> : <span className="text-xs text-zinc-500">optional</span>}
          value={reason}
          error={fieldError}
          required={text.required}
          maxLength={2000}
          onChange={(e) => setReason(e.target.value)}
        />
      </form>
    </Dialog>
  );
}
