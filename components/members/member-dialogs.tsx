"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { z } from "zod";
import { ROLES, ROLE_DESCRIPTIONS, canGrantRole, type Role } from "@/server/contracts/permissions";
import { text } from "@/server/contracts/fields";
import { requiredEmail } from "@/components/lib/fields";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, CopyField, Dialog, Input, Select } from "@/components/ui";
import { focusFirstInvalid, formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from "@/components/lib/errors";

export function passwordLink(token: string) {
  return `${window.location.origin}/set-password?token=${encodeURIComponent(token)}`;
}

/** The one-time link, with the warning that it is not shown again. */
function OneTimeLink({ email, token }: { email: string; token: string }) {
  return (
    <div className="space-y-4">
      <CopyField label="Set-password link" value={passwordLink(token)} hint={`Send it to ${email} over a channel you trust. It works once and expires in 7 days.`} />
      <Alert tone="warning" title="This link is shown only once">
        Keel keeps only a hash of it. If it gets lost, create a new link from the members list.
      </Alert>
    </div>
  );
}

const LABELS = { email: "Email", name: "Name", role: "Role" };
type Field = keyof typeof LABELS;
const schema = z.object({ email: requiredEmail, name: text(120), role: z.enum(ROLES) });

export function AddMemberDialog({ open, onClose, orgSlug, orgName, myRole }: { open: boolean; onClose: () => void; orgSlug: string; orgName: string; myRole: Role }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [values, setValues] = useState<{ email: string; name: string; role: Role }>({ email: "", name: "", role: "editor" });
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const add = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() }),
      onError: (error) => {
        setErrors(formErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );

  function close() {
    onClose();
    add.reset();
    setValues({ email: "", name: "", role: "editor" });
    setErrors(NO_ERRORS);
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const checked = validateWith(schema, values, LABELS);
    setErrors(checked);
    if (Object.keys(checked.fields).length) return focusFirstInvalid(formId);
    add.mutate({ orgSlug, ...values, email: values.email.trim() });
  }

  const result = add.data;
  if (result) {
    return (
      <Dialog
        open={open}
        onClose={close}
        closeOnBackdrop={false}
        title="Member added"
        description={`${result.email} was added to ${orgName} with the ${result.role} role.`}
        footer={
          <Button variant="primary" data-autofocus={result.passwordToken ? undefined : true} onClick={close}>
            Done
          </Button>
        }
      >
        {result.passwordToken ? (
          <OneTimeLink email={result.email} token={result.passwordToken} />
        ) : (
          <Alert tone="success">They already have a Keel account and can sign in with their existing password.</Alert>
        )}
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Add member"
      description={`Add someone to ${orgName}. New people get a one-time link to choose their password.`}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={add.isPending}>
            Add member
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Add member" className="flex flex-col gap-4">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Input label={LABELS.email} type="email" autoComplete="off" value={values.email} error={errors.fields.email} onChange={(e) => setValues((v) => ({ ...v, email: e.target.value }))} />
        <Input
          label={LABELS.name}
          labelAside={<span className="text-xs text-zinc-400">Optional</span>}
          autoComplete="off"
          value={values.name}
          error={errors.fields.name}
          onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
        />
        <Select label={LABELS.role} value={values.role} error={errors.fields.role} hint={ROLE_DESCRIPTIONS[values.role]} onChange={(e) => setValues((v) => ({ ...v, role: e.target.value as Role }))}>
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

export function PasswordLinkDialog({ member, onClose, orgSlug }: { member: { userId: string; email: string; name: string } | null; onClose: () => void; orgSlug: string }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.members.regeneratePasswordLink.mutationOptions());
  const close = () => {
    onClose();
    create.reset();
  };
  const token = create.data?.passwordToken;
  return (
    <Dialog
      open={!!member}
      onClose={close}
      closeOnBackdrop={!token}
      title="New set-password link"
      description={member ? `For ${member.name || member.email}, who has not chosen a password yet.` : undefined}
      footer={
        token ? (
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        ) : (
          <>
            <Button data-autofocus onClick={close}>
              Cancel
            </Button>
            <Button variant="primary" loading={create.isPending} onClick={() => member && create.mutate({ orgSlug, userId: member.userId })}>
              Create link
            </Button>
          </>
        )
      }
    >
      {token && member ? (
        <OneTimeLink email={member.email} token={token} />
      ) : (
        <div className="space-y-3 text-[13px] text-zinc-600">
          <p>A new link replaces any earlier one: links sent before stop working.</p>
          {create.error ? <Alert tone="error">{formErrorsFrom(create.error, {}).form}</Alert> : null}
        </div>
      )}
    </Dialog>
  );
}
