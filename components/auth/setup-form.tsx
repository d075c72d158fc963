"use client";
// First-owner setup: the account, the organization and its first project. Slugs follow the
// names until edited by hand.
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { z } from "zod";
import { password, requiredText, slug } from "@/server/contracts/fields";
import { requiredEmail } from "@/components/lib/fields";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Input } from "@/components/ui";
import { focusFirstInvalid, formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from "@/components/lib/errors";
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
type Field = keyof typeof LABELS;

const schema = z
  .object({
    name: requiredText(120),
    email: requiredEmail,
    password,
    confirm: z.string(),
    organizationName: requiredText(120),
    organizationSlug: slug,
    projectName: requiredText(120),
    projectSlug: slug,
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "does not match the password" });

export function SetupForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const formId = useId();
  const [values, setValues] = useState<Record<Field, string>>({ name: "", email: "", password: "", confirm: "", organizationName: "", organizationSlug: "", projectName: "", projectSlug: "" });
  const [slugEdited, setSlugEdited] = useState({ organizationSlug: false, projectSlug: false });
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const [signingIn, setSigningIn] = useState(false);

  const create = useMutation(
    trpc.setup.createFirstOwner.mutationOptions({
      onSuccess: async (result) => {
        setSigningIn(true);
        const signedIn = await signIn("credentials", { email: values.email.trim(), password: values.password, redirect: false }).catch(() => null);
        if (!signedIn?.ok || signedIn.error) {
          router.replace("/sign-in");
          return;
        }
        router.replace(`/o/${result.orgSlug}/p/${result.projectSlug}`);
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
      if (field === "organizationName" && !slugEdited.organizationSlug) next.organizationSlug = slugify(value);
      if (field === "projectName" && !slugEdited.projectSlug) next.projectSlug = slugify(value);
      return next;
    });
    if (field === "organizationSlug" || field === "projectSlug") setSlugEdited((s) => ({ ...s, [field]: true }));
    if (errors.fields[field]) setErrors((e) => ({ ...e, fields: { ...e.fields, [field]: undefined } }));
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const checked = validateWith(schema, values, LABELS);
    setErrors(checked);
    if (checked.form || Object.keys(checked.fields).length) {
      focusFirstInvalid(formId);
      return;
    }
    const { confirm: _confirm, ...input } = values;
    create.mutate(input);
  }

  const field = (name: Field) => ({
    name,
    value: values[name],
    error: errors.fields[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => set(name, e.target.value),
  });

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Set up Keel" className="flex flex-col gap-6">
      {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
      <fieldset className="flex flex-col gap-4">
        <legend className="sr-only">Your account</legend>
        <p aria-hidden="true" className="text-[13px] font-semibold text-zinc-900">Your account</p>
        <Input label={LABELS.name} autoComplete="name" {...field("name")} />
        <Input label={LABELS.email} type="email" autoComplete="username" {...field("email")} />
        <div className="grid gap-4 sm:grid-cols-2">
          <Input label={LABELS.password} type="password" autoComplete="new-password" hint="At least 12 characters." {...field("password")} />
          <Input label={LABELS.confirm} type="password" autoComplete="new-password" {...field("confirm")} />
        </div>
      </fieldset>
      <fieldset className="flex flex-col gap-4 border-t border-zinc-200 pt-5">
        <legend className="sr-only">Organization</legend>
        <p aria-hidden="true" className="text-[13px] font-semibold text-zinc-900">Organization</p>
        <div className="grid gap-4 sm:grid-cols-2">
          <Input label={LABELS.organizationName} placeholder="Acme" {...field("organizationName")} />
          <Input label={LABELS.organizationSlug} className="font-mono text-[13px]" hint={`Used in addresses: /o/${values.organizationSlug || "…"}`} {...field("organizationSlug")} />
        </div>
      </fieldset>
      <fieldset className="flex flex-col gap-4 border-t border-zinc-200 pt-5">
        <legend className="sr-only">First project</legend>
        <p aria-hidden="true" className="text-[13px] font-semibold text-zinc-900">First project</p>
        <div className="grid gap-4 sm:grid-cols-2">
          <Input label={LABELS.projectName} placeholder="Support Assistant" {...field("projectName")} />
          <Input label={LABELS.projectSlug} className="font-mono text-[13px]" hint={`/p/${values.projectSlug || "…"}`} {...field("projectSlug")} />
        </div>
      </fieldset>
      <Button type="submit" variant="primary" loading={create.isPending || signingIn} className="w-full">
        Create owner account
      </Button>
    </form>
  );
}
