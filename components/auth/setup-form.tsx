"use client";
// First-owner setup: the account, the organization and its first project. Slugs follow the
// names until edited by hand.
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm, useWatch } from "react-hook-form";
import { z } from "zod";
import { firstOwnerInput } from "@/server/contracts/accounts";
import { requiredEmail } from "@/components/lib/fields";
import { useTRPC } from "@/components/trpc/client";
import { Button, FormProblem, Input } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { slugify } from "@/components/lib/slug";

const LABELS = {
  name: "Your name",
  email: "Email",
  password: "Password",
  confirm: "Confirm password",
  organizationName: "Organization name",
  organizationSlug: "Organization slug",
  projectName: "Project name",
  projectSlug: "Project slug",
};

// The procedure's input, with "Email is required" for an empty email and the password typed twice.
const schema = firstOwnerInput
  .extend({ email: requiredEmail, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "does not match the password" });
type Values = z.input<typeof schema>;
const EMPTY: Values = { name: "", email: "", password: "", confirm: "", organizationName: "", organizationSlug: "", projectName: "", projectSlug: "" };

export function SetupForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const formId = useId();
  const form = useForm({ resolver: placedZodResolver(schema, { labels: LABELS }), defaultValues: EMPTY });
  const {
    register,
    setValue,
    formState: { errors },
  } = form;
  const [organizationSlug, projectSlug] = useWatch({ control: form.control, name: ["organizationSlug", "projectSlug"] });
  // Slugs typed by hand stop following their names.
  const [slugEdited, setSlugEdited] = useState({ organizationSlug: false, projectSlug: false });
  const [formError, setFormError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  const create = useMutation(
    trpc.setup.createFirstOwner.mutationOptions({
      onSuccess: async (result, input) => {
        setSigningIn(true);
        const signedIn = await signIn("credentials", { email: input.email, password: input.password, redirect: false }).catch(() => null);
        if (!signedIn?.ok || signedIn.error) {
          router.replace("/sign-in");
          return;
        }
        router.replace(`/o/${result.orgSlug}/p/${result.projectSlug}`);
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
      ({ confirm: _confirm, ...input }) => create.mutate(input),
      () => focusFirstInvalid(formId),
    )(e);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Set up Keel" className="flex flex-col gap-6">
      <FormProblem message={formError} />
      <fieldset className="flex flex-col gap-4">
        <legend className="sr-only">Your account</legend>
        <p aria-hidden="true" className="text-[13px] font-semibold text-zinc-900">
          Your account
        </p>
        <Input label={LABELS.name} autoComplete="name" {...register("name")} error={errors.name?.message} />
        <Input label={LABELS.email} type="email" autoComplete="username" {...register("email")} error={errors.email?.message} />
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label={LABELS.password}
            type="password"
            autoComplete="new-password"
            hint="At least 12 characters."
            {...register("password")}
            error={errors.password?.message}
          />
          <Input label={LABELS.confirm} type="password" autoComplete="new-password" {...register("confirm")} error={errors.confirm?.message} />
        </div>
      </fieldset>
      <fieldset className="flex flex-col gap-4 border-t border-zinc-200 pt-5">
        <legend className="sr-only">Organization</legend>
        <p aria-hidden="true" className="text-[13px] font-semibold text-zinc-900">
          Organization
        </p>
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label={LABELS.organizationName}
            placeholder="Acme"
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
      </fieldset>
      <fieldset className="flex flex-col gap-4 border-t border-zinc-200 pt-5">
        <legend className="sr-only">First project</legend>
        <p aria-hidden="true" className="text-[13px] font-semibold text-zinc-900">
          First project
        </p>
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label={LABELS.projectName}
            placeholder="Support Assistant"
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
      </fieldset>
      <Button type="submit" variant="primary" loading={create.isPending || signingIn} className="w-full">
        Create owner account
      </Button>
    </form>
  );
}
