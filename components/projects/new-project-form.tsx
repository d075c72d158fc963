"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { z } from "zod";
import { requiredText, slug } from "@/server/contracts/fields";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, ButtonLink, Input } from "@/components/ui";
import { focusFirstInvalid, formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from "@/components/lib/errors";
import { slugify } from "@/components/lib/slug";

const LABELS = { name: "Project name", slug: "Slug" };
type Field = keyof typeof LABELS;
const schema = z.object({ name: requiredText(120), slug });

export function NewProjectForm({ orgSlug, cancelHref }: { orgSlug: string; cancelHref: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const formId = useId();
  const [values, setValues] = useState({ name: "", slug: "" });
  const [slugEdited, setSlugEdited] = useState(false);
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const create = useMutation(
    trpc.orgs.createProject.mutationOptions({
      onSuccess: (project) => {
        router.push(`/o/${orgSlug}/p/${project.slug}`);
        router.refresh();
      },
      onError: (error) => {
        setErrors(formErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const checked = validateWith(schema, values, LABELS);
    setErrors(checked);
    if (Object.keys(checked.fields).length) return focusFirstInvalid(formId);
    create.mutate({ orgSlug, name: values.name.trim(), slug: values.slug });
  }

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="New project" className="flex flex-col gap-4">
      {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
      <Input
        label={LABELS.name}
        placeholder="e.g. Billing Copilot"
        value={values.name}
        error={errors.fields.name}
        onChange={(e) => {
          const name = e.target.value;
          setValues((v) => ({ name, slug: slugEdited ? v.slug : slugify(name) }));
        }}
        autoFocus
      />
      <Input
        label={LABELS.slug}
        className="font-mono text-[13px]"
        value={values.slug}
        error={errors.fields.slug}
        hint={`Used in addresses and by the API: /o/${orgSlug}/p/${values.slug || "…"}`}
        onChange={(e) => {
          setSlugEdited(true);
          setValues((v) => ({ ...v, slug: e.target.value }));
        }}
      />
      <div className="flex justify-end gap-2 pt-1">
        <ButtonLink href={cancelHref}>Cancel</ButtonLink>
        <Button type="submit" variant="primary" loading={create.isPending}>
          Create project
        </Button>
      </div>
    </form>
  );
}
