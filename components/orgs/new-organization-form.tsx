"use client";
// A new organization with its first project; the signed-in person becomes its owner. Slugs
// follow the names until edited by hand.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm, useWatch } from "react-hook-form";
import { newOrganizationInput } from "@/server/contracts/accounts";
import { useTRPC } from "@/components/trpc/client";
import { Button, ButtonLink, FormProblem, Input } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { slugify } from "@/components/lib/slug";

const LABELS = { organizationName: "Organization name", organizationSlug: "Organization slug", projectName: "First project", projectSlug: "Project slug" };

export function NewOrganizationForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const formId = useId();
  const form = useForm({
    resolver: placedZodResolver(newOrganizationInput, { labels: LABELS }),
    defaultValues: { organizationName: "", organizationSlug: "", projectName: "", projectSlug: "" },
  });
  const {
    register,
    setValue,
    formState: { errors },
  } = form;
  const [organizationSlug, projectSlug] = useWatch({ control: form.control, name: ["organizationSlug", "projectSlug"] });
  // Slugs typed by hand stop following their names.
  const [slugEdited, setSlugEdited] = useState({ organizationSlug: false, projectSlug: false });
  const [formError, setFormError] = useState<string | null>(null);
  const create = useMutation(
    trpc.orgs.create.mutationOptions({
      onSuccess: (org) => {
        router.push(`/o/${org.slug}/p/${org.projectSlug}`);
        router.refresh();
      },
      onError: (error) => setFormError(applyServerErrors(form, error, { labels: LABELS })),
    }),
  );

  const follow = (slug: "organizationSlug" | "projectSlug") => (e: { target: { value: string } }) => {
    if (!slugEdited[slug]) setValue(slug, slugify(e.target.value), { shouldValidate: form.formState.isSubmitted });
  };
  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      (input) => create.mutate(input),
      () => focusFirstInvalid(formId),
    )(e);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="New organization" className="flex flex-col gap-4">
      <FormProblem message={formError} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Input
          label={LABELS.organizationName}
          placeholder="e.g. Globex"
          autoFocus
          {...register("organizationName", { onChange: follow("organizationSlug") })}
          error={errors.organizationName?.message}
        />
        <Input
          label={LABELS.organizationSlug}
          className="font-mono text-[13px]"
          hint={`Used in addresses: /o/${organizationSlug || "…"}`}
          {...register("organizationSlug", { onChange: () => setSlugEdited((s) => ({ ...s, organizationSlug: true })) })}
          error={errors.organizationSlug?.message}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Input
          label={LABELS.projectName}
          placeholder="e.g. Support Assistant"
          {...register("projectName", { onChange: follow("projectSlug") })}
          error={errors.projectName?.message}
        />
        <Input
          label={LABELS.projectSlug}
          className="font-mono text-[13px]"
          hint={`/p/${projectSlug || "…"}`}
          {...register("projectSlug", { onChange: () => setSlugEdited((s) => ({ ...s, projectSlug: true })) })}
          error={errors.projectSlug?.message}
        />
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
