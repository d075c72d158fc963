"use client";
// Adding (the signing secret is shown once, with how to verify deliveries), editing and deleting
// a webhook. Needs webhook:manage; the server checks again.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { WEBHOOK_EVENTS, WEBHOOK_EVENT_NAMES, webhookInput, type WebhookEvent } from "@/server/contracts/deployments";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Checkbox, ConfirmDialog, CopyField, Dialog, Input } from "@/components/ui";
import { focusFirstInvalid, formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from "@/components/lib/errors";
import { VerifyHelp } from "./verify-help";

export type Webhook = { id: string; url: string; description: string; events: string[]; active: boolean; secretHint: string };

const LABELS = { url: "URL", description: "Description", events: "Events" };
type Field = keyof typeof LABELS;

type Values = { url: string; description: string; events: WebhookEvent[]; active: boolean };

function WebhookFields({ formId, label, values, errors, onChange, onSubmit, showActive }: { formId: string; label: string; values: Values; errors: FormErrors<Field>; onChange: (patch: Partial<Values>) => void; onSubmit: (e: FormEvent) => void; showActive: boolean }) {
  const eventsErrorId = `${formId}-events-error`;
  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label={label} className="flex flex-col gap-4">
      {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
      <Input label={LABELS.url} type="url" value={values.url} error={errors.fields.url} onChange={(e) => onChange({ url: e.target.value })} placeholder="https://example.com/hooks/keel" className="font-mono" spellCheck={false} autoComplete="off" hint="Keel POSTs each event here." />
      <Input label={LABELS.description} labelAside={<span className="text-xs text-zinc-500">optional</span>} value={values.description} error={errors.fields.description} maxLength={300} onChange={(e) => onChange({ description: e.target.value })} placeholder="e.g. #releases Slack bridge" />
      <fieldset aria-describedby={errors.fields.events ? eventsErrorId : undefined} className="flex flex-col gap-2.5">
        <legend className="mb-2.5 text-[13px] font-medium text-zinc-800">{LABELS.events}</legend>
        {WEBHOOK_EVENT_NAMES.map((event) => (
          <Checkbox
            key={event}
            label={<span className="font-mono text-[12.5px]">{event}</span>}
            description={WEBHOOK_EVENTS[event]}
            checked={values.events.includes(event)}
            aria-invalid={errors.fields.events ? true : undefined}
            onChange={(e) => onChange({ events: e.target.checked ? [...values.events, event] : values.events.filter((x) => x !== event) })}
          />
        ))}
        {errors.fields.events ? (
          <p id={eventsErrorId} className="text-xs text-red-700">
            {errors.fields.events}
          </p>
        ) : null}
      </fieldset>
      {showActive ? <Checkbox label="Active" description="A paused webhook is sent nothing; events that happen while it is paused are not sent later." checked={values.active} onChange={(e) => onChange({ active: e.target.checked })} /> : null}
    </form>
  );
}

function check(values: Values): FormErrors<Field> {
  return validateWith(webhookInput, { url: values.url.trim(), description: values.description.trim(), events: values.events }, LABELS);
}

const EMPTY: Values = { url: "", description: "", events: [], active: true };

export function AddWebhookDialog({ open, onClose, orgSlug, projectSlug, onAdded }: { open: boolean; onClose: () => void; orgSlug: string; projectSlug: string; onAdded: (url: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: async (hook) => {
        onAdded(hook.url);
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
      },
      onError: (error) => {
        setErrors(formErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );

  function close() {
    onClose();
    create.reset();
    setValues(EMPTY);
    setErrors(NO_ERRORS);
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const found = check(values);
    setErrors(found);
    if (found.form || Object.keys(found.fields).length) return focusFirstInvalid(formId);
    create.mutate({ orgSlug, projectSlug, url: values.url.trim(), description: values.description.trim(), events: values.events });
  }

  const created = create.data;
  if (created) {
    return (
      <Dialog
        open={open}
        onClose={close}
        closeOnBackdrop={false}
        size="lg"
        title="Webhook added"
        description={<span className="font-mono">{created.url}</span>}
        footer={
          <Button variant="primary" onClick={close}>
            I have copied the secret
          </Button>
        }
      >
        <div className="space-y-4">
          <Alert tone="warning" title="Copy the signing secret now">
            This is the only time Keel shows it; afterwards only its first and last characters. If it is lost, delete this webhook and add it again.
          </Alert>
          <CopyField label="Signing secret" value={created.secret} hint="Keep it in your receiver's secret store; it proves a delivery came from Keel." />
          <section aria-labelledby={`${formId}-verify`}>
            <h3 id={`${formId}-verify`} className="mb-2 text-[13px] font-semibold text-zinc-900">
              Verifying deliveries
            </h3>
            <VerifyHelp />
          </section>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Add webhook"
      description="Keel sends a signed POST to this URL when the chosen events happen in this project."
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={create.isPending}>
            Add webhook
          </Button>
        </>
      }
    >
      <WebhookFields formId={formId} label="Add webhook" values={values} errors={errors} onChange={(patch) => (setValues((v) => ({ ...v, ...patch })), setErrors(NO_ERRORS))} onSubmit={onSubmit} showActive={false} />
    </Dialog>
  );
}

export function EditWebhookDialog({ webhook, onClose, orgSlug, projectSlug, onSaved }: { webhook: Webhook | null; onClose: () => void; orgSlug: string; projectSlug: string; onSaved: (url: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  // The fields start from the webhook's values each time the dialog opens.
  const [openedFor, setOpenedFor] = useState<string | null>(null);
  if (webhook && webhook.id !== openedFor) {
    setOpenedFor(webhook.id);
    setValues({ url: webhook.url, description: webhook.description, events: webhook.events.filter((e): e is WebhookEvent => e in WEBHOOK_EVENTS), active: webhook.active });
    setErrors(NO_ERRORS);
  }
  const update = useMutation(
    trpc.webhooks.update.mutationOptions({
      onSuccess: async () => {
        onSaved(values.url.trim());
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
        close();
      },
      onError: (error) => {
        setErrors(formErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );
  function close() {
    update.reset();
    setOpenedFor(null);
    onClose();
  }
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!webhook) return;
    const found = check(values);
    setErrors(found);
    if (found.form || Object.keys(found.fields).length) return focusFirstInvalid(formId);
    update.mutate({ orgSlug, projectSlug, id: webhook.id, url: values.url.trim(), description: values.description.trim(), events: values.events, active: values.active });
  }
  return (
    <Dialog
      open={!!webhook}
      onClose={close}
      title="Edit webhook"
      description={<span className="font-mono break-all">{webhook?.url}</span>}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={update.isPending}>
            Save webhook
          </Button>
        </>
      }
    >
      <WebhookFields formId={formId} label="Edit webhook" values={values} errors={errors} onChange={(patch) => (setValues((v) => ({ ...v, ...patch })), setErrors(NO_ERRORS))} onSubmit={onSubmit} showActive />
    </Dialog>
  );
}

export function DeleteWebhookDialog({ webhook, onClose, orgSlug, projectSlug, onDeleted }: { webhook: Webhook | null; onClose: () => void; orgSlug: string; projectSlug: string; onDeleted: (hook: Webhook) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.webhooks.delete.mutationOptions({
      onSuccess: async () => {
        if (webhook) onDeleted(webhook);
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog
      open={!!webhook}
      onClose={onClose}
      title="Delete this webhook?"
      confirmLabel="Delete webhook"
      onConfirm={() => webhook && remove.mutate({ orgSlug, projectSlug, id: webhook.id })}
      mutation={remove}
    >
      <p>
        Keel stops sending events to <span className="font-mono break-all text-zinc-900">{webhook?.url}</span>, and deliveries still waiting to be retried are dropped. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
