"use client";
// A project's environments: each is a label prompts point at a version with. Protected ones
// refuse direct label moves (approved deployments will move them). Creating and (un)protecting
// needs environment:manage; the server checks again. Below the list, each protected environment's
// protection rules (everyone sees them; owners and admins edit them).
import { useMutation, useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { environmentInput, type EnvironmentInput } from "@/server/contracts/prompts";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Badge, Checkbox, type Confirmation, CrudSection, FormDialog, FormProblem, type FormProps, Input } from "@/components/ui";
import { LayersIcon, LockIcon } from "@/components/ui/icons";
import { useZodForm } from "@/components/lib/form-errors";
import { Time } from "@/components/lib/time";
import { EnvironmentRules, rulesAnchor } from "./environment-rules";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canManage: boolean };
type Env = RouterOutputs["environments"]["list"][number];

export function EnvironmentsView({ orgSlug, projectSlug, projectName, canManage }: Props) {
  const trpc = useTRPC();
  const ref = { orgSlug, projectSlug };
  const envs = useQuery(trpc.environments.list.queryOptions(ref));
  const create = useMutation(trpc.environments.create.mutationOptions());
  const protect = useMutation(trpc.environments.setProtected.mutationOptions());
  const count = envs.data?.length;
  // Protecting and unprotecting are both confirmed, each saying what it changes.
  const protection = (env: Env): Confirmation =>
    env.protected
      ? {
          title: `Unprotect ${env.name}?`,
          confirmLabel: "Unprotect",
          body: (
            <p>
              Anyone with label:move (editors included) can then point <span className="font-mono text-zinc-900">{env.name}</span> at any version directly,
              without an approval.
            </p>
          ),
          run: () => protect.mutateAsync({ ...ref, name: env.name, protected: false }),
          done: `${env.name} is now unprotected`,
        }
      : {
          title: `Protect ${env.name}?`,
          confirmLabel: "Protect",
          confirmVariant: "primary",
          confirmIcon: <LockIcon size={14} />,
          body: (
            <p>
              Labels of <span className="font-mono text-zinc-900">{env.name}</span> then refuse direct moves, from people and API keys alike. Approved
              deployment requests will be the only way to change what it serves.
            </p>
          ),
          run: () => protect.mutateAsync({ ...ref, name: env.name, protected: true }),
          done: `${env.name} is now protected`,
        };

  return (
    <>
      <CrudSection<Env>
        page={{
          eyebrow: projectName,
          title: "Environments",
          description:
            "Each environment is a label that points every prompt at one of its versions; applications fetch prompts by label. Protected environments move only through approved deployments.",
          note: canManage ? null : "Your role can see environments; owners and admins create them and change their protection.",
        }}
        title={count === undefined ? "Environments" : `${count} ${count === 1 ? "environment" : "environments"}`}
        createLabel="New environment"
        canCreate={canManage}
        query={envs}
        what="environments"
        // Protection also changes the deployment policy and what a prompt's labels allow.
        invalidates={[trpc.environments.list.queryKey(), trpc.environments.policy.queryKey(), trpc.prompts.get.queryKey()]}
        empty={{ icon: <LayersIcon />, title: "No environments" }}
        caption={`Environments of ${projectName}`}
        rowKey={(env) => env.id}
        columns={[
          { header: "Name", className: "font-mono text-[13px] font-medium text-zinc-900", cell: (env) => env.name },
          { header: "Description", className: "max-w-md", cell: (env) => env.description || <span className="text-zinc-500">—</span> },
          {
            header: "Protection",
            cell: (env) =>
              env.protected ? (
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
              ),
          },
          { header: "Created", className: "whitespace-nowrap text-zinc-500", cell: (env) => <Time value={env.createdAt} mode="relative" /> },
        ]}
        actions={
          canManage
            ? [
                {
                  mutation: protect,
                  button: (env) => ({
                    label: env.protected ? "Unprotect" : "Protect",
                    name: `${env.protected ? "Unprotect" : "Protect"} ${env.name}`,
                    variant: env.protected ? "danger-ghost" : "secondary",
                  }),
                  confirm: protection,
                },
              ]
            : []
        }
        dialog={({ open, close, saved }) => (
          <FormDialog
            open={open}
            onClose={close}
            title="New environment"
            description="Every prompt gets a label with this name, pointing nowhere until someone moves it."
            submitLabel="Create environment"
            pending={create.isPending}
          >
            {(formId) => (
              <EnvironmentForm
                formId={formId}
                save={async (input) => {
                  const env = await create.mutateAsync({ ...ref, ...input });
                  await saved(`${env.name} was created`);
                }}
              />
            )}
          </FormDialog>
        )}
      />
      {envs.data?.some((env) => env.protected) ? (
        <div className="mt-6 flex flex-col gap-4">
          {envs.data
            .filter((env) => env.protected)
            .map((env) => (
              <EnvironmentRules key={env.id} {...ref} environment={env.name} canManage={canManage} />
            ))}
        </div>
      ) : null}
    </>
  );
}

const LABELS = { name: "Name", description: "Description" };

/** What the form holds, trimmed, as environmentInput takes it. */
const environmentForm = z
  .object({ name: z.string(), description: z.string(), protected: z.boolean() })
  .transform((v): z.input<typeof environmentInput> => ({ name: v.name.trim(), description: v.description.trim(), protected: v.protected }))
  .pipe(environmentInput);

function EnvironmentForm({ formId, save }: FormProps<EnvironmentInput>) {
  const { form, onSubmit } = useZodForm({
    schema: environmentForm,
    placement: { labels: LABELS },
    defaultValues: { name: "", description: "", protected: false },
    formId,
    save,
  });
  const {
    register,
    formState: { errors },
  } = form;
  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="New environment" className="flex flex-col gap-4">
      <FormProblem message={errors.root?.message} />
      <Input
        label={LABELS.name}
        {...register("name")}
        error={errors.name?.message}
        placeholder="canary"
        className="font-mono"
        hint="Lowercase letters, digits, - and _. Applications ask for prompts with ?label=<name>."
        autoComplete="off"
      />
      <Input
        label={LABELS.description}
        labelAside={<span className="text-xs text-zinc-500">optional</span>}
        {...register("description")}
        error={errors.description?.message}
        maxLength={300}
      />
      <Checkbox label="Protected" description="Direct label moves are refused; approved deployments will move it." {...register("protected")} />
    </form>
  );
}
