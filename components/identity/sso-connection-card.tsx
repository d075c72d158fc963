"use client";
// The organization's single sign-on (OpenID Connect) connection: the redirect URI to register at
// the identity provider, the issuer, client id and secret (only its hint is ever shown back),
// allowed email domains, just-in-time membership, the groups claim and its group → role rows, a
// "Test connection" that fetches the issuer's discovery document, and the break-glass owners (who
// may still sign in with a password while the organization requires single sign-on). Read-only
// without identity:manage (the server checks again).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useFieldArray, useWatch } from "react-hook-form";
import { ROLE_DESCRIPTIONS } from "@/server/contracts/permissions";
import { SSO_GRANTABLE_ROLES, ssoConnectionInput, type SsoConnectionInput } from "@/server/contracts/sso";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Alert, Badge, Button, Card, CardBody, CardHeader, Checkbox, ConfirmDialog, CopyField, FormProblem, Input, QueryBody, Select } from "@/components/ui";
import { useZodForm } from "@/components/lib/form-errors";
import { errorInfo } from "@/components/lib/errors";

type SsoState = RouterOutputs["sso"]["connection"];
type TestResult = RouterOutputs["sso"]["test"];

const LABELS = {
  issuer: "Issuer URL",
  clientId: "Client ID",
  clientSecret: "Client secret",
  allowedDomains: "Allowed email domains",
  jitRole: "Just-in-time membership",
  groupsClaim: "Groups claim",
} as const;

function valuesOf(state: SsoState): SsoConnectionInput {
  const c = state.connection;
  return {
    issuer: c?.issuer ?? "",
    clientId: c?.clientId ?? "",
    clientSecret: "",
    allowedDomains: c?.allowedDomains.join(", ") ?? "",
    // Never owner: the contract refuses it.
    jitRole: (c?.jitRole ?? "") as SsoConnectionInput["jitRole"],
    groupsClaim: c?.groupsClaim ?? "",
    roleMapping: c?.roleMapping ?? [],
    enabled: c?.enabled ?? true,
  };
}

export function SsoConnectionCard({ orgSlug, canManage }: { orgSlug: string; canManage: boolean }) {
  const trpc = useTRPC();
  const state = useQuery(trpc.sso.connection.queryOptions({ orgSlug }));
  const titleId = useId();
  // Kept here: saving remounts the form with the saved settings.
  const [status, setStatus] = useState("");
  return (
    <Card aria-labelledby={titleId}>
      <CardHeader
        titleId={titleId}
        title="Single sign-on (OpenID Connect)"
        description="People sign in through your identity provider (Okta, Entra ID, Google Workspace, Keycloak…). See docs/identity.md for what to enter."
        actions={
          state.data ? (
            state.data.connection ? (
              <Badge tone={state.data.connection.enabled ? "success" : "neutral"}>{state.data.connection.enabled ? "Enabled" : "Disabled"}</Badge>
            ) : (
              <Badge tone="outline">Not set up</Badge>
            )
          ) : null
        }
      />
      <QueryBody query={state} what="single sign-on settings">
        {(data) => (
          <>
            <SsoConnectionForm
              key={data.connection?.updatedAt.toString() ?? "new"}
              orgSlug={orgSlug}
              canManage={canManage}
              state={data}
              status={status}
              setStatus={setStatus}
            />
            <BreakGlassOwners orgSlug={orgSlug} canManage={canManage} state={data} />
          </>
        )}
      </QueryBody>
    </Card>
  );
}

function SsoConnectionForm({
  orgSlug,
  canManage,
  state,
  status,
  setStatus,
}: {
  orgSlug: string;
  canManage: boolean;
  state: SsoState;
  status: string;
  setStatus: (status: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [test, setTest] = useState<TestResult | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // The sign-in policy card beside this one reads whether a connection and a break-glass owner exist.
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.sso.connection.queryKey({ orgSlug }) }),
      queryClient.invalidateQueries({ queryKey: trpc.identity.policy.queryKey({ orgSlug }) }),
    ]);
  const save = useMutation(trpc.sso.save.mutationOptions());
  const remove = useMutation(trpc.sso.delete.mutationOptions({ onSuccess: () => void refresh().then(() => setConfirmDelete(false)) }));
  const testConnection = useMutation(trpc.sso.test.mutationOptions());
  const { form, onSubmit } = useZodForm({
    schema: ssoConnectionInput,
    placement: { labels: LABELS, labelOf: (path) => (/^roleMapping\.\d+\.group$/.test(path) ? `Group ${Number(path.split(".")[1]) + 1}` : undefined) },
    defaultValues: valuesOf(state),
    formId,
    // The procedure takes the form's own values (domains as typed); they passed the same schema.
    save: async () => {
      await save.mutateAsync({ orgSlug, ...form.getValues() });
      setStatus("Single sign-on settings saved");
      await refresh();
    },
  });
  const {
    register,
    control,
    formState: { errors, isSubmitting },
  } = form;
  const rows = useFieldArray({ control, name: "roleMapping" });
  const issuer = useWatch({ control, name: "issuer" });
  const connection = state.connection;

  async function runTest() {
    setTest(null);
    form.clearErrors("issuer");
    try {
      setTest(await testConnection.mutateAsync({ orgSlug, issuer }));
    } catch (error) {
      form.setError("issuer", { type: "server", message: errorInfo(error).message.replace(/^issuer: /, "") }, { shouldFocus: true });
    }
  }

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Single sign-on connection" className="flex flex-col gap-5 border-b border-zinc-200 px-4 py-4">
      <FormProblem message={errors.root?.message} />
      <CopyField
        label="Redirect URI (register it at your identity provider)"
        value={state.redirectUri}
        hint="Scopes: openid email profile. Keel uses the authorization code flow with PKCE."
      />
      <fieldset disabled={!canManage} className="grid gap-x-6 gap-y-5 md:grid-cols-2">
        <legend className="sr-only">Connection</legend>
        <Input
          label={LABELS.issuer}
          placeholder="https://acme.okta.com"
          {...register("issuer", {
            onChange: () => {
              setTest(null);
              setStatus("");
            },
          })}
          error={errors.issuer?.message}
          hint="Must be https. Keel reads <issuer>/.well-known/openid-configuration."
          wrapperClassName="md:col-span-2"
        />
        <Input label={LABELS.clientId} autoComplete="off" {...register("clientId")} error={errors.clientId?.message} />
        <Input
          label={LABELS.clientSecret}
          type="password"
          autoComplete="new-password"
          {...register("clientSecret")}
          error={errors.clientSecret?.message}
          hint={connection ? `Saved: ${connection.clientSecretHint}. Leave empty to keep it.` : "Stored encrypted; never shown again."}
        />
        <Input
          label={LABELS.allowedDomains}
          placeholder="acme.com, acme.io"
          {...register("allowedDomains")}
          error={errors.allowedDomains?.message}
          hint="Only verified emails in these domains may sign in through this connection (comma-separated)."
          wrapperClassName="md:col-span-2"
        />
        <Select
          label={LABELS.jitRole}
          {...register("jitRole")}
          error={errors.jitRole?.message}
          hint="People from an allowed domain who are not members yet join with this role on their first sign-in."
        >
          <option value="">Off: only existing members sign in</option>
          {SSO_GRANTABLE_ROLES.map((r) => (
            <option key={r} value={r}>
              Join as {r}
            </option>
          ))}
        </Select>
        <Input
          label={LABELS.groupsClaim}
          placeholder="groups"
          {...register("groupsClaim")}
          error={errors.groupsClaim?.message}
          hint="The ID token claim listing the person's groups (groups, roles…). Empty turns role mapping off."
        />
        <div className="md:col-span-2">
          <fieldset className="flex flex-col gap-2">
            <legend className="text-[13px] font-medium text-zinc-800">Group → role mapping</legend>
            <p className="text-[13px] text-zinc-500">
              Applied at each sign-in: the first row whose group the person has sets their role (never owner; owners are not changed). People in no listed group
              keep their role.
            </p>
            {rows.fields.length === 0 ? <p className="text-[13px] text-zinc-500">No rows.</p> : null}
            <ul className="flex flex-col gap-2">
              {rows.fields.map((row, i) => (
                <li key={row.id} className="flex flex-wrap items-start gap-2">
                  <Input
                    label={`Group ${i + 1}`}
                    hideLabel
                    placeholder="Group name"
                    {...register(`roleMapping.${i}.group`)}
                    error={errors.roleMapping?.[i]?.group?.message}
                    wrapperClassName="min-w-48 flex-1"
                  />
                  <Select
                    label={`Role for group ${i + 1}`}
                    hideLabel
                    {...register(`roleMapping.${i}.role`)}
                    error={errors.roleMapping?.[i]?.role?.message}
                    wrapperClassName="w-40"
                  >
                    {SSO_GRANTABLE_ROLES.map((r) => (
                      <option key={r} value={r} title={ROLE_DESCRIPTIONS[r]}>
                        {r}
                      </option>
                    ))}
                  </Select>
                  <Button size="sm" variant="ghost" onClick={() => rows.remove(i)} aria-label={`Remove mapping row ${i + 1}`} className="mt-1">
                    Remove
                  </Button>
                </li>
              ))}
            </ul>
            {errors.roleMapping?.message ? <p className="text-[13px] text-red-700">{errors.roleMapping.message}</p> : null}
            <div>
              <Button size="sm" onClick={() => rows.append({ group: "", role: "viewer" })}>
                Add a mapping row
              </Button>
            </div>
          </fieldset>
        </div>
        <Checkbox
          label="Enabled"
          description="Turned off, nobody signs in through this connection (the settings are kept)."
          {...register("enabled")}
          className="md:col-span-2"
        />
      </fieldset>
      {test ? (
        <div role="region" aria-label="Test result">
          <Alert tone={test.ok ? "success" : "error"} title={test.ok ? "Connection works" : "Connection failed"}>
            {test.message}
            {test.ok ? (
              <>
                {" "}
                Token endpoint: <code className="font-mono">{test.tokenEndpoint}</code>.
                {test.supportsPkce === false ? " The provider does not announce PKCE (S256)." : ""}
              </>
            ) : null}
          </Alert>
        </div>
      ) : null}
      {canManage ? (
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" variant="primary" loading={isSubmitting}>
            {connection ? "Save changes" : "Create connection"}
          </Button>
          <Button onClick={() => void runTest()} loading={testConnection.isPending} disabled={!issuer}>
            Test connection
          </Button>
          <span role="status" className="text-[13px] text-emerald-700">
            {status}
          </span>
          {connection ? (
            <Button variant="danger" onClick={() => setConfirmDelete(true)} className="ml-auto">
              Delete connection
            </Button>
          ) : null}
        </div>
      ) : (
        <p className="text-[13px] text-zinc-500">Only owners change single sign-on.</p>
      )}
      <ConfirmDialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title="Delete the single sign-on connection?"
        confirmLabel="Delete connection"
        onConfirm={() => remove.mutate({ orgSlug })}
        mutation={remove}
      >
        People will no longer sign in through {connection?.issuer}. Their accounts and memberships stay; members with a password can still use it.
      </ConfirmDialog>
    </form>
  );
}

function BreakGlassOwners({ orgSlug, canManage, state }: { orgSlug: string; canManage: boolean; state: SsoState }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const setBreakGlass = useMutation(
    trpc.sso.setBreakGlass.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.sso.connection.queryKey({ orgSlug }) }),
          queryClient.invalidateQueries({ queryKey: trpc.identity.policy.queryKey({ orgSlug }) }),
        ]),
      onError: (error) => setProblem(errorInfo(error).message),
    }),
  );
  return (
    <CardBody className="flex flex-col gap-3 py-4">
      <div>
        <h3 id={titleId} className="text-sm font-semibold text-zinc-900">
          Break-glass owners
        </h3>
        <p className="mt-0.5 text-[13px] text-zinc-500">
          While single sign-on is required{state.requireSso ? " (it is now)" : ""}, only these owners may still sign in with a password, for when the identity
          provider is down. Requiring single sign-on needs at least one.
        </p>
      </div>
      <FormProblem message={problem} label="Break-glass problem" />
      <ul aria-labelledby={titleId} className="flex flex-col divide-y divide-zinc-100 rounded-md border border-zinc-200">
        {state.breakGlass.map((o) => (
          <li key={o.userId} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
            <span className="min-w-0">
              <span className="text-sm text-zinc-900">{o.name}</span> <span className="text-[13px] text-zinc-500">{o.email}</span>{" "}
              {o.breakGlass ? <Badge tone="warning">Break-glass</Badge> : null}
            </span>
            {canManage ? (
              <Button
                size="sm"
                loading={setBreakGlass.isPending && setBreakGlass.variables?.userId === o.userId}
                onClick={() => {
                  setProblem(null);
                  setBreakGlass.mutate({ orgSlug, userId: o.userId, breakGlass: !o.breakGlass });
                }}
                aria-label={`${o.breakGlass ? "Unmark" : "Mark"} ${o.email} as break-glass`}
              >
                {o.breakGlass ? "Unmark" : "Mark as break-glass"}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
    </CardBody>
  );
}
