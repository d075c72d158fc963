import "server-only";
// The demo workspace: organization Acme, project Support Assistant, one user per role. It grows
// with every capability so a new user sees a living product on first start.
import { hashPassword } from "../../auth/password";
import { runAudited } from "../../audit/mutation";
import { systemActor } from "../../audit/actor";
import type { Role } from "../../contracts/permissions";
import { createOrganization } from "../orgs/organizations";
import { getDb } from "../../db/client";
import { createApiKey, revokeApiKey } from "../api-keys/api-keys";
import type { Actor } from "../../audit/actor";
import { createPrompt, createVersion } from "../prompts/versions";
import { moveLabel, setEnvironmentProtection } from "../prompts/labels";
import type { VersionContent } from "../../contracts/prompts";
import { seedDatasets } from "./demo-datasets";
import { seedEvaluations } from "./demo-evaluations";
import { seedReviews } from "./demo-reviews";
import { seedDeployments } from "./demo-deployments";
import { seedObservability } from "./demo-observability";
import { seedLangfuse } from "./demo-langfuse";
import { createCheckpoint } from "../audit/checkpoints";
import { inviteMember } from "../members/invitations";
import { setting } from "../../env";

export const DEMO_PASSWORD = "keel-demo-password";
export const DEMO_ORG = { name: "Acme", slug: "acme" };
export const DEMO_PROJECT = { name: "Support Assistant", slug: "support-assistant" };

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: "owner@example.com", name: "Olivia Park", role: "owner" },
  { email: "admin@example.com", name: "Adam Reyes", role: "admin" },
  { email: "editor@example.com", name: "Elena Novak", role: "editor" },
  { email: "reviewer@example.com", name: "Ravi Shah", role: "reviewer" },
  { email: "approver@example.com", name: "Aisha Bello", role: "approver" },
  { email: "auditor@example.com", name: "Tom Keller", role: "auditor" },
  { email: "viewer@example.com", name: "Vera Lind", role: "viewer" },
];

export async function seedDemoWorkspace(): Promise<{ created: boolean }> {
  if (await getDb().organization.findUnique({ where: { slug: DEMO_ORG.slug } })) return { created: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await runAudited(systemActor("seed"), async (w) => {
    const users = new Map<string, string>();
    for (const u of DEMO_USERS) {
      const existing = await w.tx.user.findUnique({ where: { email: u.email } });
      // Accounts in use (their password is in the README): no organization may issue them a link.
      const user = existing ?? (await w.tx.user.create({ data: { email: u.email, name: u.name, passwordHash, lastSignedInAt: new Date() } }));
      users.set(u.email, user.id);
    }
    const owner = DEMO_USERS[0]!;
    const org = await createOrganization(w, { ...DEMO_ORG, ownerId: users.get(owner.email)!, projectName: DEMO_PROJECT.name, projectSlug: DEMO_PROJECT.slug });
    for (const u of DEMO_USERS.slice(1)) {
      const userId = users.get(u.email)!;
      w.record({ orgId: org.id, action: "user.created", targetType: "user", targetId: userId, after: { email: u.email, name: u.name } });
      await w.tx.membership.create({ data: { orgId: org.id, userId, role: u.role } });
      w.record({ orgId: org.id, action: "member.added", targetType: "membership", targetId: userId, after: { email: u.email, role: u.role } });
    }
    return org;
  });

  // The admin sets up keys the way a team would: one for the app, one retired CI key.
  const org = await getDb().organization.findUniqueOrThrow({ where: { slug: DEMO_ORG.slug }, include: { projects: true } });
  const project = org.projects[0]!;
  const admin = await getDb().user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
  const adminActor: Actor = { type: "user", id: admin.id, label: admin.email, role: "admin", request: systemActor("seed").request };
  const ctx = { orgId: org.id, projectId: project.id, actorUserId: admin.id };
  await runAudited(adminActor, (w) => createApiKey(w, ctx, { name: "Support widget (production)", scopes: ["prompts:read", "traces:ingest"] }));
  const old = await runAudited(adminActor, (w) => createApiKey(w, ctx, { name: "Old CI pipeline", scopes: ["prompts:read", "evaluations:write"] }));
  await runAudited(adminActor, (w) => revokeApiKey(w, ctx, { id: old.id }));

  const editorActor = await seedPrompts({ orgId: org.id, projectId: project.id }, adminActor);
  await seedDatasets({ orgId: org.id, projectId: project.id }, editorActor);
  await seedEvaluations({ orgId: org.id, projectId: project.id }, editorActor);
  await seedReviews({ orgId: org.id, projectId: project.id }, editorActor);
  await seedDeployments({ orgId: org.id, projectId: project.id }, editorActor);
  await seedObservability({ orgId: org.id, projectId: project.id }, adminActor);
  await seedLangfuse({ orgId: org.id, projectId: project.id }, adminActor);
  await seedSecondTenant(org.id, adminActor);
  // A first signed checkpoint of the audit chain (the audit log's chain status shows it), when
  // this server can keep a signing key.
  if (setting("KEEL_ENCRYPTION_KEY")) await createCheckpoint(org.id, { sink: null, actorLabel: "seed" });
  return { created: true };
}

export const DEMO_SECOND_ORG = { name: "Globex", slug: "globex", projectName: "Billing Copilot", projectSlug: "billing-copilot" };

/**
 * Multi-tenancy as teams meet it: Acme has an invitation waiting (only the email shows until it is
 * accepted), and a second organization, Globex, shares people with Acme in other roles: Acme's
 * admin owns it and Acme's viewer edits there.
 */
async function seedSecondTenant(acmeId: string, adminActor: Actor) {
  await runAudited(adminActor, (w) =>
    inviteMember(w, { orgId: acmeId, actorRole: "admin", actorUserId: adminActor.id }, { email: "new.hire@example.com", role: "editor" }),
  );
  await runAudited(systemActor("seed"), async (w) => {
    const globex = await createOrganization(w, {
      name: DEMO_SECOND_ORG.name,
      slug: DEMO_SECOND_ORG.slug,
      ownerId: adminActor.id!,
      projectName: DEMO_SECOND_ORG.projectName,
      projectSlug: DEMO_SECOND_ORG.projectSlug,
    });
    const viewer = await w.tx.user.findUniqueOrThrow({ where: { email: "viewer@example.com" } });
    await w.tx.membership.create({ data: { orgId: globex.id, userId: viewer.id, role: "editor" } });
    w.record({ orgId: globex.id, action: "member.added", targetType: "membership", targetId: viewer.id, after: { email: viewer.email, role: "editor" } });
  });
}

const SUPPORT_SYSTEM = `You are the support assistant for {{company}}. Answer in a friendly, concise tone.
Only promise what the policy below allows. If you are unsure, offer to hand over to a human.

Policy:
{{policy}}`;

/** The demo's support/reply versions (production points at 2); the docs examples test calls a copy of them. */
export const replyVersions: { content: VersionContent; message: string }[] = [
  {
    message: "First version of the support reply",
    content: {
      type: "chat",
      messages: [
        { role: "system", content: "You are the support assistant for {{company}}. Answer the customer politely." },
        { role: "user", content: "{{question}}" },
      ],
      config: { model: "gpt-4o-mini", temperature: 0.7, maxTokens: 400 },
    },
  },
  {
    message: "Ground answers in the refund policy; lower temperature",
    content: {
      type: "chat",
      messages: [
        { role: "system", content: SUPPORT_SYSTEM },
        { role: "user", content: "{{question}}" },
      ],
      config: { model: "gpt-4o-mini", temperature: 0.3, maxTokens: 400 },
    },
  },
  {
    message: "Use the customer's name and order id; add a sign-off",
    content: {
      type: "chat",
      messages: [
        { role: "system", content: SUPPORT_SYSTEM + '\n\nAlways greet the customer by name and sign off as "The {{company}} team".' },
        { role: "user", content: "Customer: {{customer_name}} (order {{order_id}})\n\n{{question}}" },
      ],
      config: { model: "gpt-4o-mini", temperature: 0.3, maxTokens: 500 },
    },
  },
];

/** Prompts a support team would keep: several versions, labels, a protected production. */
async function seedPrompts(ctx: { orgId: string; projectId: string }, adminActor: Actor) {
  const editor = await getDb().user.findUniqueOrThrow({ where: { email: "editor@example.com" } });
  const editorActor: Actor = { type: "user", id: editor.id, label: editor.email, role: "editor", request: adminActor.request };
  const simulated = await getDb().providerConnection.findFirstOrThrow({ where: { projectId: ctx.projectId, kind: "simulated" } });
  const withProvider = (c: VersionContent): VersionContent => ({ ...c, config: { ...c.config, providerId: simulated.id, model: "simulated-1" } });

  const reply = await runAudited(editorActor, async (w) => {
    const { prompt } = await createPrompt(w, ctx, {
      name: "support/reply",
      description: "Answers customer questions in the help widget",
      tags: ["support", "customer-facing"],
      content: withProvider(replyVersions[0]!.content),
      commitMessage: replyVersions[0]!.message,
    });
    return prompt;
  });
  for (const [i, v] of replyVersions.slice(1).entries()) {
    await runAudited(editorActor, (w) =>
      createVersion(w, ctx, { promptId: reply.id, content: withProvider(v.content), commitMessage: v.message, basedOnVersion: i + 1 }),
    );
  }
  for (const [label, version] of [
    ["development", 3],
    ["staging", 2],
    ["production", 1],
    ["production", 2],
    ["staging", 3],
  ] as const) {
    await runAudited(editorActor, (w) => moveLabel(w, ctx, { promptId: reply.id, label, version }));
  }

  const triage = await runAudited(editorActor, async (w) => {
    const { prompt } = await createPrompt(w, ctx, {
      name: "support/triage",
      description: "Routes an incoming ticket to billing, shipping, technical or other",
      tags: ["support", "routing"],
      content: withProvider({
        type: "text",
        template: "Classify this support ticket as one of: billing, shipping, technical, other.\nAnswer with the category only.\n\nTicket:\n{{ticket}}",
        config: { model: "gpt-4o-mini", temperature: 0 },
      }),
      commitMessage: "Ticket classifier",
    });
    return prompt;
  });
  await runAudited(editorActor, (w) =>
    createVersion(w, ctx, {
      promptId: triage.id,
      content: withProvider({
        type: "text",
        template:
          'Classify this support ticket as one of: billing, shipping, technical, other.\nRespond as JSON: {"category": "...", "confidence": 0-1}.\n\nTicket:\n{{ticket}}',
        config: {
          model: "gpt-4o-mini",
          temperature: 0,
          responseFormat: {
            type: "json_schema",
            name: "triage",
            schema: {
              type: "object",
              properties: { category: { enum: ["billing", "shipping", "technical", "other"] }, confidence: { type: "number" } },
              required: ["category", "confidence"],
            },
          },
        },
      }),
      commitMessage: "Structured output with a confidence score",
      basedOnVersion: 1,
    }),
  );
  await runAudited(editorActor, (w) => moveLabel(w, ctx, { promptId: triage.id, label: "production", version: 2 }));

  await runAudited(editorActor, (w) =>
    createPrompt(w, ctx, {
      name: "marketing/release-note",
      description: "Drafts a short release note from a changelog",
      tags: ["marketing"],
      content: withProvider({
        type: "text",
        template: "Write a two-sentence release note for {{product}} from this changelog:\n{{changelog}}",
        config: { model: "gpt-4o", temperature: 0.8 },
        // Declared variables: product has a default, changelog is required.
        variableDetails: {
          product: { description: "The product the note announces", default: "Acme Shop" },
          changelog: { description: "The changes since the last release, one per line", default: null },
        },
      }),
      commitMessage: "First draft",
    }),
  );

  // Production is protected from now on: only approved deployments will move it.
  await runAudited(adminActor, (w) => setEnvironmentProtection(w, ctx, { name: "production", protected: true }));
  return editorActor;
}
