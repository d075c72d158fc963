import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";
import { DEFAULT_POLICY, type Policy } from "@/server/contracts/deployments";
import {
  blankFreeze,
  blankRule,
  notSavedMessage,
  POLICY_PLACEMENT,
  policyFieldOf,
  policyForm,
  policyValues,
  toLocalInput,
  type PolicyValues,
} from "./policy-model";

const APPROVER = "7d0c6d5e-8a36-4f0e-9d84-2a4b7f1b5c11";

/** The editor's form as it checks itself: the policy it sends, or each field's message. */
async function check(values: PolicyValues) {
  const result = await placedZodResolver(policyForm, POLICY_PLACEMENT)(values, undefined, { fields: {}, shouldUseNativeValidation: false });
  const errors: Record<string, string> = {};
  const walk = (node: unknown, path: string) => {
    if (node === null || typeof node !== "object") return;
    if ("message" in node && typeof node.message === "string") errors[path] = node.message;
    else for (const [key, child] of Object.entries(node)) walk(child, path ? `${path}.${key}` : key);
  };
  walk(result.errors, "");
  return { input: Object.keys(errors).length ? null : result.values, errors };
}

const GATED: Policy = {
  rules: [
    { name: "Release approver", required: 1, roles: ["approver"], users: [] },
    { name: "Engineering lead", required: 2, roles: ["owner", "admin"], users: [APPROVER] },
  ],
  separationOfDuties: false,
  gate: {
    prompts: ["support/reply"],
    dataset: "support-questions",
    datasetVersion: 3,
    tag: "smoke",
    evaluators: [{ name: "greets-customer", metric: "passRate", min: 0.8 }],
    review: { queue: "reply-quality", dimension: null, min: 0.7 },
  },
  expiryHours: 48,
  waitMinutes: 30,
  freezeWindows: [{ start: "2031-12-24T00:00:00.000Z", end: "2031-12-27T00:00:00.000Z", reason: "Holiday freeze" }],
  rollbackPolicy: "normal",
};

describe("the protection rules form", () => {
  it("sends a stored policy back as it was", async () => {
    const { input, errors } = await check(policyValues(GATED, "staging"));
    expect(errors).toEqual({});
    expect(input).toEqual({
      ...GATED,
      freezeWindows: [{ start: new Date(GATED.freezeWindows[0]!.start), end: new Date(GATED.freezeWindows[0]!.end), reason: "Holiday freeze" }],
    });
  });

  it("turns text into numbers, trims, and sends empty choices as null", async () => {
    const values = policyValues(GATED, "staging");
    values.rules[0]!.name = "  Release approver  ";
    values.gate.datasetVersion = " ";
    values.gate.tag = "";
    values.gate.review.dimension = "";
    values.gate.evaluators[0]!.min = " 0.95 ";
    values.expiryHours = "72";
    const { input } = await check(values);
    expect(input).toMatchObject({
      rules: [{ name: "Release approver" }, {}],
      gate: { datasetVersion: null, tag: null, evaluators: [{ min: 0.95 }], review: { dimension: null } },
      expiryHours: 72,
    });
  });

  it("sends no gate while it is off, and no review grade while that is off", async () => {
    const values = policyValues(GATED, "staging");
    values.gate.reviewOn = false;
    expect((await check(values)).input).toMatchObject({ gate: { review: null } });
    values.gateOn = false;
    values.gate.dataset = ""; // not checked while the gate is off
    expect((await check(values)).input).toMatchObject({ gate: null });
  });

  it("starts a new gate with one threshold, and production with duties separated", () => {
    const values = policyValues({ ...DEFAULT_POLICY, separationOfDuties: false }, "production");
    expect(values.separationOfDuties).toBe(true);
    expect(values.gateOn).toBe(false);
    expect(values.gate.evaluators).toEqual([{ name: "", metric: "passRate", min: "0.8" }]);
    expect(values.gate.review.min).toBe("0.7");
    expect(policyValues({ ...DEFAULT_POLICY, separationOfDuties: false }, "staging").separationOfDuties).toBe(false);
  });

  it("shows freeze windows in the viewer's time zone", () => {
    const values = policyValues(GATED, "staging");
    expect(values.freezeWindows[0]!.start).toBe(toLocalInput("2031-12-24T00:00:00.000Z"));
  });

  it("names every problem at once, on its field, in the contract's words", async () => {
    const values = policyValues(GATED, "staging");
    values.rules[0]!.required = "0";
    values.rules[1]!.name = " ";
    values.rules[1]!.required = "1.5";
    values.rules.push({ ...blankRule(), name: "Nobody" });
    values.gate.dataset = "";
    values.gate.datasetVersion = "0";
    values.gate.evaluators[0] = { name: "", metric: "mean", min: "1.2" };
    values.gate.review = { queue: "", dimension: "", min: "" };
    values.expiryHours = "";
    values.waitMinutes = "-1";
    values.freezeWindows = [
      { start: "2031-12-27T00:00", end: "2031-12-24T00:00", reason: "Backwards" },
      { ...blankFreeze(), reason: "Undated" },
    ];
    const { input, errors } = await check(values);
    expect(input).toBeNull();
    expect(errors).toEqual({
      "rules.0.required": "A rule needs at least one approval",
      "rules.1.name": "Name the rule",
      "rules.1.required": "Enter a whole number",
      "rules.2.users": "A rule names at least one user or role",
      "gate.dataset": "Name the gate's dataset",
      "gate.datasetVersion": "Dataset version must be 1 or more",
      "gate.evaluators.0.name": "Choose an evaluator",
      "gate.evaluators.0.min": "Must be at most 1",
      "gate.review.queue": "Choose a review queue",
      "gate.review.min": "Enter a number",
      expiryHours: "Enter a number",
      waitMinutes: "Must be at least 0",
      "freezeWindows.0.end": "A freeze window ends after it starts",
      "freezeWindows.1.start": "Enter a date and time",
      "freezeWindows.1.end": "Enter a date and time",
    });
  });

  it("words the general message by how many problems are marked", async () => {
    const values = policyValues(GATED, "staging");
    values.expiryHours = "3000";
    const one = await check(values);
    expect(one.errors).toEqual({ expiryHours: "Must be at most 2160" });
    expect(
      notSavedMessage((await placedZodResolver(policyForm, POLICY_PLACEMENT)(values, undefined, { fields: {}, shouldUseNativeValidation: false })).errors),
    ).toBe("The rules were not saved: fix the problem marked above.");
    values.waitMinutes = "";
    const result = await placedZodResolver(policyForm, POLICY_PLACEMENT)(values, undefined, { fields: {}, shouldUseNativeValidation: false });
    expect(notSavedMessage(result.errors)).toBe("The rules were not saved: fix the 2 problems marked above.");
  });

  it("places the server's paths on the control that holds them", () => {
    expect(policyFieldOf("policy.freezeWindows.1.end")).toBe("freezeWindows.1.end");
    expect(policyFieldOf("policy.gate.evaluators.0.min")).toBe("gate.evaluators.0.min");
    expect(policyFieldOf("policy.gate.datasetVersion")).toBe("gate.datasetVersion");
    expect(policyFieldOf("policy.gate.review.queue")).toBe("gate.review.queue");
    expect(policyFieldOf("policy.rules.2.roles.0")).toBe("rules.2.users");
    expect(policyFieldOf("policy.rules.2.users.1")).toBe("rules.2.users");
    expect(policyFieldOf("policy.gate.prompts.4")).toBe("gate.prompts");
    // A list's or a group's own problem: above or below it.
    expect(policyFieldOf("policy.rules")).toBe("rules.root");
    expect(policyFieldOf("policy.rules.3")).toBe("rules.root");
    expect(policyFieldOf("policy.gate.evaluators")).toBe("gate.evaluators.root");
    expect(policyFieldOf("policy.gate.review")).toBe("gate.review.root");
    expect(policyFieldOf("policy.gate")).toBe("gate.root");
    expect(policyFieldOf("policy.freezeWindows")).toBe("freezeWindows.root");
    expect(policyFieldOf("policy.separationOfDuties")).toBe("separationOfDuties");
    // Nothing of the form: the form's general problem.
    expect(policyFieldOf("policy.")).toBeNull();
    expect(policyFieldOf("policy.rollbackPolicy")).toBeNull();
    expect(policyFieldOf("environment")).toBeNull();
  });

  it("puts the server's findings on their field, worded as the browser's check words them", () => {
    const set: [string, string][] = [];
    const form = {
      getValues: () => policyValues(GATED, "staging"),
      setError: (name: string, error: { message?: string }) => void set.push([name, error.message ?? ""]),
    } as never;
    const serverError = (message: string, field: string) =>
      new TRPCClientError(message, { result: { error: { code: -32600, message, data: { code: "BAD_REQUEST", field } } } } as never);
    const place = (message: string, field: string) => applyServerErrors(form, serverError(message, field), POLICY_PLACEMENT);
    expect(place("rules.0.required: A rule needs at least one approval", "policy.rules.0.required")).toBeNull();
    expect(place("rules.0.name: must be at most 80 characters", "policy.rules.0.name")).toBeNull();
    expect(place("freezeWindows.1.end: A freeze window ends after it starts", "policy.freezeWindows.1.end")).toBeNull();
    expect(place('"support-questions" has no version 999', "policy.gate.datasetVersion")).toBeNull();
    expect(place('The gate names an evaluator that does not exist: "gone"', "policy.gate.evaluators")).toBeNull();
    expect(place("A rule names ada@example.com, whose role (editor) cannot approve deployments", "policy.rules")).toBeNull();
    expect(set).toEqual([
      ["rules.0.required", "A rule needs at least one approval"],
      ["rules.0.name", "Name must be at most 80 characters"],
      ["freezeWindows.1.end", "A freeze window ends after it starts"],
      ["gate.datasetVersion", '"support-questions" has no version 999'],
      ["gate.evaluators.root", 'The gate names an evaluator that does not exist: "gone"'],
      ["rules.root", "A rule names ada@example.com, whose role (editor) cannot approve deployments"],
    ]);
    // What no part of the form holds is the form's general problem.
    expect(place('"staging" is not protected: protect it first, then give it rules', "environment")).toBe(
      '"staging" is not protected: protect it first, then give it rules',
    );
  });
});
