// Field schemas shared by procedures and forms. Text fields refuse NUL and other control
// characters (PostgreSQL cannot store NUL), so bad input is a 400 that names the field.
import { z } from "zod";
import { PASSWORD_MIN_LENGTH } from "./limits";

const NO_CONTROL = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;

export const text = (max: number) =>
  z.string().max(max, `must be at most ${max} characters`).regex(NO_CONTROL, "must not contain control characters");

export const requiredText = (max: number) => text(max).trim().min(1, "is required");

export const slug = z
  .string()
  .min(2, "must be at least 2 characters")
  .max(48, "must be at most 48 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "may contain lowercase letters, digits and single dashes");

export const email = z.string().trim().max(254, "is too long").pipe(z.email("is not a valid email address"));

export const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(256, "must be at most 256 characters")
  .regex(NO_CONTROL, "must not contain control characters");

export const id = z.uuid("is not a valid id");
