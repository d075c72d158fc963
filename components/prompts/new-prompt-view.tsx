"use client";
// Creating a prompt: its name (folders with "/"), type, description and tags, the first
// version's content and model configuration, and a commit message.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { promptName } from "@/server/contracts/prompts";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Card, CardBody, CardHeader, Input, PageHeader, Textarea, cn } from "@/components/ui";
import { errorInfo, focusFirstInvalid, phraseFieldMessage } from "@/components/lib/errors";
import { ContentEditor } from "./content-editor";
import { ModelConfigPanel } from "./model-config-panel";
import { contentKey, draftProblems, draftToContent, draftVariables, newDraft, parseTags, promptHref, type ContentDraft, type PromptType } from "./model";
import { VariablesTable } from "./variables-table";
import { useUnsavedChangesGuard } from "./unsaved-guard";

type Props = { orgSlug: string; projectSlug: string; projectName: string };
type Field = "name" | "tags" | "content" | "commitMessage" | "description";


export function NewPromptView({ orgSlug, projectSlug, projectName }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [tagsText, setTagsText] = useState("");
  const [draft, setDraft] = useState<ContentDraft>(() => newDraft("chat"));
  const [commitMessage, setCommitMessage] = useState("First version");
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const [attempted, setAttempted] = useState(false);
  const [saved, setSaved] = useState(false);
  const initialKey = useState(() => contentKey(newDraft("chat")))[0];
  const dirty = !saved && (name !== "" || description !== "" || tagsText !== "" || contentKey(draft) !== initialKey);
  const guard = useUnsavedChangesGuard(dirty);

  const create = useMutation(
    trpc.prompts.create.mutationOptions({
      onSuccess: async (result) => {
        setSaved(true);
        guard.release();
        await queryClient.invalidateQueries({ queryKey: trpc.prompts.list.queryKey() });
        router.push(promptHref(orgSlug, projectSlug, result.name));
      },
      onError: (error) => {
        const info = errorInfo(error);
        const field = info.field?.split(".")[0];
        if (field === "name") setErrors({ name: phraseFieldMessage(info.message, "name", "Name") });
        else if (field === "commitMessage") setErrors({ commitMessage: phraseFieldMessage(info.message, "commitMessage", "Commit message") });
        else if (field === "content") {
          setErrors({ content: info.message });
        }
        else setFormError(info.message);
        focusFirstInvalid(formId);
      },
    }),
  );

  function setType(type: PromptType) {
    if (type === draft.type) return;
    // Carry the text across: a template becomes one user message, and back.
    if (type === "chat") {
      const fresh = newDraft("chat");
      setDraft({ ...draft, type, messages: draft.template ? [{ ...fresh.messages[1]!, content: draft.template }] : fresh.messages });
    } else {
      setDraft({ ...draft, type, template: draft.template || draft.messages.map((m) => m.content).filter(Boolean).join("\n\n") });
    }
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setAttempted(true);
    setFormError(null);
    const next: Partial<Record<Field, string>> = {};
    const nameCheck = promptName.safeParse(name.trim());
    if (!nameCheck.success) next.name = phraseFieldMessage(nameCheck.error.issues[0]?.message ?? "is not valid", "name", "Name");
    const tags = parseTags(tagsText);
    if (tags.error) next.tags = tags.error;
    if (!commitMessage.trim()) next.commitMessage = "Commit message is required: say what changed";
    const { content, errors: configErrors } = draftToContent(draft);
    if (draft.type === "chat" && draft.messages.length === 0) next.content = "Add at least one message";
    const problems = draftProblems(draft);
    if (problems.length && !next.content) next.content = problems[0]!.message;
    setErrors(next);
    if (Object.keys(next).length || Object.keys(configErrors).length) {
      if (Object.keys(configErrors).length && !Object.keys(next).length) setFormError("Check the model configuration");
      return focusFirstInvalid(formId);
    }
    create.mutate({ orgSlug, projectSlug, name: name.trim(), description: description.trim(), tags: tags.tags, content, commitMessage: commitMessage.trim() });
  }

  const variables = draftVariables(draft);
  // Content problems (empty text, {{ }} syntax) by path ("template", "messages.1.content"): shown
  // once a save was attempted, and kept current as the text changes.
  const contentErrors = attempted ? Object.fromEntries(draftProblems(draft).map((p) => [p.path.join("."), p.message])) : {};

  return (
    <>
      <PageHeader eyebrow={projectName} title="New prompt" description="A prompt keeps every saved version. Environments (development, staging, production) point at one version each." />
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="New prompt" className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="flex min-w-0 flex-col gap-4">
          <Card aria-labelledby="details-title">
            <CardHeader titleId="details-title" title="Details" />
            <CardBody className="flex flex-col gap-4">
              <Input
                label="Name"
                value={name}
                error={errors.name}
                onChange={(e) => setName(e.target.value)}
                placeholder="support/greeting"
                className="font-mono"
                spellCheck={false}
                autoComplete="off"
                hint={
                  <>
                    Letters, digits, <code>. _ -</code>; use <code>/</code> for folders, e.g. <code className="font-mono">support/greeting</code>. Applications fetch the prompt by this name.
                  </>
                }
              />
              <fieldset>
                <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Type</legend>
                <div className="grid grid-cols-2 gap-2 sm:max-w-md">
                  {(
                    [
                      ["chat", "Chat", "A list of system, user and assistant messages"],
                      ["text", "Text", "One template, for completion-style use"],
                    ] as const
                  ).map(([value, label, description]) => (
                    <label
                      key={value}
                      className={cn(
                        "flex cursor-pointer gap-2 rounded-md border px-3 py-2 text-[13px] has-focus-visible:ring-2 has-focus-visible:ring-accent-ring/40",
                        draft.type === value ? "border-accent-ring bg-accent-soft/60" : "border-zinc-300 bg-white hover:border-zinc-400",
                      )}
                    >
                      <input type="radio" name="type" value={value} checked={draft.type === value} onChange={() => setType(value)} className="mt-0.5 accent-[var(--color-accent)]" />
                      <span>
                        <span className="block font-medium text-zinc-900">{label}</span>
                        <span className="block text-xs text-zinc-500">{description}</span>
                      </span>
                    </label>
                  ))}
                </div>
              </fieldset>
              <Textarea label="Description" labelAside={<span className="text-xs text-zinc-500">optional</span>} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} className="min-h-14" />
              <Input label="Tags" labelAside={<span className="text-xs text-zinc-500">optional</span>} value={tagsText} error={errors.tags} onChange={(e) => setTagsText(e.target.value)} placeholder="support, onboarding" hint="Separate tags with commas." />
            </CardBody>
          </Card>
          <Card aria-labelledby="content-title">
            <CardHeader titleId="content-title" title="Content" description="Version 1 of the prompt." />
            <CardBody className="flex flex-col gap-4">
              <ContentEditor
                type={draft.type}
                template={draft.template}
                messages={draft.messages}
                onTemplateChange={(template) => setDraft((d) => ({ ...d, template }))}
                onMessagesChange={(messages) => setDraft((d) => ({ ...d, messages }))}
                error={errors.content}
                fieldErrors={contentErrors}
              />
              <section aria-labelledby="new-variables-title">
                <h3 id="new-variables-title" className="mb-1.5 text-[13px] font-medium text-zinc-800">
                  Variables <span className="font-normal text-zinc-500">({variables.length})</span>
                </h3>
                <p className="mb-2 text-xs text-zinc-500">A default is used when a caller sends no value; without one the variable is required.</p>
                <VariablesTable variables={variables} value={draft.variables} onChange={(vars) => setDraft((d) => ({ ...d, variables: vars }))} />
              </section>
            </CardBody>
          </Card>
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          <Card aria-labelledby="config-title">
            <CardHeader titleId="config-title" title="Model configuration" description="Stored with the version; applications may use it." />
            <CardBody>
              <ModelConfigPanel orgSlug={orgSlug} projectSlug={projectSlug} value={draft.config} onChange={(config) => setDraft((d) => ({ ...d, config }))} showErrors={attempted} />
            </CardBody>
          </Card>
          <Card aria-labelledby="save-title">
            <CardHeader titleId="save-title" title="Save" />
            <CardBody className="flex flex-col gap-3">
              {formError ? <Alert tone="error">{formError}</Alert> : null}
              <Input label="Commit message" value={commitMessage} error={errors.commitMessage} onChange={(e) => setCommitMessage(e.target.value)} maxLength={500} />
              <div className="flex justify-end gap-2">
                <Button onClick={() => guard.leave(`/o/${orgSlug}/p/${projectSlug}/prompts`)}>Cancel</Button>
                <Button variant="primary" type="submit" loading={create.isPending}>
                  Create prompt
                </Button>
              </div>
            </CardBody>
          </Card>
        </div>
      </form>
      {guard.dialog}
    </>
  );
}
