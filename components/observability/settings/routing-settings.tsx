"use client";
// Retention and gateway routing: how long traces are kept, where plain model names go, the
// fallback connection a failed call is retried on once, and the gateway's timeout. One form,
// read-only without observability:manage (the server checks again).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { telemetrySettingsInput, type TelemetrySettingsInput } from "@/server/contracts/observability";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Input, QueryBody, Select } from "@/components/ui";
import { focusFirstInvalid, hasErrors, NO_ERRORS, type FormErrors } from "@/components/lib/errors";
import { errorsFromIssues, parseWhole, settingsErrorsFrom } from "./model";
import { SettingsSection, type ProjectRef } from "./shared";

const LABELS = {
  retentionDays: "Retention",
  gatewayConnectionId: "Gateway connection",
  fallbackConnectionId: "Fallback connection",
  fallbackModel: "Fallback model",
  gatewayTimeoutMs: "Timeout",
};
type Field = keyof typeof LABELS;
type Values = Record<Field, string>;

function toValues(s: TelemetrySettingsInput): Values {
  return {
    retentionDays: String(s.retentionDays),
    gatewayConnectionId: s.gatewayConnectionId ?? "",
    fallbackConnectionId: s.fallbackConnectionId ?? "",
    fallbackModel: s.fallbackModel ?? "",
    gatewayTimeoutMs: String(s.gatewayTimeoutMs),
  };
}

/** The form's values as the procedure's input, or the problems, each on its field. */
export function checkRouting(values: Values): { input: TelemetrySettingsInput; errors: null } | { input: null; errors: FormErrors<Field> } {
  const fields: Partial<Record<Field, string>> = {};
  const retentionDays = parseWhole(values.retentionDays);
  const gatewayTimeoutMs = parseWhole(values.gatewayTimeoutMs);
  if (retentionDays === null || Number.isNaN(retentionDays)) fields.retentionDays = "Retention must be a whole number of days";
  if (gatewayTimeoutMs === null || Number.isNaN(gatewayTimeoutMs)) fields.gatewayTimeoutMs = "Timeout must be a whole number of milliseconds";
  if (values.fallbackConnectionId && values.fallbackConnectionId === values.gatewayConnectionId) {
    fields.fallbackConnectionId = "Fallback connection must differ from the gateway connection: a fallback is a second provider";
  }
  const candidate = {
    retentionDays: retentionDays ?? Number.NaN,
    gatewayConnectionId: values.gatewayConnectionId || null,
    fallbackConnectionId: values.fallbackConnectionId || null,
    fallbackModel: values.fallbackModel.trim() || null,
    gatewayTimeoutMs: gatewayTimeoutMs ?? Number.NaN,
  };
  const parsed = telemetrySettingsInput.safeParse(candidate);
  const found = parsed.success ? { fields: {}, form: null } : errorsFromIssues(parsed.error.issues, LABELS);
  const errors: FormErrors<Field> = { fields: { ...found.fields, ...fields }, form: Object.keys(fields).length ? null : found.form };
  if (hasErrors(errors) || !parsed.success) return { input: null, errors: hasErrors(errors) ? errors : { fields: {}, form: "Check the form" } };
  return { input: parsed.data, errors: null };
}

export function RoutingSettings({ orgSlug, projectSlug, canManage, canReadProviders }: ProjectRef & { canManage: boolean; canReadProviders: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const settings = useQuery(trpc.observability.settings.queryOptions({ orgSlug, projectSlug }));
  const providers = useQuery({ ...trpc.providers.list.queryOptions({ orgSlug, projectSlug }), enabled: canReadProviders });
  const [values, setValues] = useState<Values | null>(null);
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const [status, setStatus] = useState("");
  // The form starts from the stored settings once they arrive.
  if (settings.data && values === null) setValues(toValues(settings.data));

  const save = useMutation(
    trpc.observability.updateSettings.mutationOptions({
      onSuccess: async (saved) => {
        setValues(toValues(saved));
        setStatus("Settings saved");
        queryClient.setQueryData(trpc.observability.settings.queryKey({ orgSlug, projectSlug }), saved);
        await queryClient.invalidateQueries({ queryKey: trpc.observability.settings.queryKey() });
      },
      onError: (error) => {
        setErrors(settingsErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );

  const dirty = !!values && !!settings.data && JSON.stringify(values) !== JSON.stringify(toValues(settings.data));
  const change = (patch: Partial<Values>) => {
    setValues((v) => (v ? { ...v, ...patch } : v));
    setErrors(NO_ERRORS);
    setStatus("");
  };

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!values) return;
    const checked = checkRouting(values);
    if (checked.errors) {
      setErrors(checked.errors);
      return focusFirstInvalid(formId);
    }
    save.mutate({ orgSlug, projectSlug, ...checked.input });
  }

  const connections = providers.data ?? [];
  const nameOf = (id: string) => connections.find((c) => c.id === id)?.name;
  const fallbackDefault = values?.fallbackConnectionId ? connections.find((c) => c.id === values.fallbackConnectionId)?.defaultModel : null;
  const providersHref = `/o/${orgSlug}/p/${projectSlug}/providers`;

  return (
    <SettingsSection
      id="routing"
      title="Retention and gateway routing"
      description="How long production traces are kept, and where the OpenAI-compatible gateway sends calls."
      status={status}
    >
      <QueryBody query={settings} what="settings">
        {() =>
          values ? (
            <form id={formId} onSubmit={onSubmit} noValidate aria-label="Retention and gateway routing" className="flex flex-col gap-5 px-4 py-4">
              {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
              <fieldset disabled={!canManage} className="grid gap-x-6 gap-y-5 md:grid-cols-2">
                <Input
                  label="Retention (days)"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={365}
                  step={1}
                  value={values.retentionDays}
                  error={errors.fields.retentionDays}
                  onChange={(e) => change({ retentionDays: e.target.value })}
                  wrapperClassName="md:col-span-2 max-w-xs"
                  hint="1 to 365. Traces and their scores older than this are deleted, and spans older than this are refused at ingestion."
                />
                <Select
                  label={LABELS.gatewayConnectionId}
                  value={values.gatewayConnectionId}
                  error={errors.fields.gatewayConnectionId}
                  onChange={(e) => change({ gatewayConnectionId: e.target.value })}
                  hint={
                    <>
                      Where plain model names (<code className="font-mono">model: &quot;gpt-4o-mini&quot;</code>) go. Deployed prompts (<code className="font-mono">prompt:&lt;name&gt;@&lt;label&gt;</code>) use their own
                      prompt&apos;s connection. Without one, plain model names are refused.
                    </>
                  }
                >
                  <option value="">None: only deployed prompts</option>
                  {values.gatewayConnectionId && !nameOf(values.gatewayConnectionId) ? <option value={values.gatewayConnectionId}>{providers.isPending && canReadProviders ? "Loading…" : "A connection that no longer exists"}</option> : null}
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
                  value={values.gatewayTimeoutMs}
                  error={errors.fields.gatewayTimeoutMs}
                  onChange={(e) => change({ gatewayTimeoutMs: e.target.value })}
                  hint="1,000 to 600,000. How long the gateway waits for the provider before the call fails (or goes to the fallback)."
                />
                <Select
                  label={LABELS.fallbackConnectionId}
                  value={values.fallbackConnectionId}
                  error={errors.fields.fallbackConnectionId}
                  onChange={(e) => change({ fallbackConnectionId: e.target.value })}
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
                  {values.fallbackConnectionId && !nameOf(values.fallbackConnectionId) ? <option value={values.fallbackConnectionId}>{providers.isPending && canReadProviders ? "Loading…" : "A connection that no longer exists"}</option> : null}
                  {connections.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                      {c.id === values.gatewayConnectionId ? " (the gateway connection)" : ""}
                    </option>
                  ))}
                </Select>
                <Input
                  label={LABELS.fallbackModel}
                  labelAside={<span className="text-xs text-zinc-500">optional</span>}
                  value={values.fallbackModel}
                  error={errors.fields.fallbackModel}
                  onChange={(e) => change({ fallbackModel: e.target.value })}
                  maxLength={200}
                  placeholder={fallbackDefault ?? "the fallback connection's default model"}
                  className="font-mono"
                  spellCheck={false}
                  autoComplete="off"
                  disabled={!values.fallbackConnectionId}
                  hint="The model asked on the fallback connection. Empty: that connection's default model, else the model of the original call."
                />
              </fieldset>
              {canManage ? (
                <div className="flex items-center justify-end gap-2 border-t border-zinc-100 pt-4">
                  {dirty ? <span className="mr-auto text-xs text-amber-700">Unsaved changes</span> : null}
                  <Button disabled={!dirty || save.isPending} onClick={() => settings.data && (setValues(toValues(settings.data)), setErrors(NO_ERRORS))}>
                    Discard changes
                  </Button>
                  <Button variant="primary" type="submit" loading={save.isPending} disabled={!dirty}>
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
          ) : null
        }
      </QueryBody>
    </SettingsSection>
  );
}
