// Client-side variants of the shared field schemas (server/contracts/fields.ts), phrased for
// forms: an empty required field says "is required" rather than "is not valid".
import { z } from "zod";
import { email } from "@/server/contracts/fields";

export const requiredEmail = z.string().trim().min(1, "is required").pipe(email);
