"use client";
// A project's environments: each is a label prompts point at a version with. Protected ones
// refuse direct label moves (approved deployments will move them). Creating and (un)protecting
// needs environment:manage; the server checks again. Below the list, each protected environment's
// protection rules (everyone sees them; owners and admins edit them).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { labelName } from "@/server/contracts/prompts";
import { useTRPC } from "@/components/trpc/client";
import { ActionsTH, Alert, Badge, Button, Card, Checkbox, ConfirmDialog, Dialog, EmptyState, Input, PageHeader, TBody, TD, TH, THead, TR, Table, QueryBody } from "@/components/ui";
import { LayersIcon, LockIcon, PlusIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid, formErrorsFrom, NO_ERRORS, phraseFieldMessage, type FormErrors } from "@/components/lib/errors";
import { Time } from "@/components/lib/time";
import { EnvironmentRules, rulesAnchor } from "./environment-rules";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canManage: boolean };
type Env = { id: string; name: string; description: string; protected: boolean; createdAt: Date };

export function EnvironmentsView({ orgSlug, projectSlug, projectName, canManage }: Props) {
  const trpc = useTRPC();
  const envs = useQuery(trpc.environments.list.queryOptions({ orgSlug, projectSlug }));
  const [creating, setCreating] = useState(false);
  const [toggling, setToggling] = useState<Env | null>(null);
  const [status, setStatus] = useState("");

  const createButton = canManage ? (
    <Button variant="primary" icon={<PlusIcon />} onClick={() => setCreating(true)}>
      New environment
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Environments"
        description="Each environment is a label that points every prompt at one of its versions; applications fetch prompts by label. Protected environments move only through approved deployments."
        actions={createButton}
      />
      {!canManage ? (
        <p className="-mt-3 mb-4 text-xs text-zinc-500">Your role can see environments; owners and admins create them and change their protection.</p>
      ) : null}
      <Card aria-labelledby="envs-title">
        <div className="flex min-h-12 flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-200 px-4 py-3">
          <h2 id="envs-title" className="text-sm font-semibold text-zinc-900">
            {envs.data ? `${envs.data.length} ${envs.data.length === 1 ? "environment" : "environments"}` : "Environments"}
          </h2>
          <p role="status" className="text-xs text-emerald-700">
            {status}
          </p>
        </div>
        <QueryBody query={envs} what="environments" empty={<EmptyState icon={<LayersIcon />} title="No environments" action={createButton} />}>
          {(data) => (
            <Table caption={`Environments of ${projectName}`}>
              <THead>
                <TR>
                  <TH>Name</TH>
                  <TH>Description</TH>
                  <TH>Protection</TH>
                  <TH>Created</TH>
                  {canManage ? (
                    <ActionsTH />
                  ) : null}
                </TR>
              </THead>
              <TBody>
                {data.map((env) => (
                  <TR key={env.id}>
                    <TD className="font-mono text-[13px] font-medium text-zinc-900">{env.name}</TD>
                    <TD className="max-w-md">{env.description || <span className="text-zinc-500">—</span>}</TD>
                    <TD>
                      {env.protected ? (
                        <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
                          <Badge tone="warning">
                            <LockIcon size={11} />
                            Protected
                          </Badge>
                          <a href={`#${rulesAnchor(env.name)}`} className="text-xs font-medium text-accent hover:underline">
                            Rules<span className="sr-only"> of {env.name}</span>
                          </a>
                        </span>
                      ) : (
                        <Badge tone="outline">Unprotected</Badge>
                      )}
                    </TD>
                    <TD className="whitespace-nowrap text-zinc-500">
                      <Time value={env.createdAt} mode="relative" />
                    </TD>
                    {canManage ? (
                      <TD className="text-right">
                        <Button size="sm" variant={env.protected ? "danger-ghost" : "secondary"} onClick={() => setToggling(env)} aria-label={`${env.protected ? "Unprotect" : "Protect"} ${env.name}`}>
                          {env.protected ? "Unprotect" : "Protect"}
                        </Button>
                      </TD>
                    ) : null}
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </QueryBody>
      </Card>
      {envs.data?.some((env) => env.protected) ? (
        <div className="mt-6 flex flex-col gap-4">
          {envs.data
            .filter((env) => env.protected)
            .map((env) => (
              <EnvironmentRules key={env.id} orgSlug={orgSlug} projectSlug={projectSlug} environment={env.name} canManage={canManage} />
            ))}
        </div>
      ) : null}
      {canManage ? (
        <>
          <CreateEnvironmentDialog open={creating} onClose={() => setCreating(false)} orgSlug={orgSlug} projectSlug={projectSlug} onCreated={(name) => setStatus(`${name} was created`)} />
          <ProtectDialog env={toggling} onClose={() => setToggling(null)} orgSlug={orgSlug} projectSlug={projectSlug} onDone={(env) => setStatus(`${env.name} is now ${env.protected ? "unprotected" : "protected"}`)} />
        </>
      ) : null}
    </>
  );
}

function ProtectDialog({ env, onClose, orgSlug, projectSlug, onDone }: { env: Env | null; onClose: () => void; orgSlug: string; projectSlug: string; onDone: (env: Env) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const set = useMutation(
    trpc.environments.setProtected.mutationOptions({
      onSuccess: async () => {
        if (env) onDone(env);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.environments.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.environments.policy.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey() }),
        ]);
        onClose();
      },
    }),
  );
  const close = () => {
    set.reset();
    onClose();
  };
  const error = set.error ? <Alert tone="error">{errorInfo(set.error).message}</Alert> : null;
  if (env?.protected) {
    return (
      <ConfirmDialog
        open
        onClose={close}
        title={`Unprotect ${env.name}?`}
        confirmLabel="Unprotect"
        pending={set.isPending}
        onConfirm={() => set.mutate({ orgSlug, projectSlug, name: env.name, protected: false })}
        error={error}
      >
        <p>
          Anyone with label:move (editors included) can then point <span className="font-mono text-zinc-900">{env.name}</span> at any version directly, without an approval.
        </p>
      </ConfirmDialog>
    );
  }
  return (
    <ConfirmDialog
      open={!!env}
      onClose={close}
      title={`Protect ${env?.name ?? "environment"}?`}
      confirmLabel="Protect"
      confirmVariant="primary"
      confirmIcon={<LockIcon size={14} />}
      pending={set.isPending}
      onConfirm={() => env && set.mutate({ orgSlug, projectSlug, name: env.name, protected: true })}
      error={error}
    >
      <p>
        Labels of <span className="font-mono text-zinc-900">{env?.name}</span> then refuse direct moves, from people and API keys alike. Approved deployment requests will be the only way to change what it serves.
      </p>
    </ConfirmDialog>
  );
}

const LABELS = { name: "Name", description: "Description" };
type Field = keyof typeof LABELS;

function CreateEnvironmentDialog({ open, onClose, orgSlug, projectSlug, onCreated }: { open: boolean; onClose: () => void; orgSlug: string; projectSlug: string; onCreated: (name: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [isProtected, setIsProtected] = useState(false);
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const create = useMutation(
    trpc.environments.create.mutationOptions({
      onSuccess: async (env) => {
        onCreated(env.name);
        await queryClient.invalidateQueries({ queryKey: trpc.environments.list.queryKey() });
        close();
      },
      onError: (error) => {
        setErrors(formErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );
  function close() {
    create.reset();
    setName("");
    setDescription("");
    setIsProtected(false);
    setErrors(NO_ERRORS);
    onClose();
  }
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const check = labelName.safeParse(name.trim());
    if (!check.success) {
      setErrors({ fields: { name: phraseFieldMessage(check.error.issues[0]?.message ?? "is not valid", "name", "Name") }, form: null });
      return focusFirstInvalid(formId);
    }
    setErrors(NO_ERRORS);
    create.mutate({ orgSlug, projectSlug, name: name.trim(), description: description.trim(), protected: isProtected });
  }
  return (
    <Dialog
      open={open}
      onClose={close}
      title="New environment"
      description="Every prompt gets a label with this name, pointing nowhere until someone moves it."
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={create.isPending}>
            Create environment
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="New environment" className="flex flex-col gap-4">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Input label={LABELS.name} value={name} error={errors.fields.name} onChange={(e) => setName(e.target.value)} placeholder="canary" className="font-mono" hint="Lowercase letters, digits, - and _. Applications ask for prompts with ?label=<name>." autoComplete="off" />
        <Input label={LABELS.description} labelAside={<span className="text-xs text-zinc-500">optional</span>} value={description} error={errors.fields.description} onChange={(e) => setDescription(e.target.value)} maxLength={300} />
        <Checkbox label="Protected" description="Direct label moves are refused; approved deployments will move it." checked={isProtected} onChange={(e) => setIsProtected(e.target.checked)} />
      </form>
    </Dialog>
  );
}
