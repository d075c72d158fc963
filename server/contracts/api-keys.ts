// A new API key as apiKeys.create takes it and the create form checks it. Client code may import
// this file. (A key's gateway limits: apiKeyLimitsInput in ./observability.)
import { z } from "zod";
import { requiredText } from "./fields";
import { API_KEY_SCOPE_NAMES } from "./permissions";

export const apiKeyInput = z.object({
  name: requiredText(80),
  scopes: z
    .array(z.enum(API_KEY_SCOPE_NAMES, { error: `must be among ${API_KEY_SCOPE_NAMES.join(", ")}` }))
    .min(1, "choose at least one scope")
    .max(API_KEY_SCOPE_NAMES.length),
  /** Organization-wide audit:read (organization owners only; refused with 403 otherwise). */
  orgWide: z.boolean().optional(),
});
export type ApiKeyInput = z.infer<typeof apiKeyInput>;
