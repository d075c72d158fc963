import "server-only";
// The organization's identity policy and step-up (docs/identity.md).
import { z } from "zod";
import { authedProcedure, createRouter, orgProcedure } from "../trpc";
import { identityPolicyInput } from "../../contracts/identity-policy";
import { getIdentityPolicy, setIdentityPolicy } from "../../domain/identity/policy";
import { stepUpWithPassword, stepUpWithSecondFactor } from "../../domain/identity/step-up";
import { availableMethods, hasSecondFactor, listFactors } from "../../domain/identity/second-factor";
import { secondFactorProof } from "../../contracts/identity";
import { text } from "../../contracts/fields";

// The password, or a second factor (authenticator app code, passkey assertion, recovery code).
const stepUpProof = z.union([z.object({ kind: z.literal("password"), password: text(256).min(1, "is required") }), secondFactorProof], {
  error: "must be a password or a second factor",
});

export const identityRouter = createRouter({
  policy: orgProcedure("identity:read").query(({ ctx }) => getIdentityPolicy(ctx.db, ctx.org.id)),
  setPolicy: orgProcedure("identity:manage", { stepUp: true })
    .input(z.object({ policy: identityPolicyInput }))
    .mutation(({ ctx, input }) => ctx.audited((w) => setIdentityPolicy(w, ctx.org.id, input.policy))),
  /** What the step-up dialog offers, and whether this session is fresh enough in this organization. */
  stepUpStatus: orgProcedure("org:read").query(async ({ ctx }) => {
    const auth = ctx.user.authentication;
    const windowMs = ctx.org.stepUpMinutes * 60_000;
    const factors = await listFactors(ctx.db, ctx.user.id);
    const secondFactor = hasSecondFactor(factors);
    const fresh = !!auth && Date.now() - auth.verifiedAt.getTime() <= windowMs && (auth.verifiedMethod !== "password" || !secondFactor);
    return {
      windowMinutes: ctx.org.stepUpMinutes,
      fresh,
      lastVerified: auth ? { method: auth.verifiedMethod, at: auth.verifiedAt } : null,
      password: !secondFactor,
      /** The second factors the person can confirm with. */
      methods: availableMethods(factors),
    };
  }),
  /**
   * A fresh authentication for this session. Nothing is audited here: the decision it allows
   * records how the person authenticated (`after.authentication`); failures are throttled and
   * recorded like sign-in attempts.
   */
  stepUp: authedProcedure("a signed-in person confirms it is them before a decision that needs a fresh authentication")
    .input(z.object({ proof: stepUpProof }))
    .mutation(({ ctx, input }) =>
      input.proof.kind === "password"
        ? stepUpWithPassword(ctx.user, input.proof.password, ctx.request)
        : stepUpWithSecondFactor(ctx.user, input.proof, ctx.request),
    ),
});
