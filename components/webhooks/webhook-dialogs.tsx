"use client";
// Adding (the signing secret is shown once, with how to verify deliveries), editing and deleting
// a webhook. Needs webhook:manage; the server checks again.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useForm, useWatch } from "react-hook-form";
import { z } from "zod";
import { WEBHOOK_EVENTS, WEBHOOK_EVENT_NAMES, webhookInput, type WebhookEvent } from "@/server/contracts/deployments";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Checkbox, ConfirmDialog, CopyField, Dialog, FormProblem, Input } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { VerifyHelp } from "./verify-help";

export type Webhook = { id: string; url: string; description: string; events: string[]; active: boolean; secretHint: string };

const LABELS = { url: "URL", description: "Description", events: "Events" };
// The procedures' input, with the URL and description trimmed first; "Active" is for an edit.
const schema = webhookInput.extend({
  url: z.string().trim().pipe(webhookInput.shape.url),
  description: z.string().trim().pipe(webhookInput.shape.description.unwrap()),
  active: z.boolean(),
});
type Values = z.input<typeof schema>;
type Parsed = z.output<typeof schema>;

/** The fields of a new or edited webhook; `submit` sends them and reports a server error back. */
function WebhookForm({
  formId,
  label,
  initial,
  showActive,
  submit,
}: {
  formId: string;
  label: string;
  initial: Values;
  showActive: boolean;
  submit: (values: Parsed, onError: (error: unknown) => void) => void;
}) {
  const form = useForm({ resolver: placedZodResolver(schema, { labels: LABELS }), defaultValues: initial });
  const {
    register,
    setValue,
    formState: { errors, isSubmitted },
  } = form;
  const events = useWatch({ control: form.control, name: "events" });
  const [formError, setFormError] = useState<string | null>(null);
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      (values) => submit(values, (error) => setFormError(applyServerErrors(form, error, { labels: LABELS }))),
      () => focusFirstInvalid(formId),
    )(e);
  };
  const eventsError = errors.events?.message;
  const eventsErrorId = `${formId}-events-error`;
  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label={label} className="flex flex-col gap-4">
      <FormProblem message={formError} />
      <Input
        label={LABELS.url}
        type="url"
        {...register("url")}
        error={errors.url?.message}
        placeholder="https://example.com/hooks/keel"
        className="font-mono"
        spellCheck={false}
        autoComplete="off"
        hint="Keel POSTs each event here."
      />
      <Input
        label={LABELS.description}
        labelAside={<span className="text-xs text-zinc-500">optional</span>}
        {...register("description")}
        error={errors.description?.message}
        maxLength={300}
        placeholder="e.g. #releases Slack bridge"
      />
      <fieldset aria-describedby={eventsError ? eventsErrorId : undefined} className="flex flex-col gap-2.5">
        <legend className="mb-2.5 text-[13px] font-medium text-zinc-800">{LABELS.events}</legend>
        {WEBHOOK_EVENT_NAMES.map((event) => (
          <Checkbox
            key={event}
            label={<span className="font-mono text-[12.5px]">{event}</span>}
            description={WEBHOOK_EVENTS[event]}
            checked={events.includes(event)}
            aria-invalid={eventsError ? true : undefined}
            onChange={(e) => setValue("events", e.target.checked ? [...events, event] : events.filter((x) => x !== event), { shouldValidate: isSubmitted })}
          />
        ))}
        {eventsError ? (
          <p id={eventsErrorId} className="text-xs text-red-700">
            {eventsError}
          </p>
        ) : null}
      </fieldset>
      {showActive ? (
        <Checkbox
          label="Active"
          description="A paused webhook is sent nothing; events that happen while it is paused are not sent later."
          {...register("active")}
        />
      ) : null}
    </form>
  );
}

const EMPTY: Values = { url: "", description: "", events: [], active: true };

export function AddWebhookDialog({
  open,
  onClose,
  orgSlug,
  projectSlug,
  onAdded,
}: {
  open: boolean;
  onClose: () => void;
  orgSlug: string;
  projectSlug: string;
  onAdded: (url: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: async (hook) => {
        onAdded(hook.url);
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
      },
    }),
  );

  function close() {
    onClose();
    create.reset();
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
      {/* Mounted while the dialog is open: each opening starts empty. */}
      <WebhookForm
        formId={formId}
        label="Add webhook"
        initial={EMPTY}
        showActive={false}
        submit={({ url, description, events }, onError) => create.mutate({ orgSlug, projectSlug, url, description, events }, { onError })}
      />
    </Dialog>
  );
}

export function EditWebhookDialog({
  webhook,
  onClose,
  orgSlug,
  projectSlug,
  onSaved,
}: {
  webhook: Webhook | null;
  onClose: () => void;
  orgSlug: string;
  projectSlug: string;
  onSaved: (url: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const update = useMutation(
    trpc.webhooks.update.mutationOptions({
      onSuccess: async (_result, input) => {
        onSaved(input.url ?? "");
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
        close();
      },
    }),
  );
  function close() {
    update.reset();
    onClose();
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
      {webhook ? (
        // Keyed by the webhook: the fields start from its values each time the dialog opens.
        <WebhookForm
          key={webhook.id}
          formId={formId}
          label="Edit webhook"
          initial={{
            url: webhook.url,
            description: webhook.description,
            events: webhook.events.filter((e): e is WebhookEvent => e in WEBHOOK_EVENTS),
            active: webhook.active,
          }}
          showActive
          submit={(values, onError) => update.mutate({ orgSlug, projectSlug, id: webhook.id, ...values }, { onError })}
        />
      ) : null}
    </Dialog>
  );
}

export function DeleteWebhookDialog({
  webhook,
  onClose,
  orgSlug,
  projectSlug,
  onDeleted,
}: {
  webhook: Webhook | null;
  onClose: () => void;
  orgSlug: string;
  projectSlug: string;
  onDeleted: (hook: Webhook) => void;
}) {
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
        Keel stops sending events to <span className="font-mono break-all text-zinc-900">{webhook?.url}</span>, and deliveries still waiting to be retried are
        dropped. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
