import "server-only";
// The organization's identity policy and step-up (docs/identity.md).
import { z } from "zod";
import { authedProcedure, createRouter, orgProcedure } from "../trpc";
import { identityPolicyInput } from "../../contracts/identity-policy";
import { getIdentityPolicy, setIdentityPolicy } from "../../domain/identity/policy";
import { hasSecondFactor, stepUpWithPassword } from "../../domain/identity/step-up";

const stepUpProof = z.discriminatedUnion(
  "kind",
  [z.object({ kind: z.literal("password"), password: z.string().min(1, "is required").max(256, "is too long") })],
  { error: "must say how you confirm: password" },
);

export const identityRouter = createRouter({
  policy: orgProcedure("identity:read").query(({ ctx }) => getIdentityPolicy(ctx.db, ctx.org.id)),
  setPolicy: orgProcedure("identity:manage", { stepUp: true })
    .input(z.object({ policy: identityPolicyInput }))
    .mutation(({ ctx, input }) => ctx.audited((w) => setIdentityPolicy(w, ctx.org.id, input.policy))),
  /** What the step-up dialog offers, and whether this session is fresh enough in this organization. */
  stepUpStatus: orgProcedure("org:read").query(async ({ ctx }) => {
    const auth = ctx.user.authentication;
    const windowMs = ctx.org.stepUpMinutes * 60_000;
    const secondFactor = await hasSecondFactor(ctx.db, ctx.user.id);
    const fresh = !!auth && Date.now() - auth.verifiedAt.getTime() <= windowMs && (auth.verifiedMethod !== "password" || !secondFactor);
    return {
      windowMinutes: ctx.org.stepUpMinutes,
      fresh,
      lastVerified: auth ? { method: auth.verifiedMethod, at: auth.verifiedAt } : null,
      password: !secondFactor,
    };
  }),
  /**
   * A fresh authentication for this session. Nothing is audited here: the decision it allows
   * records how the person authenticated (`after.authentication`); failures are throttled and
   * recorded like sign-in attempts.
   */
  stepUp: authedProcedure("a signed-in person confirms it is them before a decision that needs a fresh authentication")
    .input(z.object({ proof: stepUpProof }))
    .mutation(({ ctx, input }) => stepUpWithPassword(ctx.user, input.proof.password, ctx.request)),
});
