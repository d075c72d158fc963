// A dataset's details as its forms hold them (text; the JSON Schemas parsed here, checked by the
// server): the New dataset dialog (datasets.create) and the settings page (datasets.update).
import { z } from "zod";
import { datasetName } from "@/server/contracts/datasets";
import { text } from "@/server/contracts/fields";
import type { FieldPlacement } from "@/components/lib/form-errors";
import { jsonSchemaText } from "./schema-field";

export const datasetDetailsForm = z.object({
  name: z.string().trim().pipe(datasetName),
  description: z.string().trim().pipe(text(2000)),
  inputSchema: jsonSchemaText,
  expectedSchema: jsonSchemaText,
});
export type DatasetDetailsValues = z.input<typeof datasetDetailsForm>;

export const DATASET_DETAILS_LABELS = {
  name: "Name",
  description: "Description",
  inputSchema: "Input schema",
  expectedSchema: "Expected output schema",
} as const;

/** Labels, and server paths (newName, inputSchema.properties…) to the form's fields. */
export const DATASET_DETAILS_PLACEMENT: FieldPlacement<DatasetDetailsValues> = {
  labels: DATASET_DETAILS_LABELS,
  fieldOf: (path) => {
    const first = path.split(".")[0];
    const field = first === "newName" ? "name" : first;
    return field && field in DATASET_DETAILS_LABELS ? (field as keyof typeof DATASET_DETAILS_LABELS) : null;
  },
};

export const NO_DATASET_DETAILS: DatasetDetailsValues = { name: "", description: "", inputSchema: "", expectedSchema: "" };
