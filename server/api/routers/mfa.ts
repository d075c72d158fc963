import "server-only";
// Second factors of the signed-in person (docs/identity.md, "Second factors"). These are
// authedProcedures, so a person whose organization requires a second factor can still reach them
// to set one up. Challenge and enrolment bookkeeping (options, beginTotp) records no event; every
// factor added, removed or used is recorded in the person's organizations.
import { authedProcedure, createRouter, publicProcedure } from "../trpc";
import { getDb } from "../../db/client";
import {
  confirmTotpInput,
  passkeySignInOptionsInput,
  registerPasskeyInput,
  removeFactorInput,
  removePasskeyInput,
  renamePasskeyInput,
} from "../../contracts/identity";
import { beginTotpEnrolment, confirmTotpEnrolment } from "../../domain/identity/totp";
import { passkeyAssertionOptions, passkeyRegistrationOptions, registerPasskey, renamePasskey } from "../../domain/identity/passkeys";
import { passkeySignInOptions, verifyReauthentication } from "../../domain/identity/second-factor";
import { getMfaStatus, regenerateRecoveryCodes, removePasskey, removeTotp } from "../../domain/identity/manage";

export const mfaRouter = createRouter({
  status: authedProcedure("a signed-in user reads their own second factors").query(({ ctx }) => getMfaStatus(ctx.db, ctx.user.id)),
  beginTotp: authedProcedure("a signed-in user starts setting up an authenticator app for themselves").mutation(({ ctx }) => beginTotpEnrolment(ctx.user)),
  confirmTotp: authedProcedure("a signed-in user confirms their own authenticator app with a first code")
    .input(confirmTotpInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => confirmTotpEnrolment(w, ctx.user.id, input.code, ctx.user.sessionId ?? null))),
  removeTotp: authedProcedure("a signed-in user removes their own authenticator app (password or a second factor again)")
    .input(removeFactorInput)
    .mutation(async ({ ctx, input }) => {
      await verifyReauthentication(getDb(), ctx.user.id, input.reauth, ctx.actor.request);
      return ctx.audited((w) => removeTotp(w, ctx.user.id));
    }),
  passkeyRegistrationOptions: authedProcedure("a signed-in user starts adding a passkey to their own account").mutation(({ ctx }) =>
    passkeyRegistrationOptions(ctx.user),
  ),
  registerPasskey: authedProcedure("a signed-in user adds a passkey to their own account")
    .input(registerPasskeyInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => registerPasskey(w, ctx.user.id, input, ctx.user.sessionId ?? null))),
  renamePasskey: authedProcedure("a signed-in user renames one of their own passkeys")
    .input(renamePasskeyInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => renamePasskey(w, ctx.user.id, input.passkeyId, input.name))),
  removePasskey: authedProcedure("a signed-in user removes one of their own passkeys (password or a second factor again)")
    .input(removePasskeyInput)
    .mutation(async ({ ctx, input }) => {
      await verifyReauthentication(getDb(), ctx.user.id, input.reauth, ctx.actor.request);
      return ctx.audited((w) => removePasskey(w, ctx.user.id, input.passkeyId));
    }),
  regenerateRecoveryCodes: authedProcedure("a signed-in user replaces their own recovery codes (password or a second factor again)")
    .input(removeFactorInput)
    .mutation(async ({ ctx, input }) => {
      await verifyReauthentication(getDb(), ctx.user.id, input.reauth, ctx.actor.request);
      return ctx.audited((w) => regenerateRecoveryCodes(w, ctx.user.id));
    }),
  passkeyOptions: authedProcedure("a signed-in user asks to prove possession of one of their own passkeys (step-up)").mutation(({ ctx }) =>
    passkeyAssertionOptions(ctx.user.id),
  ),
  signInPasskeyOptions: publicProcedure("the sign-in form's second step asks for passkey options; it needs the right email and password (throttled)")
    .input(passkeySignInOptionsInput)
    .mutation(({ ctx, input }) => passkeySignInOptions(input, ctx.request)),
});
