"use client";
// A project's API keys: list, create (the secret is shown once; organization owners may make a
// key organization-wide), revoke, and the gateway limits of keys with the gateway:invoke scope.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { API_KEY_SCOPES, API_KEY_SCOPE_NAMES, type ApiKeyScope } from "@/server/contracts/permissions";
import { useTRPC } from "@/components/trpc/client";
import { ActionsTH, Alert, Badge, Button, Card, Checkbox, ConfirmDialog, CopyField, Dialog, EmptyState, Input, PageHeader, TBody, TD, TH, THead, TR, Table, cn, QueryBody } from "@/components/ui";
import { KeyIcon, PencilIcon, PlusIcon } from "@/components/ui/icons";
import { focusFirstInvalid, formErrorsFrom, NO_ERRORS, type FormErrors } from "@/components/lib/errors";
import { Time } from "@/components/lib/time";
import { describeLimit, LimitsDialog } from "./limits-dialog";

type Props = {
  orgSlug: string;
  projectSlug: string;
  projectName: string;
  canCreate: boolean;
  canRevoke: boolean;
  /** Organization owners: may create organization-wide keys (audit:read over the whole organization). */
  canCreateOrgWide: boolean;
};
type Key = { id: string; name: string; publicKey: string; secretHint: string; scopes: string[]; orgWide: boolean; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null; rateLimitPerMinute: number | null; monthlyQuota: number | null; createdBy: { email: string } | null };

export function ApiKeysView({ orgSlug, projectSlug, projectName, canCreate, canRevoke, canCreateOrgWide }: Props) {
  const trpc = useTRPC();
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ orgSlug, projectSlug }));
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const [limiting, setLimiting] = useState<Key | null>(null);
  const [status, setStatus] = useState("");
  const active = keys.data?.filter((k) => !k.revokedAt).length ?? 0;

  const createButton = canCreate ? (
    <Button variant="primary" icon={<PlusIcon />} onClick={() => setCreating(true)}>
      Create API key
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="API keys"
        description="Applications use a key's public id and secret to call Keel's API for this project. Secrets are shown once, when the key is created."
        actions={createButton}
      />
      <Card aria-labelledby="keys-title">
        <div className="flex min-h-12 flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-200 px-4 py-3">
          <h2 id="keys-title" className="text-sm font-semibold text-zinc-900">
            {keys.data ? `${active} active ${active === 1 ? "key" : "keys"}` : "Keys"}
            {keys.data && keys.data.length > active ? <span className="font-normal text-zinc-500"> · {keys.data.length - active} revoked</span> : null}
          </h2>
          <p role="status" className="text-xs text-emerald-700">
            {status}
          </p>
        </div>
        <QueryBody query={keys} what="API keys" empty={<EmptyState icon={<KeyIcon />} title="No API keys yet" description={canCreate ? "Create a key for each application, with only the scopes it needs." : "An owner or admin can create keys for this project."} action={createButton} />}>
          {(data) => (
            <Table caption={`API keys of ${projectName}`}>
              <THead>
                <TR>
                  <TH>Name</TH>
                  <TH>Key</TH>
                  <TH>Scopes</TH>
                  <TH>Gateway limits</TH>
                  <TH>Created</TH>
                  <TH>Last used</TH>
                  <TH>Status</TH>
                  {canRevoke ? (
                    <ActionsTH />
                  ) : null}
                </TR>
              </THead>
              <TBody>
                {data.map((k) => (
                  <TR key={k.id} className={cn(k.revokedAt && "bg-zinc-50/70 text-zinc-500")}>
                    <TD className={cn("font-medium", k.revokedAt ? "text-zinc-500" : "text-zinc-900")}>{k.name}</TD>
                    <TD className="font-mono text-xs whitespace-nowrap">
                      <span className="block" title="Public id">
                        <span className="sr-only">Public id </span>
                        {k.publicKey}
                      </span>
                      <span className="block text-zinc-500" title="Secret (only its first characters are kept for recognition)">
                        <span className="sr-only">Secret starts with </span>
                        {k.secretHint}
                        <span aria-hidden="true">…</span>
                      </span>
                    </TD>
                    <TD>
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
                    </TD>
                    <TD className="whitespace-nowrap">
                      <GatewayLimits apiKey={k} canEdit={canCreate} onEdit={() => setLimiting(k)} />
                    </TD>
                    <TD className="whitespace-nowrap">
                      <Time value={k.createdAt} mode="relative" />
                      <span className="block text-xs text-zinc-500">{k.createdBy ? `by ${k.createdBy.email}` : "by a removed user"}</span>
                    </TD>
                    <TD className="whitespace-nowrap text-zinc-500">{k.lastUsedAt ? <Time value={k.lastUsedAt} mode="relative" /> : "Never"}</TD>
                    <TD className="whitespace-nowrap">
                      {k.revokedAt ? (
                        <span className="flex flex-col items-start gap-0.5">
                          <Badge tone="danger">Revoked</Badge>
                          <Time value={k.revokedAt} mode="relative" className="text-xs text-zinc-500" />
                        </span>
                      ) : (
                        <Badge tone="success">Active</Badge>
                      )}
                    </TD>
                    {canRevoke ? (
                      <TD className="text-right">
                        {!k.revokedAt ? (
                          <Button size="sm" variant="danger-ghost" aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>
                            Revoke
                          </Button>
                        ) : null}
                      </TD>
                    ) : null}
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </QueryBody>
      </Card>
      <CreateKeyDialog open={creating} onClose={() => setCreating(false)} orgSlug={orgSlug} projectSlug={projectSlug} projectName={projectName} canCreateOrgWide={canCreateOrgWide} />
      {canCreate ? <LimitsDialog apiKey={limiting} onClose={() => setLimiting(null)} orgSlug={orgSlug} projectSlug={projectSlug} onSaved={setStatus} /> : null}
      <RevokeKeyDialog apiKey={revoking} onClose={() => setRevoking(null)} orgSlug={orgSlug} projectSlug={projectSlug} onRevoked={(k) => setStatus(`${k.name} was revoked`)} />
    </>
  );
}

/** A key's gateway limits (only keys with gateway:invoke call the gateway), with an edit button for admins. */
function GatewayLimits({ apiKey, canEdit, onEdit }: { apiKey: Key; canEdit: boolean; onEdit: () => void }) {
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
        <button type="button" className="mt-0.5 inline-flex items-center gap-1 rounded text-accent hover:underline" aria-label={`Edit gateway limits of ${apiKey.name}`} onClick={onEdit}>
          <PencilIcon size={12} />
          Edit
        </button>
      ) : null}
    </span>
  );
}

const LABELS = { name: "Name", scopes: "Scopes", orgWide: "Organization-wide audit access" };
type Field = keyof typeof LABELS;
const ORG_WIDE_DESCRIPTION = "With audit:read, exports every audit event of the organization (organization-level ones too), not only this project's. Only owners can create such a key.";

function CreateKeyDialog({
  open,
  onClose,
  orgSlug,
  projectSlug,
  projectName,
  canCreateOrgWide,
}: {
  open: boolean;
  onClose: () => void;
  orgSlug: string;
  projectSlug: string;
  projectName: string;
  canCreateOrgWide: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["prompts:read"]);
  const [orgWide, setOrgWide] = useState(false);
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() }),
      onError: (error) => {
        setErrors(formErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );

  function close() {
    onClose();
    create.reset();
    setName("");
    setScopes(["prompts:read"]);
    setOrgWide(false);
    setErrors(NO_ERRORS);
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const fields: FormErrors<Field>["fields"] = {};
    if (!name.trim()) fields.name = "Name is required";
    if (scopes.length === 0) fields.scopes = "Choose at least one scope";
    setErrors({ fields, form: null });
    if (Object.keys(fields).length) return focusFirstInvalid(formId);
    create.mutate({ orgSlug, projectSlug, name: name.trim(), scopes, ...(canCreateOrgWide && orgWide ? { orgWide: true } : {}) });
  }

  const created = create.data;
  if (created) {
    return (
      <Dialog
        open={open}
        onClose={close}
        closeOnBackdrop={false}
        title="API key created"
        description={`${created.name} can now call Keel's API for ${projectName}.`}
        footer={
          <Button variant="primary" onClick={close}>
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
      onClose={close}
      title="Create API key"
      description={`For an application that calls Keel's API in ${projectName}. Give it only the scopes it needs.`}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={create.isPending}>
            Create key
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Create API key" className="flex flex-col gap-5">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Input label={LABELS.name} placeholder="e.g. Support bot (production)" value={name} error={errors.fields.name} onChange={(e) => setName(e.target.value)} maxLength={80} autoComplete="off" />
        <fieldset aria-describedby={errors.fields.scopes ? "scopes-error" : undefined} aria-invalid={errors.fields.scopes ? true : undefined} className="flex flex-col gap-2.5">
          <legend className="mb-2.5 text-[13px] font-medium text-zinc-800">{LABELS.scopes}</legend>
          {API_KEY_SCOPE_NAMES.map((scope) => (
            <Checkbox
              key={scope}
              label={<span className="font-mono text-[12.5px]">{scope}</span>}
              description={API_KEY_SCOPES[scope]}
              checked={scopes.includes(scope)}
              onChange={(e) => setScopes((s) => (e.target.checked ? [...s, scope] : s.filter((x) => x !== scope)))}
            />
          ))}
          {errors.fields.scopes ? (
            <p id="scopes-error" className="text-xs text-red-700">
              {errors.fields.scopes}
            </p>
          ) : null}
        </fieldset>
        {canCreateOrgWide ? (
          <div>
            <Checkbox label={LABELS.orgWide} description={ORG_WIDE_DESCRIPTION} checked={orgWide} onChange={(e) => setOrgWide(e.target.checked)} aria-invalid={errors.fields.orgWide ? true : undefined} />
            {errors.fields.orgWide ? <p className="mt-1 text-xs text-red-700">{errors.fields.orgWide}</p> : null}
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}

function RevokeKeyDialog({ apiKey, onClose, orgSlug, projectSlug, onRevoked }: { apiKey: Key | null; onClose: () => void; orgSlug: string; projectSlug: string; onRevoked: (k: Key) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: async () => {
        if (apiKey) onRevoked(apiKey);
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog
      open={!!apiKey}
      onClose={onClose}
      title={`Revoke ${apiKey?.name ?? "key"}?`}
      confirmLabel="Revoke key"
      onConfirm={() => apiKey && revoke.mutate({ orgSlug, projectSlug, id: apiKey.id })}
      mutation={revoke}
    >
      <p>
        Applications using <span className="font-mono text-zinc-900">{apiKey?.publicKey}</span> are refused from now on. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
