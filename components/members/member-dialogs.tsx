"use client";
// Inviting a member (the invitation's one-time link is shown once), and new one-time links for a
// pending invitation or for a member who has never signed in.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useForm, useWatch } from "react-hook-form";
import { inviteMemberInput } from "@/server/contracts/accounts";
import { ROLES, ROLE_DESCRIPTIONS, canGrantRole, type Role } from "@/server/contracts/permissions";
import { requiredEmail } from "@/components/lib/fields";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, CopyField, Dialog, FormProblem, Input, Select } from "@/components/ui";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";

export function passwordLink(token: string) {
  return `${window.location.origin}/set-password?token=${encodeURIComponent(token)}`;
}

/** The one-time link, with the warning that it is not shown again. */
function OneTimeLink({ email, token }: { email: string; token: string }) {
  return (
    <div className="space-y-4">
      <CopyField
        label="Set-password link"
        value={passwordLink(token)}
        hint={`Send it to ${email} over a channel you trust. It works once and expires in 7 days.`}
      />
      <Alert tone="warning" title="This link is shown only once">
        Keel keeps only a hash of it. If it gets lost, create a new link from the members list.
      </Alert>
    </div>
  );
}

export function invitationLink(token: string) {
  return `${window.location.origin}/invite?token=${encodeURIComponent(token)}`;
}

/** An invitation's one-time link, with what the person does with it. */
export function InvitationLink({ email, token, expiresAt }: { email: string; token: string; expiresAt: Date }) {
  return (
    <div className="space-y-4">
      <CopyField
        label="Invitation link"
        value={invitationLink(token)}
        hint={`Send it to ${email} over a channel you trust. They sign in as ${email} (or create their account) to join. It works once and expires on ${new Date(expiresAt).toLocaleDateString(undefined, { dateStyle: "medium" })}.`}
      />
      <Alert tone="warning" title="This link is shown only once">
        Keel keeps only a hash of it. If it gets lost, create a new link from the pending invitations.
      </Alert>
    </div>
  );
}

const LABELS = { email: "Email", role: "Role" };
// The procedure's input, with "Email is required" for an empty email.
const schema = inviteMemberInput.extend({ email: requiredEmail });
const EMPTY: { email: string; role: Role } = { email: "", role: "editor" };

export function InviteMemberDialog({
  open,
  onClose,
  orgSlug,
  orgName,
  myRole,
}: {
  open: boolean;
  onClose: () => void;
  orgSlug: string;
  orgName: string;
  myRole: Role;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useForm({ resolver: placedZodResolver(schema, { labels: LABELS }), defaultValues: EMPTY });
  const {
    register,
    formState: { errors },
  } = form;
  const role = useWatch({ control: form.control, name: "role" });
  const [formError, setFormError] = useState<string | null>(null);
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey() }),
      onError: (error) => setFormError(applyServerErrors(form, error, { labels: LABELS })),
    }),
  );

  function close() {
    onClose();
    invite.reset();
    form.reset(EMPTY);
    setFormError(null);
  }

  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      (input) => invite.mutate({ orgSlug, ...input }),
      () => focusFirstInvalid(formId),
    )(e);
  };

  const result = invite.data;
  if (result) {
    return (
      <Dialog
        open={open}
        onClose={close}
        closeOnBackdrop={false}
        title="Invitation created"
        description={`${result.email} is invited to ${orgName} as ${result.role}. They become a member when they accept.`}
        footer={
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        }
      >
        <InvitationLink email={result.email} token={result.token} expiresAt={result.expiresAt} />
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Invite member"
      description={`Invite someone to ${orgName}. They accept with the link, signed in as this email, or create their Keel account with it.`}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={invite.isPending}>
            Create invitation
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Invite member" className="flex flex-col gap-4">
        <FormProblem message={formError} />
        <Input label={LABELS.email} type="email" autoComplete="off" {...register("email")} error={errors.email?.message} />
        <Select label={LABELS.role} {...register("role")} error={errors.role?.message} hint={ROLE_DESCRIPTIONS[role]}>
          {ROLES.map((r) => (
            <option key={r} value={r} disabled={!canGrantRole(myRole, r)}>
              {r}
              {canGrantRole(myRole, r) ? "" : " (owners only)"}
            </option>
          ))}
        </Select>
      </form>
    </Dialog>
  );
}

type LinkMutation = { data?: unknown; error: unknown; isPending: boolean; reset: () => void };

/**
 * Confirms creating a one-time link (it replaces the earlier one), then shows it once. The
 * mutation is the caller's; `result` renders the link when it has one.
 */
function NewLinkDialog({
  open,
  title,
  description,
  explanation,
  mutation,
  onCreate,
  onClose,
  result,
}: {
  open: boolean;
  title: string;
  description?: string;
  explanation: string;
  mutation: LinkMutation;
  onCreate: () => void;
  onClose: () => void;
  result: ReactNode;
}) {
  const close = () => {
    onClose();
    mutation.reset();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      closeOnBackdrop={!result}
      title={title}
      description={description}
      footer={
        result ? (
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        ) : (
          <>
            <Button data-autofocus onClick={close}>
              Cancel
            </Button>
            <Button variant="primary" loading={mutation.isPending} onClick={onCreate}>
              Create link
            </Button>
          </>
        )
      }
    >
      {result ?? (
        <div className="space-y-3 text-[13px] text-zinc-600">
          <p>{explanation}</p>
          {mutation.error ? <Alert tone="error">{errorInfo(mutation.error).message}</Alert> : null}
        </div>
      )}
    </Dialog>
  );
}

/** A new link for a pending invitation; the old one stops working. */
export function ReissueInvitationDialog({
  invitation,
  onClose,
  orgSlug,
}: {
  invitation: { id: string; email: string } | null;
  onClose: () => void;
  orgSlug: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reissue = useMutation(
    trpc.members.reissueInvitation.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey() }) }),
  );
  const result = reissue.data;
  return (
    <NewLinkDialog
      open={!!invitation}
      title="New invitation link"
      description={invitation ? `For ${invitation.email}.` : undefined}
      explanation="A new link replaces the earlier one and runs for another 7 days: the link sent before stops working."
      mutation={reissue}
      onCreate={() => invitation && reissue.mutate({ orgSlug, invitationId: invitation.id })}
      onClose={onClose}
      result={result ? <InvitationLink email={result.email} token={result.token} expiresAt={result.expiresAt} /> : null}
    />
  );
}

export function PasswordLinkDialog({
  member,
  onClose,
  orgSlug,
}: {
  member: { userId: string; email: string; name: string } | null;
  onClose: () => void;
  orgSlug: string;
}) {
  const trpc = useTRPC();
  const create = useMutation(trpc.members.regeneratePasswordLink.mutationOptions());
  const token = create.data?.passwordToken;
  return (
    <NewLinkDialog
      open={!!member}
      title="New set-password link"
      description={member ? `For ${member.name || member.email}, who has never signed in.` : undefined}
      explanation="A new link replaces any earlier one: links sent before stop working. Keel issues it only while the person belongs to this organization alone and has never signed in; after that, only they can change their password."
      mutation={create}
      onCreate={() => member && create.mutate({ orgSlug, userId: member.userId })}
      onClose={onClose}
      result={token && member ? <OneTimeLink email={member.email} token={token} /> : null}
    />
  );
}
