// Provider connections and model prices as the procedures take them (providers.create/update,
// modelPrices.set) and the forms check them. Client code may import this file.
import { z } from "zod";
import { id, requiredText, text } from "./fields";

const baseUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(500);
const apiKey = text(500)
  .min(1, "is required")
  .regex(/^[\x21-\x7e]+$/, "must be printable characters without spaces");
const model = text(120).trim();
const price = z.number().min(0, "cannot be negative").max(100_000, "is too large");

export const PROVIDER_KINDS = ["openai_compatible", "anthropic"] as const;

export const providerInput = z.object({
  name: requiredText(80),
  kind: z.enum(PROVIDER_KINDS),
  baseUrl,
  apiKey: apiKey.optional(),
  defaultModel: model.optional(),
});

/** What an edit changes (the kind stays); apiKey null removes the saved key. */
export const providerChanges = z.object({
  id,
  name: requiredText(80).optional(),
  baseUrl: baseUrl.optional(),
  apiKey: apiKey.nullable().optional(),
  defaultModel: model.nullable().optional(),
});

export const modelPriceInput = z.object({ model: model.min(1, "is required"), inputPerMillion: price, outputPerMillion: price });
export type ModelPriceInput = z.infer<typeof modelPriceInput>;
