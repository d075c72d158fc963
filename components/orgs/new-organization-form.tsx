"use client";
// A new organization with its first project; the signed-in person becomes its owner. Slugs
// follow the names until edited by hand.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { z } from "zod";
import { requiredText, slug } from "@/server/contracts/fields";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, ButtonLink, Input } from "@/components/ui";
import { focusFirstInvalid, formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from "@/components/lib/errors";
import { slugify } from "@/components/lib/slug";

const LABELS = { organizationName: "Organization name", organizationSlug: "Organization slug", projectName: "First project", projectSlug: "Project slug" };
type Field = keyof typeof LABELS;
const schema = z.object({ organizationName: requiredText(120), organizationSlug: slug, projectName: requiredText(120), projectSlug: slug });
const EMPTY: Record<Field, string> = { organizationName: "", organizationSlug: "", projectName: "", projectSlug: "" };

export function NewOrganizationForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const formId = useId();
  const [values, setValues] = useState(EMPTY);
  const [edited, setEdited] = useState({ organizationSlug: false, projectSlug: false });
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const create = useMutation(
    trpc.orgs.create.mutationOptions({
      onSuccess: (org) => {
        router.push(`/o/${org.slug}/p/${org.projectSlug}`);
        router.refresh();
      },
      onError: (error) => {
        setErrors(formErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );

  function set(field: Field, value: string) {
    setValues((v) => {
      const next = { ...v, [field]: value };
      if (field === "organizationName" && !edited.organizationSlug) next.organizationSlug = slugify(value);
      if (field === "projectName" && !edited.projectSlug) next.projectSlug = slugify(value);
      return next;
    });
    if (field === "organizationSlug" || field === "projectSlug") setEdited((e) => ({ ...e, [field]: true }));
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const checked = validateWith(schema, values, LABELS);
    setErrors(checked);
    if (Object.keys(checked.fields).length) return focusFirstInvalid(formId);
    create.mutate({ ...values, organizationName: values.organizationName.trim(), projectName: values.projectName.trim() });
  }

  const field = (name: Field) => ({ value: values[name], error: errors.fields[name], onChange: (e: React.ChangeEvent<HTMLInputElement>) => set(name, e.target.value) });
  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="New organization" className="flex flex-col gap-4">
      {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Input label={LABELS.organizationName} placeholder="e.g. Globex" autoFocus {...field("organizationName")} />
        <Input label={LABELS.organizationSlug} className="font-mono text-[13px]" hint={`Used in addresses: /o/${values.organizationSlug || "…"}`} {...field("organizationSlug")} />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Input label={LABELS.projectName} placeholder="e.g. Support Assistant" {...field("projectName")} />
        <Input label={LABELS.projectSlug} className="font-mono text-[13px]" hint={`/p/${values.projectSlug || "…"}`} {...field("projectSlug")} />
      </div>
      <div className="flex justify-end gap-2 pt-1">
        <ButtonLink href="/account">Cancel</ButtonLink>
        <Button type="submit" variant="primary" loading={create.isPending}>
          Create organization
        </Button>
      </div>
    </form>
  );
}
