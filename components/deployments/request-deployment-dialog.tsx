"use client";
// Asking for a version to reach a protected environment, from a prompt's page: a promotion
// (environment, version, justification) or a rollback (environment, a version it served before,
// a comment). The server checks the evaluation gate at once: a failing gate is refused with a
// message naming each evaluator and threshold, shown here as it comes. On success the request's
// page opens.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useForm, useWatch, type UseFormRegisterReturn } from "react-hook-form";
import { z } from "zod";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Dialog, Select, Spinner, Textarea } from "@/components/ui";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver, type FieldPlacement } from "@/components/lib/form-errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { formatDateTime } from "@/components/lib/time";
import { useInvalidateDeployments } from "./request-actions";
import Link from "next/link";
import { GATE_METRIC_LABELS, justification } from "@/server/contracts/deployments";
import { evaluationsHref, runHref } from "@/components/evaluations/model";
import { datasetHref } from "@/components/datasets/model";
import { deploymentRequestHref as requestHref } from "./deployment-tabs";

type Env = { name: string; current: number | null };
type Common = {
  orgSlug: string;
  projectSlug: string;
  prompt: string;
  /** The protected environments, with the version each serves. */
  environments: Env[];
  initialEnvironment: string;
  onClose: () => void;
};

type RequestValues = { environment: string; version: string; justification: string };
type Refused = { title: string; message: string } | null;

/** Server findings on a field go there (labelled); anything else is the request's refusal. */
const placementFor = (justificationLabel: string): FieldPlacement<RequestValues> => ({
  labels: { environment: "Environment", version: "Version", justification: justificationLabel },
  fieldOf: (path) => (path === "environment" || path === "version" || path === "justification" ? path : null),
});

const PROMOTE_PLACEMENT = placementFor("Justification");
const ROLLBACK_PLACEMENT = placementFor("Comment");
const ROLLBACK_FORM = z.object({
  environment: z.string(),
  version: z.string(),
  justification: z.string().trim().min(1, "A rollback needs a comment saying why").pipe(justification),
});

/** The request's form: checked with the procedure's own justification rule (and `refine` for what only this dialog knows), sent as deployments.request. */
function useRequestForm(
  props: Pick<Common, "orgSlug" | "projectSlug">,
  schema: z.ZodType<RequestValues, RequestValues>,
  placement: FieldPlacement<RequestValues>,
  defaultValues: RequestValues,
) {
  const trpc = useTRPC();
  const router = useRouter();
  const invalidate = useInvalidateDeployments();
  const [refusal, setRefusal] = useState<Refused>(null);
  const form = useForm<RequestValues>({ resolver: placedZodResolver(schema, placement), defaultValues });
  const mutation = useMutation(trpc.deployments.request.mutationOptions());
  const submit = (formId: string, send: (values: RequestValues) => Parameters<typeof mutation.mutateAsync>[0]) =>
    form.handleSubmit(
      async (values) => {
        setRefusal(null);
        try {
          const result = await mutation.mutateAsync(send(values));
          await invalidate();
          router.push(requestHref(props.orgSlug, props.projectSlug, result.number));
        } catch (error) {
          const info = errorInfo(error);
          // A failing gate or a conflict is about the whole request: say it prominently.
          if (info.code === "UNPROCESSABLE_CONTENT") return setRefusal({ title: "The evaluation gate refuses this version", message: info.message });
          const message = applyServerErrors(form, error, placement);
          if (message !== null) setRefusal({ title: "The request was refused", message });
        }
      },
      () => focusFirstInvalid(formId),
    );
  return { form, mutation, refusal, setRefusal, submit };
}

function Refusal({ refusal }: { refusal: { title: string; message: string } | null }) {
  return refusal ? (
    <div role="region" aria-label="Refused">
      <Alert tone="error" title={refusal.title}>
        {refusal.message}
      </Alert>
    </div>
  ) : null;
}

function EnvironmentSelect({ environments, field, error }: { environments: Env[]; field: UseFormRegisterReturn<"environment">; error?: string }) {
  return (
    <Select label="Environment" {...field} error={error} hint="Protected environments move only through approved requests.">
      {environments.map((env) => (
        <option key={env.name} value={env.name}>
          {env.name}
          {env.current ? ` (serves v${env.current})` : " (not set)"}
        </option>
      ))}
    </Select>
  );
}

export function RequestDeploymentDialog({
  orgSlug,
  projectSlug,
  prompt,
  environments,
  initialEnvironment,
  versions,
  initialVersion,
  onClose,
}: Common & { versions: number[]; initialVersion: number }) {
  const formId = useId();
  const [schema] = useState(() =>
    z
      .object({ environment: z.string(), version: z.string(), justification: z.string().trim().pipe(justification) })
      .refine((v) => Number(v.version) !== environments.find((e) => e.name === v.environment)?.current, {
        path: ["version"],
        message: "is what this environment already serves",
      }),
  );
  const { form, mutation, refusal, setRefusal, submit } = useRequestForm({ orgSlug, projectSlug }, schema, PROMOTE_PLACEMENT, {
    environment: initialEnvironment,
    version: String(initialVersion),
    justification: "",
  });
  const {
    register,
    formState: { errors },
  } = form;
  const [environment, version] = useWatch({ control: form.control, name: ["environment", "version"] });
  const current = environments.find((e) => e.name === environment)?.current ?? null;
  const onSubmit = submit(formId, (v) => ({
    orgSlug,
    projectSlug,
    prompt,
    version: Number(v.version),
    environment: v.environment,
    justification: v.justification,
    kind: "promote",
  }));

  return (
    <Dialog
      open
      onClose={onClose}
      title="Request deployment"
      description={<span className="font-mono">{prompt}</span>}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" loading={mutation.isPending}>
            Request deployment
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Request deployment" className="flex flex-col gap-4">
        <Refusal refusal={refusal} />
        <EnvironmentSelect
          environments={environments}
          field={register("environment", { onChange: () => setRefusal(null) })}
          error={errors.environment?.message}
        />
        <Select
          label="Version"
          {...register("version", { onChange: () => setRefusal(null) })}
          error={errors.version?.message}
          hint="The version's content hash is recorded with the request."
        >
          {versions.map((v) => (
            <option key={v} value={v}>
              Version {v}
              {v === current ? ` (${environment} serves it)` : ""}
            </option>
          ))}
        </Select>
        <Textarea
          label="Justification"
          labelAside={<span className="text-xs text-zinc-500">required</span>}
          {...register("justification")}
          error={errors.justification?.message}
          required
          maxLength={2000}
          hint="Approvers read this first: what changes for users, and why now."
        />
        <GatePanel orgSlug={orgSlug} projectSlug={projectSlug} prompt={prompt} version={Number(version)} environment={environment} />
        <p className="text-xs text-zinc-500">Approvers then decide; the version is deployed when every approval rule is met.</p>
      </form>
    </Dialog>
  );
}

export function RequestRollbackDialog({ orgSlug, projectSlug, prompt, environments, initialEnvironment, onClose }: Common) {
  const trpc = useTRPC();
  const formId = useId();
  const { form, mutation, refusal, setRefusal, submit } = useRequestForm({ orgSlug, projectSlug }, ROLLBACK_FORM, ROLLBACK_PLACEMENT, {
    environment: initialEnvironment,
    version: "",
    justification: "",
  });
  const {
    register,
    formState: { errors },
  } = form;
  const environment = useWatch({ control: form.control, name: "environment" });
  // The targets arrive after the form: the choice is this dialog's state, not a registered field.
  const [version, setVersion] = useState("");
  const targets = useQuery(trpc.deployments.rollbackTargets.queryOptions({ orgSlug, projectSlug, environment, prompt }));
  const options = targets.data?.targets ?? [];
  // The version select offers what the environment served before: until one is picked, the newest.
  const chosen = version && options.some((t) => String(t.version) === version) ? version : options[0] ? String(options[0].version) : "";
  const target = options.find((t) => String(t.version) === chosen);
  const onSubmit = submit(formId, (v) => ({
    orgSlug,
    projectSlug,
    prompt,
    version: Number(chosen),
    environment: v.environment,
    justification: v.justification,
    kind: "rollback",
  }));

  return (
    <Dialog
      open
      onClose={onClose}
      title="Request rollback"
      description={<span className="font-mono">{prompt}</span>}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" loading={mutation.isPending} disabled={targets.isPending || options.length === 0}>
            Request rollback
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Request rollback" className="flex flex-col gap-4">
        <Refusal refusal={refusal} />
        <EnvironmentSelect
          environments={environments}
          field={register("environment", { onChange: () => (setVersion(""), setRefusal(null)) })}
          error={errors.environment?.message}
        />
        {targets.isPending ? (
          <Spinner label="Loading the versions it served…" />
        ) : targets.isError ? (
          <QueryErrorAlert title="Could not load the rollback targets" error={targets.error} />
        ) : options.length === 0 ? (
          <Alert tone="info">{environment} has served no other version of this prompt: there is nothing to roll back to. Request a promotion instead.</Alert>
        ) : (
          <Select
            label="Roll back to"
            value={chosen}
            onChange={(e) => (setVersion(e.target.value), setRefusal(null))}
            error={errors.version?.message}
            hint={[
              targets.data.current ? `${environment} serves v${targets.data.current} now.` : null,
              target ? `v${target.version} was last moved there by ${target.movedBy}.` : null,
            ]
              .filter(Boolean)
              .join(" ")}
          >
            {options.map((t) => (
              <option key={t.version} value={t.version}>
                Version {t.version} (last deployed {formatDateTime(t.lastDeployedAt)})
              </option>
            ))}
          </Select>
        )}
        <Textarea
          label="Comment"
          labelAside={<span className="text-xs text-zinc-500">required</span>}
          {...register("justification")}
          error={errors.justification?.message}
          required
          maxLength={2000}
          hint="What went wrong with the current version."
        />
      </form>
    </Dialog>
  );
}

const fmt = (x: number) => (Math.round(x * 1000) / 1000).toString();

/**
 * The evaluation gate this promotion would meet, shown before submitting: its dataset (version,
 * tag) and thresholds, the run that counts and what it scored, or why nothing counts, with a link
 * to start a run with the gate's settings.
 */
function GatePanel({
  orgSlug,
  projectSlug,
  prompt,
  version,
  environment,
}: {
  orgSlug: string;
  projectSlug: string;
  prompt: string;
  version: number;
  environment: string;
}) {
  const trpc = useTRPC();
  const preview = useQuery({
    ...trpc.deployments.gatePreview.queryOptions({ orgSlug, projectSlug, prompt, version, environment }),
    enabled: Number.isInteger(version) && version > 0,
  });
  if (preview.isPending) return <Spinner label="Checking the evaluation gate…" />;
  if (preview.isError) return <QueryErrorAlert title="Could not check the evaluation gate" error={preview.error} />;
  const { gate, result, inProgress, suggestedRun } = preview.data;
  if (!gate || !result) {
    return (
      <section aria-label="Evaluation gate" className="rounded-md border border-zinc-200 px-3 py-2 text-[13px] text-zinc-700">
        {environment} has no evaluation gate for this prompt: approvals alone decide.
      </section>
    );
  }
  const newRunHref = suggestedRun
    ? (() => {
        const params = new URLSearchParams({ prompt: suggestedRun.prompt, version: String(suggestedRun.version), dataset: suggestedRun.dataset });
        if (suggestedRun.datasetVersion) params.set("datasetVersion", String(suggestedRun.datasetVersion));
        if (suggestedRun.tag) params.set("tag", suggestedRun.tag);
        for (const e of suggestedRun.evaluators) params.append("evaluator", e);
        return `${evaluationsHref(orgSlug, projectSlug, "new")}?${params}`;
      })()
    : null;
  const blocking = result.blockingRun ?? null;
  return (
    <section
      aria-labelledby="gate-title"
      className={`rounded-md border px-3 py-2.5 text-[13px] ${result.passed ? "border-emerald-200 bg-emerald-50/50" : "border-red-200 bg-red-50/50"}`}
    >
      <h3 id="gate-title" className="font-semibold text-zinc-900">
        Evaluation gate of {environment}:{" "}
        {result.passed ? <span className="text-emerald-800">passes</span> : <span className="text-red-800">would refuse v{version}</span>}
      </h3>
      <dl className="mt-1.5 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-zinc-700">
        <dt className="text-zinc-500">Dataset</dt>
        <dd className="font-mono text-xs">
          <Link
            href={datasetHref(orgSlug, projectSlug, gate.dataset, null, gate.datasetVersion ? { v: gate.datasetVersion } : undefined)}
            className="hover:text-accent hover:underline"
          >
            {gate.dataset}
          </Link>
          {gate.datasetVersion ? ` v${gate.datasetVersion}` : " (any version)"}
          {gate.tag ? ` · tag ${gate.tag}` : ""}
        </dd>
        <dt className="text-zinc-500">Thresholds</dt>
        <dd>
          <ul>
            {gate.evaluators.map((t) => {
              const check = result.checks.find((c) => c.evaluator === t.name);
              return (
                <li key={t.name}>
                  <span className="font-mono text-xs">{t.name}</span> {GATE_METRIC_LABELS[t.metric]} ≥ {fmt(t.min)}
                  {check ? (
                    <span className={check.passed ? "text-emerald-800" : "text-red-800"}>
                      {" "}
                      · {check.actual === null ? "not scored" : fmt(check.actual)} {check.passed ? "✓" : "✗"}
                    </span>
                  ) : null}
                </li>
              );
            })}
            {gate.review ? (
              <li>
                human grade from <span className="font-mono text-xs">{gate.review.queue}</span> ≥ {fmt(gate.review.min)}
                {result.review ? (
                  <span className={result.review.passed ? "text-emerald-800" : "text-red-800"}>
                    {" "}
                    · {result.review.actual === null ? "no grades" : fmt(result.review.actual)}
                  </span>
                ) : null}
              </li>
            ) : null}
          </ul>
        </dd>
        <dt className="text-zinc-500">Counting run</dt>
        <dd>
          {result.run ? (
            <Link href={runHref(orgSlug, projectSlug, result.run.number)} className="font-medium hover:text-accent hover:underline">
              run #{result.run.number} ({result.run.dataset} v{result.run.datasetVersion})
            </Link>
          ) : blocking ? (
            <>
              none —{" "}
              <Link href={runHref(orgSlug, projectSlug, blocking.number, { status: "error" })} className="font-medium text-red-800 underline">
                run #{blocking.number} {blocking.status === "failed" ? "failed" : "answered too little"}: {blocking.answered} of {blocking.items} answers
              </Link>
            </>
          ) : (
            "none yet"
          )}
          {inProgress.length ? (
            <span className="block text-xs text-zinc-600">
              In progress: {inProgress.map((r) => `#${r.number} (${r.status})`).join(", ")}; it counts once it has finished.
            </span>
          ) : null}
        </dd>
      </dl>
      {!result.passed ? (
        <div className="mt-2 flex flex-col gap-1.5">
          <ul className="list-disc pl-5 text-red-900">
            {result.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
          {newRunHref ? (
            <p>
              <Link href={newRunHref} className="font-medium text-accent underline">
                Start a run of v{version} with the gate&apos;s settings
              </Link>
              {blocking ? " (fix the dataset or the prompt first, or it fails the same way)" : ""}
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
