"use client";
// Editing a prompt saves a new version. The editor starts from the latest version (or the one in
// ?from=), lists variables as they are typed, guards unsaved changes, and saves through a review
// dialog that shows the diff and takes the commit message (a react-hook-form form checked with the
// contract's commitMessage). If someone else saved meanwhile the server refuses (CONFLICT): the
// dialog shows their changes and lets the author decide, rather than silently branching.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { commitMessage, type VersionContent } from "@/server/contracts/prompts";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, Card, CardBody, CardHeader, Dialog, Input, PageHeader, Spinner } from "@/components/ui";
import { SaveIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver, type FieldPlacement } from "@/components/lib/form-errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { ContentEditor } from "./content-editor";
import { VersionDiff } from "./content-diff";
import { ModelConfigPanel, useProviders } from "./model-config-panel";
import { contentKey, draftFromVersion, draftProblems, draftToContent, draftVariables, promptHref, type ContentDraft, type VersionLike } from "./model";
import { VariablesTable } from "./variables-table";
import { useUnsavedChangesGuard } from "./unsaved-guard";

type Props = { orgSlug: string; projectSlug: string; projectName: string; name: string; type: "text" | "chat" };

type BaseVersion = VersionLike & { version: number; commitMessage: string; authorLabel: string; createdAt: Date };

export function PromptEditorView(props: Props) {
  const { orgSlug, projectSlug, name } = props;
  const trpc = useTRPC();
  const searchParams = useSearchParams();
  // Fixed when the editor opens: the version the edit starts from, and the latest version then
  // (what the server's conflict check compares against). Later refetches must not move them.
  const prompt = useQuery({ ...trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name }), staleTime: Infinity, refetchOnWindowFocus: false });
  const [start, setStart] = useState<{ latest: number; from: number } | null>(null);
  if (prompt.data && start === null) {
    const requested = Number(searchParams.get("from"));
    const latest = prompt.data.latestVersion;
    setStart({ latest, from: prompt.data.versions.some((v) => v.version === requested) ? requested : latest });
  }
  const startedAtLatest = start?.latest ?? null;
  const base = useQuery({
    ...trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name, version: start?.from ?? 1 }),
    enabled: start !== null,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });

  if (prompt.isError) return <QueryErrorAlert title="Could not load the prompt" error={prompt.error} />;
  if (base.isError) return <QueryErrorAlert title="Could not load the version" error={base.error} />;
  if (!base.data || startedAtLatest === null) {
    return (
      <div className="py-16 text-center">
        <Spinner label="Loading the editor…" />
      </div>
    );
  }
  return <EditorForm key={base.data.version} {...props} base={base.data} startedAtLatest={startedAtLatest} />;
}

function EditorForm({ orgSlug, projectSlug, projectName, name, type, base, startedAtLatest }: Props & { base: BaseVersion; startedAtLatest: number }) {
  const router = useRouter();
  const [draft, setDraft] = useState<ContentDraft>(() => draftFromVersion(type, base));
  const initialKey = useState(() => contentKey(draftFromVersion(type, base)))[0];
  const [reviewing, setReviewing] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const [saved, setSaved] = useState(false);
  const [configError, setConfigError] = useState<string | null>(null);

  // Raised when the author chooses to save on top of a version someone else saved meanwhile.
  const [basedOn, setBasedOn] = useState(startedAtLatest);
  const dirty = !saved && contentKey(draft) !== initialKey;
  const guard = useUnsavedChangesGuard(dirty);
  const detailHref = promptHref(orgSlug, projectSlug, name);
  const variables = draftVariables(draft);
  // Content problems (empty text, {{ }} syntax) by path ("template", "messages.1.content"): shown
  // once a save was attempted, and kept current as the text changes.
  const contentErrors = attempted ? Object.fromEntries(draftProblems(draft).map((p) => [p.path.join("."), p.message])) : {};
  const baseVariables = draftVariables(draftFromVersion(type, base));
  const openReviewRef = useRef<() => void>(() => {});

  function openReview() {
    setAttempted(true);
    const problems = draftProblems(draft);
    if (problems.length) {
      setConfigError(`Fix the content first: ${problems[0]!.message}`);
      return;
    }
    const { errors } = draftToContent(draft);
    if (Object.keys(errors).length) {
      setConfigError("Fix the model configuration first: " + Object.values(errors)[0]);
      return;
    }
    setConfigError(null);
    setReviewing(true);
  }
  useEffect(() => {
    openReviewRef.current = openReview;
  });

  // Ctrl/Cmd+S opens the review, as in an editor.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "s") {
        e.preventDefault();
        openReviewRef.current();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title={
          <>
            Edit <span className="font-mono">{name}</span>
          </>
        }
        description={
          <>
            Saving creates version {basedOn + 1}. Started from version {base.version}
            {base.version === startedAtLatest ? " (the latest)" : `; the latest is version ${startedAtLatest}`}, saved by {base.authorLabel}{" "}
            <Time value={base.createdAt} mode="relative" />.
          </>
        }
        actions={
          <>
            <Badge tone={dirty ? "warning" : "neutral"} aria-live="polite">
              {dirty ? "Unsaved changes" : "No changes"}
            </Badge>
            <Button onClick={() => guard.leave(detailHref)}>Cancel</Button>
            <Button variant="primary" icon={<SaveIcon size={14} />} onClick={openReview} aria-keyshortcuts="Control+S Meta+S">
              Review and save
            </Button>
          </>
        }
      />
      {base.version !== startedAtLatest ? (
        <Alert tone="warning" className="mb-4" title={`You are editing an older version (${base.version})`}>
          Saving makes your edit the new latest version; the review shows what changes relative to version {base.version}.
        </Alert>
      ) : null}
      {configError ? (
        <div role="region" aria-label="Problems" className="mb-4">
          <Alert tone="error">{configError}</Alert>
        </div>
      ) : null}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Card aria-labelledby="content-title" className="min-w-0 self-start">
          <CardHeader titleId="content-title" title="Content" description={type === "chat" ? "Chat messages, in order." : "The template."} />
          <CardBody className="flex flex-col gap-4">
            <ContentEditor
              type={type}
              template={draft.template}
              messages={draft.messages}
              onTemplateChange={(template) => setDraft((d) => ({ ...d, template }))}
              onMessagesChange={(messages) => setDraft((d) => ({ ...d, messages }))}
              fieldErrors={contentErrors}
            />
            <section aria-labelledby="variables-title">
              <h3 id="variables-title" className="mb-1.5 text-[13px] font-medium text-zinc-800">
                Variables <span className="font-normal text-zinc-500">({variables.length})</span>
              </h3>
              <p className="mb-2 text-xs text-zinc-500">A default is used when a caller sends no value; without one the variable is required.</p>
              <VariablesTable variables={variables} value={draft.variables} onChange={(vars) => setDraft((d) => ({ ...d, variables: vars }))} />
              <VariableChanges before={baseVariables} after={variables} />
            </section>
          </CardBody>
        </Card>
        <Card aria-labelledby="config-title" className="min-w-0 self-start">
          <CardHeader titleId="config-title" title="Model configuration" />
          <CardBody>
            <ModelConfigPanel
              orgSlug={orgSlug}
              projectSlug={projectSlug}
              value={draft.config}
              onChange={(config) => setDraft((d) => ({ ...d, config }))}
              showErrors={attempted}
            />
          </CardBody>
        </Card>
      </div>
      <ReviewDialog
        open={reviewing}
        onClose={() => setReviewing(false)}
        orgSlug={orgSlug}
        projectSlug={projectSlug}
        name={name}
        type={type}
        base={base}
        basedOn={basedOn}
        onRebase={setBasedOn}
        draft={draft}
        onSaved={(version) => {
          setSaved(true);
          guard.release();
          router.push(promptHref(orgSlug, projectSlug, name, undefined, { saved: version }));
        }}
        onDiscard={(latest) => {
          // A fresh start: the page reloads with the newest version as its base.
          setSaved(true);
          guard.release();
          window.location.assign(promptHref(orgSlug, projectSlug, name, "edit", { from: latest }));
        }}
      />
      {guard.dialog}
    </>
  );
}

function VariableChanges({ before, after }: { before: string[]; after: string[] }) {
  const added = after.filter((v) => !before.includes(v));
  const removed = before.filter((v) => !after.includes(v));
  if (!added.length && !removed.length) return null;
  return (
    <p className="mt-2 text-xs text-zinc-600">
      Compared with the version you started from:{" "}
      {added.length ? (
        <span className="text-emerald-700">
          + added <span className="font-mono">{added.join(", ")}</span>
        </span>
      ) : null}
      {added.length && removed.length ? "; " : null}
      {removed.length ? (
        <span className="text-red-700">
          − removed <span className="font-mono">{removed.join(", ")}</span>
        </span>
      ) : null}
      . Applications must send the variables this version uses unless they have a default.
    </p>
  );
}

const saveSchema = z.object({ commitMessage });
type SaveValues = z.infer<typeof saveSchema>;
const SAVE_PLACEMENT: FieldPlacement<SaveValues> = { labels: { commitMessage: "Commit message" } };

function ReviewDialog({
  open,
  onClose,
  orgSlug,
  projectSlug,
  name,
  type,
  base,
  basedOn,
  onRebase,
  draft,
  onSaved,
  onDiscard,
}: {
  open: boolean;
  onClose: () => void;
  orgSlug: string;
  projectSlug: string;
  name: string;
  type: "text" | "chat";
  base: BaseVersion;
  basedOn: number;
  onRebase: (version: number) => void;
  draft: ContentDraft;
  onSaved: (version: number) => void;
  onDiscard: (latest: number) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useForm<SaveValues>({ resolver: placedZodResolver(saveSchema, SAVE_PLACEMENT), defaultValues: { commitMessage: "" } });
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ message: string; latest: number | null } | null>(null);
  const providers = useProviders(orgSlug, projectSlug);
  const providerNames = Object.fromEntries((providers.data ?? []).map((p) => [p.id, p.name]));
  const content: VersionContent = draftToContent(draft).content;
  const afterLike: VersionLike =
    content.type === "text"
      ? { template: content.template, config: content.config, variableDetails: content.variableDetails }
      : { messages: content.messages, config: content.config, variableDetails: content.variableDetails };
  // After a rebase the diff is against the version the save now builds on.
  const compareWith = basedOn !== base.version ? basedOn : base.version;
  const rebased = useQuery({
    ...trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name, version: compareWith }),
    enabled: open && compareWith !== base.version,
  });
  const before: VersionLike | null = compareWith === base.version ? base : (rebased.data ?? null);
  const theirs = useQuery({
    ...trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name, version: conflict?.latest ?? 1 }),
    enabled: !!conflict?.latest,
  });

  const save = useMutation(
    trpc.prompts.createVersion.mutationOptions({
      onSuccess: async (result) => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ orgSlug, projectSlug, name }) }),
          queryClient.invalidateQueries({ queryKey: trpc.prompts.list.queryKey() }),
        ]);
        onSaved(result.version);
      },
      onError: async (error) => {
        const info = errorInfo(error);
        if (info.code === "CONFLICT" && info.field === "basedOnVersion") {
          const fresh = await queryClient.fetchQuery({ ...trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name }), staleTime: 0 });
          setConflict({ message: info.message, latest: fresh.latestVersion });
        } else if (!isIdentical(error)) {
          setFormError(applyServerErrors(form, error, SAVE_PLACEMENT));
        }
      },
    }),
  );
  const identical = !conflict && isIdentical(save.error);

  function close() {
    save.reset();
    setConflict(null);
    setFormError(null);
    form.clearErrors();
    onClose();
  }

  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit((v) => {
      setConflict(null);
      save.mutate({ orgSlug, projectSlug, name, content, commitMessage: v.commitMessage, basedOnVersion: basedOn });
    })(e);
  };

  const otherError = !conflict && !identical ? formError : null;

  return (
    <Dialog
      open={open}
      onClose={close}
      size="xl"
      closeOnBackdrop={false}
      title={`Review and save version ${basedOn + 1}`}
      description={`Changes compared with version ${compareWith}${compareWith === base.version ? ", where you started" : ", the latest"}.`}
      footer={
        <>
          <Button onClick={close}>Back to editing</Button>
          <Button variant="primary" type="submit" form={formId} loading={save.isPending} disabled={!!conflict}>
            Save version {basedOn + 1}
          </Button>
        </>
      }
    >
      <div className="flex flex-col gap-5">
        <div role="region" aria-label="Save problems" className="flex flex-col gap-3 empty:hidden">
          {conflict ? (
            <Alert tone="warning" live title="Someone saved a newer version">
              <p>{conflict.message}</p>
            </Alert>
          ) : null}
          {identical ? (
            <Alert tone="info" title="Nothing to save">
              {errorInfo(save.error).message}
            </Alert>
          ) : null}
          {otherError ? <Alert tone="error">{otherError}</Alert> : null}
        </div>
        <form id={formId} onSubmit={onSubmit} noValidate aria-label="Save version">
          <Input
            label="Commit message"
            {...form.register("commitMessage")}
            error={form.formState.errors.commitMessage?.message}
            maxLength={500}
            placeholder="What changed and why"
            data-autofocus
            hint="Shown in the version list and the audit log."
          />
        </form>
        {conflict?.latest ? (
          <section aria-labelledby="theirs-title" className="flex flex-col gap-3 rounded-md border border-amber-200 bg-amber-50/40 p-3">
            <h3 id="theirs-title" className="text-[13px] font-semibold text-zinc-900">
              Their changes: version {basedOn} → version {conflict.latest}
            </h3>
            <TheirChanges
              orgSlug={orgSlug}
              projectSlug={projectSlug}
              name={name}
              type={type}
              from={basedOn}
              to={conflict.latest}
              providerNames={providerNames}
              theirs={theirs.data}
            />
            <div className="flex flex-wrap gap-2">
              <Button
                variant="primary"
                size="sm"
                onClick={() => {
                  onRebase(conflict.latest!);
                  setConflict(null);
                  save.reset();
                }}
              >
                Keep my edits and save on top of version {conflict.latest}
              </Button>
              <Button size="sm" variant="danger-ghost" onClick={() => onDiscard(conflict.latest!)}>
                Discard my edits and edit version {conflict.latest}
              </Button>
            </div>
            <p className="text-xs text-zinc-600">
              Saving on top replaces their content with yours: check the diff below against version {conflict.latest} first.
            </p>
          </section>
        ) : null}
        {before ? (
          <VersionDiff
            type={type}
            before={before}
            after={afterLike}
            beforeLabel={`Version ${compareWith}`}
            afterLabel="Your edit"
            providerNames={providerNames}
          />
        ) : (
          <Spinner label="Loading the comparison…" />
        )}
      </div>
    </Dialog>
  );
}

/** The server's refusal of a save whose content equals the latest version's. */
function isIdentical(error: unknown): boolean {
  const info = errorInfo(error);
  return info.code === "CONFLICT" && /Nothing changed/i.test(info.message);
}

function TheirChanges({
  orgSlug,
  projectSlug,
  name,
  type,
  from,
  to,
  providerNames,
  theirs,
}: {
  orgSlug: string;
  projectSlug: string;
  name: string;
  type: "text" | "chat";
  from: number;
  to: number;
  providerNames: Record<string, string>;
  theirs: VersionLike | undefined;
}) {
  const trpc = useTRPC();
  const mine = useQuery(trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name, version: from }));
  if (!mine.data || !theirs) return <Spinner label="Loading their changes…" />;
  return (
    <VersionDiff type={type} before={mine.data} after={theirs} beforeLabel={`Version ${from}`} afterLabel={`Version ${to}`} providerNames={providerNames} />
  );
}
