"use client";
// Retention and gateway routing: how long traces are kept, where plain model names go, the
// fallback connection a failed call is retried on once, and the gateway's timeout. One form,
// read-only without observability:manage (the server checks again).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { useWatch } from "react-hook-form";
import type { TelemetrySettingsInput } from "@/server/contracts/observability";
import { useTRPC } from "@/components/trpc/client";
import { Button, FormProblem, Input, QueryBody, Select } from "@/components/ui";
import { useZodForm } from "@/components/lib/form-errors";
import { ROUTING_PLACEMENT, routingForm, routingValues, type RoutingValues } from "./routing-model";
import { SettingsSection, type ProjectRef } from "./shared";

const LABELS = ROUTING_PLACEMENT.labels as Record<keyof RoutingValues, string>;

type Props = ProjectRef & { canManage: boolean; canReadProviders: boolean };

export function RoutingSettings(props: Props) {
  const trpc = useTRPC();
  const settings = useQuery(trpc.observability.settings.queryOptions({ orgSlug: props.orgSlug, projectSlug: props.projectSlug }));
  const [status, setStatus] = useState("");
  return (
    <SettingsSection
      id="routing"
      title="Retention and gateway routing"
      description="How long production traces are kept, and where the OpenAI-compatible gateway sends calls."
      status={status}
    >
      <QueryBody query={settings} what="settings">
        {(stored) => <RoutingForm {...props} stored={stored} setStatus={setStatus} />}
      </QueryBody>
    </SettingsSection>
  );
}

/** The form, from the stored settings; saving makes the saved settings its new starting point. */
function RoutingForm({
  orgSlug,
  projectSlug,
  canManage,
  canReadProviders,
  stored,
  setStatus,
}: Props & { stored: TelemetrySettingsInput; setStatus: (status: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const providers = useQuery({ ...trpc.providers.list.queryOptions({ orgSlug, projectSlug }), enabled: canReadProviders });
  const save = useMutation(trpc.observability.updateSettings.mutationOptions());
  const { form, onSubmit } = useZodForm({
    schema: routingForm,
    placement: ROUTING_PLACEMENT,
    defaultValues: routingValues(stored),
    formId,
    save: async (input) => {
      const saved = await save.mutateAsync({ orgSlug, projectSlug, ...input });
      form.reset(routingValues(saved));
      setStatus("Settings saved");
      queryClient.setQueryData(trpc.observability.settings.queryKey({ orgSlug, projectSlug }), saved);
      await queryClient.invalidateQueries({ queryKey: trpc.observability.settings.queryKey() });
    },
  });
  const {
    register,
    formState: { errors, isDirty },
  } = form;
  const field = (name: keyof RoutingValues) => ({ ...register(name, { onChange: () => setStatus("") }), error: errors[name]?.message });
  const [gatewayConnectionId, fallbackConnectionId] = useWatch({ control: form.control, name: ["gatewayConnectionId", "fallbackConnectionId"] });

  const connections = providers.data ?? [];
  const nameOf = (id: string) => connections.find((c) => c.id === id)?.name;
  const fallbackDefault = fallbackConnectionId ? connections.find((c) => c.id === fallbackConnectionId)?.defaultModel : null;
  const providersHref = `/o/${orgSlug}/p/${projectSlug}/providers`;

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Retention and gateway routing" className="flex flex-col gap-5 px-4 py-4">
      <FormProblem message={errors.root?.message} />
      <fieldset disabled={!canManage} className="grid gap-x-6 gap-y-5 md:grid-cols-2">
        <Input
          label="Retention (days)"
          type="number"
          inputMode="numeric"
          min={1}
          max={365}
          step={1}
          {...field("retentionDays")}
          wrapperClassName="md:col-span-2 max-w-xs"
          hint="1 to 365. Traces and their scores older than this are deleted, and spans older than this are refused at ingestion."
        />
        <Select
          label={LABELS.gatewayConnectionId}
          {...field("gatewayConnectionId")}
          value={gatewayConnectionId /* controlled: the selected option is replaced when the connections arrive */}
          hint={
            <>
              Where plain model names (<code className="font-mono">model: &quot;gpt-4o-mini&quot;</code>) go. Deployed prompts (
              <code className="font-mono">prompt:&lt;name&gt;@&lt;label&gt;</code>) use their own prompt&apos;s connection. Without one, plain model names are
              refused.
            </>
          }
        >
          <option value="">None: only deployed prompts</option>
          {gatewayConnectionId && !nameOf(gatewayConnectionId) ? (
            <option value={gatewayConnectionId}>{providers.isPending && canReadProviders ? "Loading…" : "A connection that no longer exists"}</option>
          ) : null}
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.defaultModel ? ` (default ${c.defaultModel})` : ""}
            </option>
          ))}
        </Select>
        <Input
          label="Timeout (ms)"
          type="number"
          inputMode="numeric"
          min={1000}
          max={600000}
          step={1000}
          {...field("gatewayTimeoutMs")}
          hint="1,000 to 600,000. How long the gateway waits for the provider before the call fails (or goes to the fallback)."
        />
        <Select
          label={LABELS.fallbackConnectionId}
          {...field("fallbackConnectionId")}
          value={fallbackConnectionId /* controlled: the selected option is replaced when the connections arrive */}
          hint={
            <>
              Calls that time out, cannot connect or get a 5xx from the provider are retried once on this connection. Client errors (4xx) are not retried.
              {canManage && canReadProviders && !providers.isPending && connections.length <= 1 ? (
                <>
                  {" "}
                  A fallback needs a second connection:{" "}
                  <Link href={providersHref} className="font-medium text-accent underline-offset-2 hover:underline">
                    add one under Providers
                  </Link>
                  .
                </>
              ) : null}
            </>
          }
        >
          <option value="">No fallback</option>
          {fallbackConnectionId && !nameOf(fallbackConnectionId) ? (
            <option value={fallbackConnectionId}>{providers.isPending && canReadProviders ? "Loading…" : "A connection that no longer exists"}</option>
          ) : null}
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.id === gatewayConnectionId ? " (the gateway connection)" : ""}
            </option>
          ))}
        </Select>
        <Input
          label={LABELS.fallbackModel}
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          {...field("fallbackModel")}
          maxLength={200}
          placeholder={fallbackDefault ?? "the fallback connection's default model"}
          className="font-mono"
          spellCheck={false}
          autoComplete="off"
          disabled={!fallbackConnectionId}
          hint="The model asked on the fallback connection. Empty: that connection's default model, else the model of the original call."
        />
      </fieldset>
      {canManage ? (
        <div className="flex items-center justify-end gap-2 border-t border-zinc-100 pt-4">
          {isDirty ? <span className="mr-auto text-xs text-amber-700">Unsaved changes</span> : null}
          <Button disabled={!isDirty || save.isPending} onClick={() => form.reset()}>
            Discard changes
          </Button>
          <Button variant="primary" type="submit" loading={save.isPending} disabled={!isDirty}>
            Save settings
          </Button>
        </div>
      ) : canReadProviders ? (
        <p className="text-xs text-zinc-500">
          Connections are managed under{" "}
          <Link href={providersHref} className="font-medium text-accent underline-offset-2 hover:underline">
            Providers
          </Link>
          .
        </p>
      ) : null}
    </form>
  );
}
