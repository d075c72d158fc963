// Inputs of the account, organization and membership procedures, shared by their routers and the
// forms that send them (setup, passwords, an account through an invitation, a new organization or
// project, an invitation), so a form checks exactly what the procedure will.
import { z } from "zod";
import { email, password, requiredText, safeString, slug, text } from "./fields";
import { ROLES } from "./permissions";

/** The token of a one-time link (set-password and invitation links). */
export const linkToken = safeString()
  .min(10, "is not a valid link")
  .max(200, "is not a valid link")
  .regex(/^[\w-]+$/, "is not a valid link");

export const memberRole = z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` });

export const newProjectInput = z.object({ name: requiredText(120), slug });

export const newOrganizationInput = z.object({
  organizationName: requiredText(120),
  organizationSlug: slug,
  projectName: requiredText(120),
  projectSlug: slug,
});

/** The first owner of an empty installation, with their organization and its first project. */
export const firstOwnerInput = z.object({ name: requiredText(120), email, password, ...newOrganizationInput.shape });

export const changePasswordInput = z.object({ currentPassword: text(256).min(1, "is required"), newPassword: password });

export const setPasswordInput = z.object({ token: linkToken, password });

export const invitationAccountInput = z.object({ token: linkToken, name: text(120).trim(), password });

export const inviteMemberInput = z.object({ email, role: memberRole });
