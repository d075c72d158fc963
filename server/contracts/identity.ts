// Second factors (docs/identity.md, "Second factors"): the inputs of the mfa procedures, the proof
// a person presents at sign-in or to step up, and the names the sign-in form and the organization
// requirement share with the client.
import { z } from "zod";
import { jsonRecord, safeString, text } from "./fields";

export const SECOND_FACTORS = ["totp", "passkey", "recovery_code"] as const;
export type SecondFactorKind = (typeof SECOND_FACTORS)[number];

/** A six-digit code from an authenticator app (spaces tolerated: apps show "123 456"). */
export const totpCode = safeString()
  .max(20, "must be the 6-digit code from your authenticator app")
  .transform((s) => s.replace(/\s+/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "must be the 6-digit code from your authenticator app"));

/** A recovery code as printed ("abcde-fghij"); case, spaces and dashes do not matter. */
export const recoveryCode = safeString()
  .max(64, "is not a recovery code")
  .transform((s) => s.toLowerCase().replace(/[\s-]+/g, ""))
  .pipe(z.string().regex(/^[a-z0-9]{10}$/, "is not a recovery code (10 letters and digits, like abcde-12345)"));

/**
 * A WebAuthn response as @simplewebauthn/browser returns it; @simplewebauthn/server checks the
 * rest (signatures, challenge, origin).
 */
export const webauthnResponse = z.object({
  id: safeString().min(1).max(1024),
  rawId: safeString().min(1).max(1024),
  type: z.literal("public-key"),
  response: jsonRecord(),
  clientExtensionResults: jsonRecord().default({}),
  authenticatorAttachment: safeString().max(40).optional(),
});
export type WebauthnResponseJson = z.output<typeof webauthnResponse>;

/** What a person presents as their second factor. */
export const secondFactorProof = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("totp"), code: totpCode }),
  z.object({ kind: z.literal("passkey"), response: webauthnResponse, challengeId: z.uuid().optional() }),
  z.object({ kind: z.literal("recovery_code"), code: recoveryCode }),
]);
export type SecondFactorProof = z.input<typeof secondFactorProof>;

/** Removing a factor or regenerating codes: the account password, or a fresh second factor. */
export const reauthentication = z.union([z.object({ password: text(256).min(1, "is required") }), z.object({ proof: secondFactorProof })]);

export const passkeyName = text(60).trim().min(1, "is required");

export const confirmTotpInput = z.object({ code: totpCode });
export const removeFactorInput = z.object({ reauth: reauthentication });
export const registerPasskeyInput = z.object({ challengeId: z.uuid(), response: webauthnResponse, name: passkeyName.optional() });
export const renamePasskeyInput = z.object({ passkeyId: z.uuid(), name: passkeyName });
export const removePasskeyInput = z.object({ passkeyId: z.uuid(), reauth: reauthentication });
export const passkeySignInOptionsInput = z.object({ email: text(254).trim().min(1, "is required"), password: text(256).min(1, "is required") });

/**
 * The error the credentials provider answers when the password was right and a second factor is
 * needed: "SecondFactorRequired:totp,passkey,recovery_code" (the methods the person has).
 */
export const SECOND_FACTOR_REQUIRED_ERROR = "SecondFactorRequired";
/** …and when the factor presented was refused: "SecondFactorFailed:<message>". */
export const SECOND_FACTOR_FAILED_ERROR = "SecondFactorFailed";

export function parseSecondFactorRequired(error: string): SecondFactorKind[] | null {
  if (!error.startsWith(`${SECOND_FACTOR_REQUIRED_ERROR}:`)) return null;
  const methods = error.slice(SECOND_FACTOR_REQUIRED_ERROR.length + 1).split(",");
  return SECOND_FACTORS.filter((m) => methods.includes(m));
}
