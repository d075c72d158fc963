"use client";
// A new project in the organization; the slug follows the name until edited by hand.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm, useWatch } from "react-hook-form";
import { newProjectInput } from "@/server/contracts/accounts";
import { useTRPC } from "@/components/trpc/client";
import { Button, ButtonLink, FormProblem, Input } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { slugify } from "@/components/lib/slug";

const LABELS = { name: "Project name", slug: "Slug" };

export function NewProjectForm({ orgSlug, cancelHref }: { orgSlug: string; cancelHref: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const formId = useId();
  const form = useForm({ resolver: placedZodResolver(newProjectInput, { labels: LABELS }), defaultValues: { name: "", slug: "" } });
  const {
    register,
    setValue,
    formState: { errors },
  } = form;
  const slug = useWatch({ control: form.control, name: "slug" });
  const [slugEdited, setSlugEdited] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const create = useMutation(
    trpc.orgs.createProject.mutationOptions({
      onSuccess: (project) => {
        router.push(`/o/${orgSlug}/p/${project.slug}`);
        router.refresh();
      },
      onError: (error) => setFormError(applyServerErrors(form, error, { labels: LABELS })),
    }),
  );

  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      (input) => create.mutate({ orgSlug, ...input }),
      () => focusFirstInvalid(formId),
    )(e);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="New project" className="flex flex-col gap-4">
      <FormProblem message={formError} />
      <Input
        label={LABELS.name}
        placeholder="e.g. Billing Copilot"
        {...register("name", {
          onChange: (e: { target: { value: string } }) =>
            slugEdited || setValue("slug", slugify(e.target.value), { shouldValidate: form.formState.isSubmitted }),
        })}
        error={errors.name?.message}
        autoFocus
      />
      <Input
        label={LABELS.slug}
        className="font-mono text-[13px]"
        {...register("slug", { onChange: () => setSlugEdited(true) })}
        error={errors.slug?.message}
        hint={`Used in addresses and by the API: /o/${orgSlug}/p/${slug || "…"}`}
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
