import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { promptName } from "@/server/contracts/prompts";
import { applyServerErrors, placedZodResolver } from "./form-errors";

type Values = { name: string; dataset: { version: string } };

function fakeForm(values: Values) {
  const set: { name: string; message: string; focus?: boolean }[] = [];
  return {
    set,
    form: {
      getValues: () => values,
      setError: (name: string, error: { message?: string }, options?: { shouldFocus?: boolean }) =>
        void set.push({ name, message: error.message ?? "", focus: options?.shouldFocus }),
    } as never,
  };
}

const serverError = (message: string, field?: string) =>
  new TRPCClientError(message, { result: { error: { code: -32600, message, data: { code: "BAD_REQUEST", field } } } } as never);

describe("applyServerErrors", () => {
  it("puts a message that names one of the form's fields on that field, phrased with its label", () => {
    const { form, set } = fakeForm({ name: "", dataset: { version: "" } });
    expect(applyServerErrors(form, serverError("name: is required", "name"), { labels: { name: "Name" } })).toBeNull();
    expect(set).toEqual([{ name: "name", message: "Name is required", focus: true }]);
  });

  it("follows a nested path the form has, and a mapping the form gives", () => {
    const { form, set } = fakeForm({ name: "", dataset: { version: "" } });
    expect(applyServerErrors(form, serverError("That version does not exist", "dataset.version"))).toBeNull();
    expect(applyServerErrors(form, serverError("Taken", "slug"), { fieldOf: (path) => (path === "slug" ? "name" : null) })).toBeNull();
    expect(set.map((s) => [s.name, s.message])).toEqual([
      ["dataset.version", "That version does not exist"],
      ["name", "Taken"],
    ]);
  });

  it("returns the general message when no field of the form matches", () => {
    const { form, set } = fakeForm({ name: "", dataset: { version: "" } });
    expect(applyServerErrors(form, serverError("Not allowed", "role"))).toBe("Not allowed");
    expect(applyServerErrors(form, serverError("Something went wrong on our side."))).toBe("Something went wrong on our side.");
    expect(applyServerErrors(form, new Error("boom"))).toBe("boom");
    expect(set).toEqual([]);
  });

  it("names the request of a failure on the server's side, so a user can quote it", () => {
    const { form } = fakeForm({ name: "", dataset: { version: "" } });
    const message = "Something went wrong on our side. The error was logged.";
    const internal = new TRPCClientError(message, {
      result: { error: { code: -32603, message, data: { code: "INTERNAL_SERVER_ERROR", requestId: "3f2c9a1e-req" } } },
    } as never);
    expect(applyServerErrors(form, internal)).toBe(`${message} (request 3f2c9a1e-req)`);
  });
});

describe("placedZodResolver with labels", () => {
  const schema = z
    .object({
      name: z.string().trim().min(1, "is required"),
      events: z.array(z.string()).min(1, "Choose at least one event"),
      confirm: z.string(),
      tag: z.string(),
    })
    .refine((v) => v.confirm === "yes", { path: ["confirm"], message: "does not match the password" });
  const resolve = placedZodResolver(schema, { labels: { name: "Name", events: "Events", confirm: "Confirm password" } });
  const options = { fields: {}, shouldUseNativeValidation: false } as never;

  it("phrases the schema's messages with the fields' labels and keeps full sentences", async () => {
    const result = await resolve({ name: " ", events: [], confirm: "no", tag: "" }, undefined, options);
    expect(Object.fromEntries(Object.entries(result.errors).map(([k, v]) => [k, v?.message]))).toEqual({
      name: "Name is required",
      events: "Choose at least one event",
      confirm: "Confirm password does not match the password",
    });
  });

  it("hands the parsed values (trimmed, transformed) to the submit handler", async () => {
    const result = await resolve({ name: " Ada ", events: ["a"], confirm: "yes", tag: "" }, undefined, options);
    expect(result).toEqual({ values: { name: "Ada", events: ["a"], confirm: "yes", tag: "" }, errors: {} });
  });
});

describe("a contract's schema piped from a text field", () => {
  it("is checked on the trimmed text and worded as the server words it", async () => {
    const schema = z.object({ name: z.string().trim().pipe(promptName) });
    const resolve = placedZodResolver(schema, { labels: { name: "Name" } });
    const options = { fields: {}, shouldUseNativeValidation: false } as never;
    expect((await resolve({ name: "  " }, undefined, options)).errors.name?.message).toBe("Name is required");
    expect((await resolve({ name: "a b" }, undefined, options)).errors.name?.message).toBe("Name may use letters, digits, . _ - and / between folder names");
    expect((await resolve({ name: " support/triage " }, undefined, options)).values).toEqual({ name: "support/triage" });
  });
});

describe("applyServerErrors with a session HTTP route's error", () => {
  class HttpError extends Error {
    constructor(
      message: string,
      readonly field?: string,
    ) {
      super(message);
    }
  }

  it('reads the field the error carries and phrases its "<path> <predicate>" message with the label', () => {
    const { form, set } = fakeForm({ name: "", dataset: { version: "" } });
    expect(
      applyServerErrors(form, new HttpError("name.0 may use letters and digits", "name.0"), {
        fieldOf: (path) => (path.startsWith("name") ? "name" : null),
        labels: { name: "Name" },
      }),
    ).toBeNull();
    expect(set).toEqual([{ name: "name", message: "Name may use letters and digits", focus: true }]);
  });

  it("returns the message when the field is not the form's, or the error names none", () => {
    const { form, set } = fakeForm({ name: "", dataset: { version: "" } });
    expect(applyServerErrors(form, new HttpError("mapping.3.column must be at most 200 characters", "mapping.3.column"))).toBe(
      "mapping.3.column must be at most 200 characters",
    );
    expect(applyServerErrors(form, new HttpError("The file is too large"))).toBe("The file is too large");
    expect(set).toEqual([]);
  });
});

describe("placedZodResolver", () => {
  // A form of text whose input is checked by a "procedure's" schema, as the settings forms are.
  const input = z.object({
    name: z.string().trim().min(1, "is required"),
    limits: z.object({ perMinute: z.number().int("must be a whole number").nullable() }),
  });
  const form = z
    .object({ name: z.string(), perMinute: z.string() })
    .transform((v) => ({ name: v.name, limits: { perMinute: v.perMinute === "" ? null : Number(v.perMinute) } }))
    .pipe(input);
  const resolve = (values: { name: string; perMinute: string }, fieldOf?: (path: string) => "name" | "perMinute" | null) =>
    placedZodResolver(form, { labels: { name: "Name", perMinute: "Requests per minute" }, fieldOf })(values, undefined, {
      fields: {},
      shouldUseNativeValidation: false,
    });

  it("hands on the parsed input", async () => {
    expect((await resolve({ name: " Bot ", perMinute: "60" })).values).toEqual({ name: "Bot", limits: { perMinute: 60 } });
  });

  it("puts each issue on the field its path maps to, phrased with the field's label", async () => {
    const { errors } = await resolve({ name: " ", perMinute: "1.5" }, (path) => (path === "limits.perMinute" ? "perMinute" : path === "name" ? "name" : null));
    expect(errors).toMatchObject({ name: { message: "Name is required" }, perMinute: { message: "Requests per minute must be a whole number" } });
  });

  it("makes an issue no field takes the form's root error", async () => {
    const { errors } = await resolve({ name: "Bot", perMinute: "1.5" });
    expect(errors).toEqual({ root: expect.objectContaining({ message: "limits.perMinute: must be a whole number" }) });
  });
});
