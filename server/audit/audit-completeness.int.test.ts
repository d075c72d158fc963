// Every mutation procedure writes its audit event, in the same transaction as its change. The
// scenario table must name every mutation of the root router: a new mutation without a scenario
// fails the first test.
import { TRPCError } from "@trpc/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../api/root";
import { createCaller } from "../api/root";
import { createContext } from "../api/trpc";
import { listProcedures } from "../rbac/permissions-doc";
import { HTTP_ROUTES } from "../api/http-routes";
import type { AuditAction } from "../contracts/audit";
import { getDb } from "../db/client";
import { verifyAuditChain } from "./chain";
import { auditEventsOf, callerFor, createTestOrg, createUser, justSignedIn, lastSeq, TEST_PASSWORD, testRequest, type TestOrg } from "@/test/support/factories";
import { startSession } from "../domain/users/sessions";
import type { SessionUser } from "../auth/session";
import { generate } from "otplib";
import { decryptSecret } from "../crypto/secrets";
import { relyingParty } from "../domain/identity/relying-party";
import { SoftwarePasskey } from "@/test/support/webauthn";

type State = {
  t: TestOrg;
  invitee?: SessionUser;
  decliner?: SessionUser;
  invitationId?: string;
  invitationToken?: string;
  acceptToken?: string;
  declineToken?: string;
  secondInvitationId?: string;
  sessionId?: string;
  pendingUserId?: string;
  passwordToken?: string;
  apiKeyId?: string;
  providerId?: string;
  itemIds?: string[];
  webhookId?: string;
  deliveryId?: string;
  guardrailId?: string;
  onlineId?: string;
  ruleId?: string;
  limitedKeyId?: string;
  totpSecret?: string;
  passkey?: SoftwarePasskey;
  passkeyId?: string;
};
type Scenario = {
  as: (s: State) => SessionUser | null;
  input: (s: State) => unknown | Promise<unknown>;
  expect: AuditAction[];
  after?: (s: State, result: unknown) => unknown;
};

const scope = (s: State) => ({ orgSlug: s.t.org.slug, projectSlug: s.t.project.slug });

// Run in this order: later scenarios use what earlier ones created.
const scenarios: Record<string, Scenario> = {
  "orgs.createProject": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ orgSlug: s.t.org.slug, name: "Second project", slug: "second-project" }),
    expect: ["project.created"],
  },
  "members.invite": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ orgSlug: s.t.org.slug, email: "new.member@example.com", role: "editor" }),
    expect: ["member.invited"],
    after: (s, r) => {
      const result = r as { invitationId: string; token: string };
      s.invitationId = result.invitationId;
      s.invitationToken = result.token;
    },
  },
  "members.reissueInvitation": {
    as: (s) => s.t.users.owner,
    input: (s) => ({ orgSlug: s.t.org.slug, invitationId: s.invitationId }),
    expect: ["member.invitation.reissued"],
    after: (s, r) => (s.invitationToken = (r as { token: string }).token),
  },
  "account.createAccountFromInvitation": {
    as: () => null,
    input: (s) => ({ token: s.invitationToken, name: "New Member", password: "a-long-first-password" }),
    expect: ["user.created", "member.invitation.accepted", "member.added"],
    after: async (s) => {
      s.pendingUserId = (await getDb().user.findUniqueOrThrow({ where: { email: "new.member@example.com" } })).id;
    },
  },
  // The account has never been signed in to and belongs to this organization only.
  "members.regeneratePasswordLink": {
    as: (s) => s.t.users.owner,
    input: (s) => ({ orgSlug: s.t.org.slug, userId: s.pendingUserId }),
    expect: ["member.password_link.created"],
    after: (s, r) => (s.passwordToken = (r as { passwordToken: string }).passwordToken),
  },
  "account.setPassword": { as: () => null, input: (s) => ({ token: s.passwordToken, password: "a-brand-new-password" }), expect: ["user.password.set"] },
  "members.changeRole": {
    as: (s) => s.t.users.owner,
    input: (s) => ({ orgSlug: s.t.org.slug, userId: s.pendingUserId, role: "reviewer" }),
    expect: ["member.role.changed"],
  },
  "members.setProjectRole": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), userId: s.pendingUserId, role: "editor" }),
    expect: ["member.project_role.changed"],
  },
  "members.remove": { as: (s) => s.t.users.admin, input: (s) => ({ orgSlug: s.t.org.slug, userId: s.pendingUserId }), expect: ["member.removed"] },
  "members.revokeInvitation": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ orgSlug: s.t.org.slug, invitationId: s.secondInvitationId }),
    expect: ["member.invitation.revoked"],
  },
  "account.acceptInvitation": { as: (s) => s.invitee!, input: (s) => ({ token: s.acceptToken }), expect: ["member.invitation.accepted", "member.added"] },
  "account.declineInvitation": {
    as: (s) => s.decliner!,
    input: (s) => ({ token: s.declineToken }),
    expect: ["member.invitation.declined"],
    after: async (s) => {
      s.sessionId = await startSession(getDb(), s.t.users.viewer.id, testRequest());
      await startSession(getDb(), s.t.users.viewer.id, testRequest());
    },
  },
  "account.revokeSession": { as: (s) => s.t.users.viewer, input: (s) => ({ sessionId: s.sessionId }), expect: ["user.sessions.revoked"] },
  "account.revokeOtherSessions": { as: (s) => s.t.users.viewer, input: () => undefined, expect: ["user.sessions.revoked"] },
  "apiKeys.create": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), name: "CI", scopes: ["prompts:read"] }),
    expect: ["apikey.created"],
    after: (s, r) => (s.apiKeyId = (r as { id: string }).id),
  },
  "apiKeys.setLimits": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), id: s.apiKeyId, rateLimitPerMinute: 60, monthlyQuota: null }),
    expect: ["apikey.limits.changed"],
  },
  "apiKeys.revoke": { as: (s) => s.t.users.admin, input: (s) => ({ ...scope(s), id: s.apiKeyId }), expect: ["apikey.revoked"] },
  "prompts.create": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "support/reply", content: { type: "text", template: "Hi {{name}}" }, commitMessage: "First draft" }),
    expect: ["prompt.created", "prompt.version.created"],
  },
  "prompts.createVersion": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "support/reply", content: { type: "text", template: "Hello {{name}}" }, commitMessage: "Warmer", basedOnVersion: 1 }),
    expect: ["prompt.version.created"],
  },
  "prompts.updateDetails": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "support/reply", description: "Replies to tickets", tags: ["support"] }),
    expect: ["prompt.updated"],
  },
  "environments.create": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), name: "canary", description: "5% of traffic" }),
    expect: ["environment.created"],
  },
  "environments.setProtected": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), name: "canary", protected: true }),
    expect: ["environment.updated", "environment.policy.updated"],
  },
  "environments.setPolicy": {
    as: (s) => s.t.users.owner,
    input: (s) => ({ ...scope(s), name: "canary", policy: { rules: [{ name: "Release", required: 1, roles: ["approver"], users: [] }] } }),
    expect: ["environment.policy.updated"],
  },
  "webhooks.create": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), url: "https://hooks.example.com/keel", events: ["deployment.requested"] }),
    expect: ["webhook.created"],
    after: (s, r) => (s.webhookId = (r as { id: string }).id),
  },
  "webhooks.update": { as: (s) => s.t.users.admin, input: (s) => ({ ...scope(s), id: s.webhookId, description: "CI notifier" }), expect: ["webhook.updated"] },
  "deployments.reject": {
    as: (s) => s.t.users.approver,
    input: (s) => ({ ...scope(s), number: 1, comment: "Not this week" }),
    expect: ["deployment.rejected"],
  },
  "deployments.cancel": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), number: 2, reason: "Superseded by a fix" }),
    expect: ["deployment.cancelled"],
  },
  "deployments.request": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), prompt: "support/reply", version: 2, environment: "canary", justification: "Warmer greeting" }),
    expect: ["deployment.requested"],
    after: async (s) => {
      const delivery = await getDb().webhookDelivery.findFirstOrThrow({ where: { webhookId: s.webhookId } });
      s.deliveryId = delivery.id;
    },
  },
  "webhooks.redeliver": { as: (s) => s.t.users.admin, input: (s) => ({ ...scope(s), deliveryId: s.deliveryId }), expect: ["webhook.redelivered"] },
  "webhooks.delete": { as: (s) => s.t.users.admin, input: (s) => ({ ...scope(s), id: s.webhookId }), expect: ["webhook.deleted"] },
  "deployments.approve": {
    as: (s) => s.t.users.approver,
    input: (s) => ({ ...scope(s), number: 3, comment: "Ship it" }),
    expect: ["deployment.approval.given", "deployment.approved", "prompt.label.moved", "deployment.deployed"],
  },
  "prompts.moveLabel": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "support/reply", label: "staging", version: 2 }),
    expect: ["prompt.label.moved"],
  },
  "providers.create": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), name: "OpenAI", kind: "openai_compatible", baseUrl: "https://api.example.com/v1", apiKey: "sk-test-secret-value-123456" }),
    expect: ["provider.created"],
    after: (s, r) => (s.providerId = (r as { id: string }).id),
  },
  "providers.update": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), id: s.providerId, defaultModel: "gpt-4o-mini" }),
    expect: ["provider.updated"],
  },
  "providers.delete": { as: (s) => s.t.users.admin, input: (s) => ({ ...scope(s), id: s.providerId }), expect: ["provider.deleted"] },
  "modelPrices.set": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), model: "gpt-4o-mini", inputPerMillion: 0.2, outputPerMillion: 0.8 }),
    expect: ["model_price.set"],
  },
  "datasets.create": { as: (s) => s.t.users.editor, input: (s) => ({ ...scope(s), name: "faq", description: "Questions" }), expect: ["dataset.created"] },
  "datasets.update": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "faq", description: "Support questions" }),
    expect: ["dataset.updated"],
  },
  "datasets.addItems": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "faq", items: [{ input: { q: "a" } }, { input: { q: "b" } }] }),
    expect: ["dataset.items.added"],
    after: (s, r) => (s.itemIds = (r as { itemIds: string[] }).itemIds),
  },
  "datasets.updateItem": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "faq", itemId: s.itemIds![0], content: { input: { q: "A" } } }),
    expect: ["dataset.item.updated"],
  },
  "datasets.tagItems": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "faq", itemIds: s.itemIds, add: ["test"] }),
    expect: ["dataset.items.tagged"],
  },
  "datasets.bulkEdit": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "faq", operation: { op: "addField", field: "tone", value: "friendly" } }),
    expect: ["dataset.items.bulk_edited"],
  },
  "datasets.archiveItems": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "faq", itemIds: [s.itemIds![1]] }),
    expect: ["dataset.items.archived"],
  },
  "datasets.setArchived": { as: (s) => s.t.users.editor, input: (s) => ({ ...scope(s), name: "faq", archived: true }), expect: ["dataset.archived"] },
  "datasets.delete": { as: (s) => s.t.users.admin, input: (s) => ({ ...scope(s), name: "faq", confirmName: "faq" }), expect: ["dataset.deleted"] },
  "evaluators.create": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "exact", config: { kind: "exact_match" } }),
    expect: ["evaluator.created"],
  },
  "evaluators.saveVersion": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "exact", config: { kind: "exact_match", caseSensitive: false }, commitMessage: "Ignore case" }),
    expect: ["evaluator.version.created"],
  },
  "onlineEvaluators.create": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), evaluator: "exact", sampleRate: 0.1 }),
    expect: ["online_evaluator.created"],
    after: (s, r) => (s.onlineId = (r as { id: string }).id),
  },
  "onlineEvaluators.update": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), id: s.onlineId, evaluator: "exact", sampleRate: 0.5, promptName: "faq" }),
    expect: ["online_evaluator.updated"],
  },
  "onlineEvaluators.delete": { as: (s) => s.t.users.admin, input: (s) => ({ ...scope(s), id: s.onlineId }), expect: ["online_evaluator.deleted"] },
  "runs.create": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), prompt: { name: "support/reply" }, dataset: { name: "runs" }, evaluators: ["exact"] }),
    expect: ["evaluation.run.created"],
  },
  "runs.cancel": { as: (s) => s.t.users.editor, input: (s) => ({ ...scope(s), number: 1 }), expect: ["evaluation.run.cancelled"] },
  "evaluators.archive": { as: (s) => s.t.users.editor, input: (s) => ({ ...scope(s), name: "exact" }), expect: ["evaluator.archived"] },
  "reviews.create": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "grading", reviewsPerItem: 2, rubric: [{ type: "boolean", key: "ok", label: "OK" }] }),
    expect: ["review.queue.created"],
  },
  "traceRules.create": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), name: "Thumbs down", kind: "negative_feedback", queue: "grading" }),
    expect: ["trace_rule.created"],
    after: (s, r) => (s.ruleId = (r as { id: string }).id),
  },
  "traceRules.update": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), id: s.ruleId, name: "Sample", kind: "random_sample", queue: "grading", sampleRate: 0.01 }),
    expect: ["trace_rule.updated"],
  },
  "traceRules.delete": { as: (s) => s.t.users.admin, input: (s) => ({ ...scope(s), id: s.ruleId }), expect: ["trace_rule.deleted"] },
  "observability.updateSettings": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), retentionDays: 14, gatewayConnectionId: null, fallbackConnectionId: null, fallbackModel: null, gatewayTimeoutMs: 20_000 }),
    expect: ["telemetry.settings.updated"],
  },
  "guardrails.create": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ ...scope(s), name: "No cards", stage: "input", action: "block", config: { kind: "pii", entities: ["card"], mode: "detect" } }),
    expect: ["guardrail.created"],
    after: (s, r) => (s.guardrailId = (r as { id: string }).id),
  },
  "guardrails.update": {
    as: (s) => s.t.users.admin,
    input: (s) => ({
      ...scope(s),
      id: s.guardrailId,
      name: "No cards",
      stage: "both",
      action: "flag",
      config: { kind: "pii", entities: ["card", "iban"], mode: "mask" },
    }),
    expect: ["guardrail.updated"],
  },
  "guardrails.delete": { as: (s) => s.t.users.admin, input: (s) => ({ ...scope(s), id: s.guardrailId }), expect: ["guardrail.deleted"] },
  "reviews.setReviewers": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "grading", userIds: [s.t.users.reviewer.id, s.t.users.admin.id] }),
    expect: ["review.reviewers.changed"],
  },
  "reviews.addFromDataset": { as: (s) => s.t.users.editor, input: (s) => ({ ...scope(s), name: "grading", dataset: "runs" }), expect: ["review.items.added"] },
  "reviews.next": { as: (s) => s.t.users.reviewer, input: (s) => ({ ...scope(s), name: "grading" }), expect: ["review.item.leased"] },
  "reviews.submit": {
    as: (s) => s.t.users.reviewer,
    input: (s) => ({ ...scope(s), name: "grading", position: 1, grade: { ok: true } }),
    expect: ["review.grade.submitted"],
  },
  "reviews.revise": {
    as: (s) => s.t.users.reviewer,
    input: (s) => ({ ...scope(s), name: "grading", position: 1, grade: { ok: false } }),
    expect: ["review.grade.revised"],
  },
  "reviews.setGold": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "grading", position: 1, grade: { ok: true } }),
    expect: ["review.item.gold"],
  },
  "reviews.adjudicate": {
    as: (s) => s.t.users.editor,
    input: (s) => ({ ...scope(s), name: "grading", position: 1, grade: { ok: true }, note: "Correct after all" }),
    expect: ["review.item.adjudicated"],
  },
  "reviews.addToDataset": { as: (s) => s.t.users.editor, input: (s) => ({ ...scope(s), name: "grading", dataset: "runs" }), expect: ["dataset.items.added"] },
  "audit.verifyNow": { as: (s) => s.t.users.auditor, input: (s) => ({ orgSlug: s.t.org.slug }), expect: ["audit.chain.verified"] },
  // Second factors of the approver (beforeAll started an authenticator app), then a passkey.
  "mfa.confirmTotp": {
    as: (s) => s.t.users.approver,
    input: async (s) => ({ code: await generate({ secret: s.totpSecret! }) }),
    expect: ["user.mfa.totp_enrolled"],
  },
  "mfa.regenerateRecoveryCodes": {
    as: (s) => s.t.users.approver,
    input: () => ({ reauth: { password: TEST_PASSWORD } }),
    expect: ["user.mfa.recovery_codes_regenerated"],
  },
  "mfa.registerPasskey": {
    as: (s) => s.t.users.approver,
    input: async (s) => {
      const { challengeId, options } = await callerFor(s.t.users.approver).mfa.passkeyRegistrationOptions();
      return { challengeId, response: s.passkey!.register(options), name: "Laptop" };
    },
    expect: ["user.mfa.passkey_added"],
    after: (s, r) => (s.passkeyId = (r as { passkeyId: string }).passkeyId),
  },
  "mfa.renamePasskey": { as: (s) => s.t.users.approver, input: (s) => ({ passkeyId: s.passkeyId, name: "Work laptop" }), expect: ["user.mfa.passkey_renamed"] },
  "mfa.removeTotp": { as: (s) => s.t.users.approver, input: () => ({ reauth: { password: TEST_PASSWORD } }), expect: ["user.mfa.totp_removed"] },
  "mfa.removePasskey": {
    as: (s) => s.t.users.approver,
    input: (s) => ({ passkeyId: s.passkeyId, reauth: { password: TEST_PASSWORD } }),
    expect: ["user.mfa.passkey_removed"],
  },
  // After the approver's factors are gone: the policy below requires one of approvers.
  "identity.setPolicy": {
    as: (s) => s.t.users.owner,
    input: (s) => ({
      orgSlug: s.t.org.slug,
      policy: { requireSso: false, mfaRequirement: "roles", mfaRoles: ["approver"], stepUpMinutes: 5, sessionIdleMinutes: 60, sessionAbsoluteHours: 24 },
    }),
    expect: ["org.identity_policy.updated"],
  },
  "members.revokeSessions": {
    as: (s) => s.t.users.admin,
    input: (s) => ({ orgSlug: s.t.org.slug, userId: s.t.users.reviewer.id }),
    expect: ["member.sessions.revoked"],
  },
  "sso.save": {
    as: (s) => s.t.users.owner,
    input: (s) => ({
      orgSlug: s.t.org.slug,
      issuer: "https://login.example.com",
      clientId: "keel",
      clientSecret: "a-client-secret-12345",
      allowedDomains: "example.com",
      jitRole: "",
      groupsClaim: "",
      roleMapping: [],
      enabled: true,
    }),
    expect: ["sso.connection.created"],
  },
  "sso.setBreakGlass": {
    as: (s) => s.t.users.owner,
    input: (s) => ({ orgSlug: s.t.org.slug, userId: s.t.users.owner.id, breakGlass: true }),
    expect: ["member.break_glass_set"],
  },
  "sso.delete": { as: (s) => s.t.users.owner, input: (s) => ({ orgSlug: s.t.org.slug }), expect: ["sso.connection.deleted"] },
  "account.changePassword": {
    as: (s) => s.t.users.editor,
    input: () => ({ currentPassword: TEST_PASSWORD, newPassword: "another-long-password" }),
    expect: ["user.password.changed"],
  },
};
const coveredElsewhere = [
  // Its events go to the new organization's log; asserted in server/domain/orgs/orgs.int.test.ts.
  "orgs.create",
  // Needs an empty database; covered in server/domain/orgs/setup.int.test.ts.
  "setup.createFirstOwner",
  // Calls a model and changes nothing in Keel, so it records no event (server/domain/playground).
  "playground.run",
  // Fetches an issuer's discovery document and changes nothing: no event (server/domain/identity/sso/sso.int.test.ts).
  "sso.test",
  // Keeps a lease the reviewer already holds alive: bookkeeping, no event (server/domain/reviews).
  "reviews.renew",
  // A review draft is the state of a form, not a record: declared unchanged, no event; the grade it
  // becomes is audited on submit, which deletes it. Asserted in server/domain/reviews/drafts.int.test.ts.
  "reviews.saveDraft",
  "reviews.discardDraft",
  // Need a finished run / a lease held by a second reviewer; covered in server/domain/reviews/reviews.int.test.ts.
  "reviews.addFromRun",
  "reviews.skip",
  // Need an approved request held by a wait timer or a freeze window; their events are asserted in
  // server/domain/deployments/deployments.int.test.ts.
  "deployments.deployNow",
  "deployments.overrideFreeze",
  // Need a trace in the telemetry store; their events are asserted in server/telemetry/curation.int.test.ts.
  "observability.addToDataset",
  "observability.sendToQueue",
  // Hand out a short-lived WebAuthn challenge or an unconfirmed authenticator secret: bookkeeping
  // like sign-in throttles, no event; the factor they lead to is audited when it is confirmed
  // (mfa.confirmTotp, mfa.registerPasskey). Asserted in server/domain/identity/*.int.test.ts.
  "mfa.beginTotp",
  "mfa.passkeyRegistrationOptions",
  "mfa.passkeyOptions",
  "mfa.signInPasskeyOptions",
  // A fresh authentication on the person's own session: no event of its own; the decision it
  // allows records how they authenticated (after.authentication). server/domain/identity/step-up.int.test.ts.
  "identity.stepUp",
];
// Session HTTP routes that change state, and where their audit events are checked.
const httpCoveredElsewhere: Record<string, string> = {
  // dataset.items.imported, and nothing at all for a refused file: server/domain/datasets/datasets.int.test.ts
  "datasets.import": "server/domain/datasets/datasets.int.test.ts",
};

const s = {} as State;
beforeAll(async () => {
  s.t = await createTestOrg();
  // A signed-in reviewer, for an administrator to sign out.
  await startSession(getDb(), s.t.users.reviewer.id, testRequest());
  // A dataset with an item, for the run scenarios (the dataset scenarios delete their own).
  const editor = callerFor(s.t.users.editor);
  await editor.datasets.create({ ...scope(s), name: "runs" });
  await editor.datasets.addItems({ ...scope(s), name: "runs", items: [{ input: { name: "Ada" }, expected: "Hello Ada" }] });
  // Invitations to revoke, accept (an existing account) and decline.
  const admin = callerFor(s.t.users.admin);
  s.secondInvitationId = (await admin.members.invite({ orgSlug: s.t.org.slug, email: "second@example.com", role: "viewer" })).invitationId;
  s.invitee = await createUser();
  s.acceptToken = (await admin.members.invite({ orgSlug: s.t.org.slug, email: s.invitee.email, role: "viewer" })).token;
  s.decliner = await createUser();
  s.declineToken = (await admin.members.invite({ orgSlug: s.t.org.slug, email: s.decliner.email, role: "viewer" })).token;
  // An authenticator app the approver has started to set up (mfa.confirmTotp confirms it).
  await callerFor(s.t.users.approver).mfa.beginTotp();
  s.totpSecret = decryptSecret((await getDb().userTotp.findUniqueOrThrow({ where: { userId: s.t.users.approver.id } })).secretEncrypted, "totp-secret");
  s.passkey = new SoftwarePasskey(relyingParty().id, relyingParty().origin);
  // Two open deployment requests (#1, #2) for the reject and cancel scenarios.
  await editor.prompts.create({ ...scope(s), name: "faq", content: { type: "text", template: "Q: {{q}}" }, commitMessage: "First" });
  for (const name of ["gated-a", "gated-b"]) {
    await callerFor(s.t.users.admin).environments.create({ ...scope(s), name, protected: true });
    await editor.deployments.request({ ...scope(s), prompt: "faq", version: 1, environment: name, justification: "Try it" });
  }
});
afterAll(async () => {
  const { stopBoss } = await import("../queue/boss");
  await stopBoss();
});

describe("audit completeness", () => {
  it("has a scenario for every mutation procedure", () => {
    const mutations = listProcedures(appRouter)
      .filter((p) => p.type === "mutation")
      .map((p) => p.path);
    expect(mutations.filter((m) => !(m in scenarios) && !coveredElsewhere.includes(m))).toEqual([]);
  });

  it("knows where every state-changing HTTP route is covered (the preview writes nothing)", () => {
    const writes = Object.entries(HTTP_ROUTES)
      .filter(([id, r]) => r.method === "POST" && id !== "datasets.importPreview")
      .map(([id]) => id);
    expect(writes.filter((id) => !(id in httpCoveredElsewhere))).toEqual([]);
  });

  for (const [path, scenario] of Object.entries(scenarios)) {
    it(`${path} records ${scenario.expect.join(", ")}`, async () => {
      const before = await lastSeq(s.t.org.id);
      const user = scenario.as(s);
      const request = testRequest();
      // People who just signed in, so decisions that need a fresh authentication go through.
      const caller = createCaller(createContext(user && { ...user, authentication: user.authentication ?? justSignedIn() }, request));
      const fn = path.split(".").reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], caller) as (i: unknown) => Promise<unknown>;
      const result = await fn(await scenario.input(s));
      await scenario.after?.(s, result);
      const events = await auditEventsOf(s.t.org.id, before);
      expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(scenario.expect));
      for (const e of events) {
        expect(e.outcome).toBe("success");
        expect(e.requestId).toBe(request.requestId);
        expect(e.ip).toBe("127.0.0.1");
        if (user) expect(e.actorLabel).toBe(user.email);
      }
    });
  }

  it("leaves a chain that verifies", async () => {
    expect(await verifyAuditChain(getDb(), s.t.org.id)).toMatchObject({ ok: true });
  });
});

describe("denied attempts", () => {
  it("records a refused change as a denied event and changes nothing", async () => {
    const before = await lastSeq(s.t.org.id);
    await expect(callerFor(s.t.users.editor).members.invite({ orgSlug: s.t.org.slug, email: "x@example.com", role: "viewer" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const events = await auditEventsOf(s.t.org.id, before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "access.denied",
      outcome: "denied",
      actorLabel: s.t.users.editor.email,
      actorRole: "editor",
      targetId: "members.invite",
    });
    expect(await getDb().user.findUnique({ where: { email: "x@example.com" } })).toBeNull();
  });
  it("does not record refused reads", async () => {
    const before = await lastSeq(s.t.org.id);
    await expect(callerFor(s.t.users.viewer).audit.list({ orgSlug: s.t.org.slug })).rejects.toBeInstanceOf(TRPCError);
    expect(await auditEventsOf(s.t.org.id, before)).toHaveLength(0);
  });
});

describe("atomicity", () => {
  const url = () => process.env.DATABASE_URL!;
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    // Fails at COMMIT, i.e. after both the change and its audit event were written.
    await admin.query(`
      CREATE FUNCTION test_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action = 'apikey.created' AND NEW.after->>'name' = 'doomed' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
      CREATE CONSTRAINT TRIGGER test_fail_at_commit AFTER INSERT ON audit_events DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION test_fail_at_commit();`);
  });
  afterAll(async () => {
    await admin.query("DROP TRIGGER test_fail_at_commit ON audit_events; DROP FUNCTION test_fail_at_commit();");
    await admin.end();
  });

  it("an error after the audit insert leaves neither the change nor the event", async () => {
    const before = await lastSeq(s.t.org.id);
    const keysBefore = await getDb().apiKey.count({ where: { projectId: s.t.project.id } });
    await expect(callerFor(s.t.users.owner).apiKeys.create({ ...scope(s), name: "doomed", scopes: ["prompts:read"] })).rejects.toBeInstanceOf(TRPCError);
    expect(await getDb().apiKey.count({ where: { projectId: s.t.project.id } })).toBe(keysBefore);
    expect(await auditEventsOf(s.t.org.id, before)).toHaveLength(0);
    expect(await lastSeq(s.t.org.id)).toBe(before);
    // The next change continues the chain without a gap.
    await callerFor(s.t.users.owner).apiKeys.create({ ...scope(s), name: "fine", scopes: ["prompts:read"] });
    expect(await lastSeq(s.t.org.id)).toBe(before + 1n);
    expect(await verifyAuditChain(getDb(), s.t.org.id)).toMatchObject({ ok: true });
  });

  it("a mutation that records no event is rolled back", async () => {
    const { runAudited, MissingAuditEventError } = await import("./mutation");
    const { systemActor } = await import("./actor");
    await expect(
      runAudited(systemActor(), async (w) => w.tx.project.update({ where: { id: s.t.project.id }, data: { name: "renamed silently" } })),
    ).rejects.toBeInstanceOf(MissingAuditEventError);
    expect((await getDb().project.findUniqueOrThrow({ where: { id: s.t.project.id } })).name).toBe("Project");
  });
});
