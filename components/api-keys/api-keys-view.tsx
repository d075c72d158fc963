"use client";
// A project's API keys: list, create (the secret is shown once; organization owners may make a
// key organization-wide), revoke, and the gateway limits of keys with the gateway:invoke scope.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { z } from "zod";
import { apiKeyInput, type ApiKeyInput } from "@/server/contracts/api-keys";
import { API_KEY_SCOPES, API_KEY_SCOPE_NAMES, type ApiKeyScope } from "@/server/contracts/permissions";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  cn,
  CopyField,
  CrudSection,
  Dialog,
  FormDialog,
  FormProblem,
  type FormProps,
  Input,
  type SectionApi,
} from "@/components/ui";
import { KeyIcon, PencilIcon } from "@/components/ui/icons";
import { useZodForm } from "@/components/lib/form-errors";
import { Time } from "@/components/lib/time";
import { describeLimit, LimitsForm } from "./limits-dialog";

type Props = {
  orgSlug: string;
  projectSlug: string;
  projectName: string;
  canCreate: boolean;
  canRevoke: boolean;
  /** Organization owners: may create organization-wide keys (audit:read over the whole organization). */
  canCreateOrgWide: boolean;
};
type Key = RouterOutputs["apiKeys"]["list"][number];

export function ApiKeysView({ orgSlug, projectSlug, projectName, canCreate, canRevoke, canCreateOrgWide }: Props) {
  const trpc = useTRPC();
  const ref = { orgSlug, projectSlug };
  const keys = useQuery(trpc.apiKeys.list.queryOptions(ref));
  const create = useMutation(trpc.apiKeys.create.mutationOptions());
  const setLimits = useMutation(trpc.apiKeys.setLimits.mutationOptions());
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions());
  const active = keys.data?.filter((k) => !k.revokedAt).length ?? 0;
  const revoked = (keys.data?.length ?? 0) - active;

  return (
    <CrudSection<Key>
      page={{
        eyebrow: projectName,
        title: "API keys",
        description: "Applications use a key's public id and secret to call Keel's API for this project. Secrets are shown once, when the key is created.",
      }}
      title={
        keys.data ? (
          <>
            {`${active} active ${active === 1 ? "key" : "keys"}`}
            {revoked ? <span className="font-normal text-zinc-500"> · {revoked} revoked</span> : null}
          </>
        ) : (
          "Keys"
        )
      }
      createLabel="Create API key"
      canCreate={canCreate}
      query={keys}
      what="API keys"
      invalidates={[trpc.apiKeys.list.queryKey()]}
      empty={{
        icon: <KeyIcon />,
        title: "No API keys yet",
        description: canCreate ? "Create a key for each application, with only the scopes it needs." : "An owner or admin can create keys for this project.",
      }}
      caption={`API keys of ${projectName}`}
      rowKey={(k) => k.id}
      rowClassName={(k) => cn(k.revokedAt && "bg-zinc-50/70 text-zinc-500")}
      columns={[
        { header: "Name", className: "font-medium", cell: (k) => <span className={k.revokedAt ? "text-zinc-500" : "text-zinc-900"}>{k.name}</span> },
        {
          header: "Key",
          className: "font-mono text-xs whitespace-nowrap",
          cell: (k) => (
            <>
              <span className="block" title="Public id">
                <span className="sr-only">Public id </span>
                {k.publicKey}
              </span>
              <span className="block text-zinc-500" title="Secret (only its first characters are kept for recognition)">
                <span className="sr-only">Secret starts with </span>
                {k.secretHint}
                <span aria-hidden="true">…</span>
              </span>
            </>
          ),
        },
        {
          header: "Scopes",
          cell: (k) => (
            <ul className="flex max-w-80 min-w-40 flex-wrap gap-1" aria-label="Scopes">
              {k.scopes.map((s) => (
                <li key={s}>
                  <Badge tone={k.revokedAt ? "outline" : "neutral"} mono title={API_KEY_SCOPES[s as ApiKeyScope]}>
                    {s}
                  </Badge>
                </li>
              ))}
              {k.orgWide ? (
                <li>
                  <Badge tone={k.revokedAt ? "outline" : "warning"} title={ORG_WIDE_DESCRIPTION}>
                    organization-wide
                  </Badge>
                </li>
              ) : null}
            </ul>
          ),
        },
        { header: "Gateway limits", className: "whitespace-nowrap", cell: (k, section) => <GatewayLimits apiKey={k} canEdit={canCreate} section={section} /> },
        {
          header: "Created",
          className: "whitespace-nowrap",
          cell: (k) => (
            <>
              <Time value={k.createdAt} mode="relative" />
              <span className="block text-xs text-zinc-500">{k.createdBy ? `by ${k.createdBy.email}` : "by a removed user"}</span>
            </>
          ),
        },
        {
          header: "Last used",
          className: "whitespace-nowrap text-zinc-500",
          cell: (k) => (k.lastUsedAt ? <Time value={k.lastUsedAt} mode="relative" /> : "Never"),
        },
        {
          header: "Status",
          className: "whitespace-nowrap",
          cell: (k) =>
            k.revokedAt ? (
              <span className="flex flex-col items-start gap-0.5">
                <Badge tone="danger">Revoked</Badge>
                <Time value={k.revokedAt} mode="relative" className="text-xs text-zinc-500" />
              </span>
            ) : (
              <Badge tone="success">Active</Badge>
            ),
        },
      ]}
      actions={
        canRevoke
          ? [
              {
                mutation: revoke,
                button: (k) => (k.revokedAt ? null : { label: "Revoke", name: `Revoke ${k.name}`, variant: "danger-ghost" }),
                confirm: (k) => ({
                  title: `Revoke ${k.name}?`,
                  confirmLabel: "Revoke key",
                  body: (
                    <p>
                      Applications using <span className="font-mono text-zinc-900">{k.publicKey}</span> are refused from now on. This cannot be undone.
                    </p>
                  ),
                  run: () => revoke.mutateAsync({ ...ref, id: k.id }),
                  done: `${k.name} was revoked`,
                }),
              },
            ]
          : []
      }
      // A new key (its secret shown once) or, for a row, its gateway limits.
      dialog={({ row, open, close, saved, changed }) => (
        <>
          <CreateKeyDialog
            open={open && !row}
            onClose={() => (close(), create.reset())}
            projectName={projectName}
            created={create.data}
            pending={create.isPending}
            canCreateOrgWide={canCreateOrgWide}
            save={async ({ orgWide, ...input }) => {
              const key = await create.mutateAsync({ ...ref, ...input, ...(canCreateOrgWide && orgWide ? { orgWide: true } : {}) });
              await changed(`${key.name} was created`);
            }}
          />
          <FormDialog
            open={open && !!row}
            onClose={close}
            size="sm"
            title="Gateway limits"
            description={row ? `For calls through the gateway with ${row.name}. Over a limit, the gateway answers 429.` : undefined}
            submitLabel="Save limits"
            pending={setLimits.isPending}
          >
            {(formId) =>
              row ? (
                <LimitsForm
                  apiKey={row}
                  formId={formId}
                  save={async (limits) => {
                    const key = await setLimits.mutateAsync({ ...ref, id: row.id, ...limits });
                    await saved(
                      `Gateway limits of ${row.name}: ${describeLimit(key.rateLimitPerMinute, "minute")}, ${describeLimit(key.monthlyQuota, "month")}`,
                    );
                  }}
                />
              ) : null
            }
          </FormDialog>
        </>
      )}
    />
  );
}

/** A key's gateway limits (only keys with gateway:invoke call the gateway), with an edit button for admins. */
function GatewayLimits({ apiKey, canEdit, section }: { apiKey: Key; canEdit: boolean; section: SectionApi<Key> }) {
  if (!apiKey.scopes.includes("gateway:invoke")) return <span className="text-xs text-zinc-500">No gateway access</span>;
  const unlimited = apiKey.rateLimitPerMinute === null && apiKey.monthlyQuota === null;
  const tone = cn(!apiKey.revokedAt && "text-zinc-700");
  return (
    <span className="flex flex-col items-start text-xs">
      {unlimited ? (
        <span className={tone}>Unlimited</span>
      ) : (
        <>
          <span className={tone}>{describeLimit(apiKey.rateLimitPerMinute, "minute")}</span>
          <span className={tone}>{describeLimit(apiKey.monthlyQuota, "month")}</span>
        </>
      )}
      {canEdit && !apiKey.revokedAt ? (
        <button
          type="button"
          className="mt-0.5 inline-flex items-center gap-1 rounded text-accent hover:underline"
          aria-label={`Edit gateway limits of ${apiKey.name}`}
          onClick={() => section.edit(apiKey)}
        >
          <PencilIcon size={12} />
          Edit
        </button>
      ) : null}
    </span>
  );
}

const LABELS = { name: "Name", scopes: "Scopes", orgWide: "Organization-wide audit access" };
const ORG_WIDE_DESCRIPTION =
  "With audit:read, exports every audit event of the organization (organization-level ones too), not only this project's. Only owners can create such a key.";

// apiKeyInput, with "choose at least one scope" phrased as the form's own sentence.
const apiKeyForm = apiKeyInput.extend({
  scopes: z.array(apiKeyInput.shape.scopes.element).min(1, "Choose at least one scope").max(API_KEY_SCOPE_NAMES.length),
});

type Created = RouterOutputs["apiKeys"]["create"];

/** Creating a key, then its secret, once. */
function CreateKeyDialog({
  open,
  onClose,
  projectName,
  created,
  pending,
  canCreateOrgWide,
  save,
}: Omit<FormProps<ApiKeyInput>, "formId"> & {
  open: boolean;
  onClose: () => void;
  projectName: string;
  created: Created | undefined;
  pending: boolean;
  canCreateOrgWide: boolean;
}) {
  const formId = useId();
  if (created) {
    return (
      <Dialog
        open={open}
        onClose={onClose}
        closeOnBackdrop={false}
        title="API key created"
        description={`${created.name} can now call Keel's API for ${projectName}.`}
        footer={
          <Button variant="primary" onClick={onClose}>
            I have copied the secret
          </Button>
        }
      >
        <div className="space-y-4">
          <Alert tone="warning" title="Copy the secret now">
            This is the only time Keel shows it: only a hash is stored. If it is lost, revoke this key and create a new one.
          </Alert>
          <CopyField label="Public id" value={created.publicKey} />
          <CopyField label="Secret key" value={created.secret} hint="Keep it in your secret manager; never commit it or put it in client-side code." />
          <div>
            <p className="mb-1.5 text-[13px] font-medium text-zinc-800">Scopes</p>
            <ul className="flex flex-wrap gap-1" aria-label="Scopes">
              {created.scopes.map((s) => (
                <li key={s}>
                  <Badge mono>{s}</Badge>
                </li>
              ))}
            </ul>
          </div>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Create API key"
      description={`For an application that calls Keel's API in ${projectName}. Give it only the scopes it needs.`}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={pending}>
            Create key
          </Button>
        </>
      }
    >
      <CreateKeyForm formId={formId} save={save} canCreateOrgWide={canCreateOrgWide} />
    </Dialog>
  );
}

function CreateKeyForm({ formId, save, canCreateOrgWide }: FormProps<ApiKeyInput> & { canCreateOrgWide: boolean }) {
  const { form, onSubmit } = useZodForm({
    schema: apiKeyForm,
    placement: { labels: LABELS },
    defaultValues: { name: "", scopes: ["prompts:read"], orgWide: false },
    formId,
    save,
  });
  const {
    register,
    formState: { errors },
  } = form;
  const scopesError = errors.scopes?.message;
  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Create API key" className="flex flex-col gap-5">
      <FormProblem message={errors.root?.message} />
      <Input
        label={LABELS.name}
        placeholder="e.g. Support bot (production)"
        {...register("name")}
        error={errors.name?.message}
        maxLength={80}
        autoComplete="off"
      />
      <fieldset aria-describedby={scopesError ? `${formId}-scopes-error` : undefined} className="flex flex-col gap-2.5">
        <legend className="mb-2.5 text-[13px] font-medium text-zinc-800">{LABELS.scopes}</legend>
        {API_KEY_SCOPE_NAMES.map((scope) => (
          <Checkbox
            key={scope}
            label={<span className="font-mono text-[12.5px]">{scope}</span>}
            description={API_KEY_SCOPES[scope]}
            value={scope}
            {...register("scopes")}
            aria-invalid={scopesError ? true : undefined}
          />
        ))}
        {scopesError ? (
          <p id={`${formId}-scopes-error`} className="text-xs text-red-700">
            {scopesError}
          </p>
        ) : null}
      </fieldset>
      {canCreateOrgWide ? (
        <div>
          <Checkbox label={LABELS.orgWide} description={ORG_WIDE_DESCRIPTION} {...register("orgWide")} aria-invalid={errors.orgWide ? true : undefined} />
          {errors.orgWide ? <p className="mt-1 text-xs text-red-700">{errors.orgWide.message}</p> : null}
        </div>
      ) : null}
    </form>
  );
}
