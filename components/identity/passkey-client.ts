"use client";
// The browser half of passkeys (@simplewebauthn/browser): runs the authenticator prompt for options
// the server handed out and returns the response to send back. Errors become sentences a person
// can act on.
// The library is loaded when a passkey is first used, not with the sign-in and account pages.
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";

const supportsWebAuthn = () => typeof window !== "undefined" && typeof window.PublicKeyCredential === "function";

export type PasskeyOptions = { challengeId: string; options: PublicKeyCredentialRequestOptionsJSON };

function describe(error: unknown): Error {
  const name = error instanceof Error ? error.name : "";
  if (name === "NotAllowedError") return new Error("The passkey prompt was closed or timed out. Try again.");
  if (name === "InvalidStateError") return new Error("This device already holds a passkey for your account.");
  if (name === "SecurityError") return new Error("Passkeys work only on Keel's own address (check the address in the browser).");
  return new Error(error instanceof Error && error.message ? error.message : "The passkey could not be used.");
}

/** Proves possession of a passkey: the assertion for `options` (from the server's passkey options). */
export async function runPasskeyAssertion(options: PublicKeyCredentialRequestOptionsJSON) {
  if (!supportsWebAuthn()) throw new Error("This browser does not support passkeys.");
  try {
    const { startAuthentication } = await import("@simplewebauthn/browser");
    return await startAuthentication({ optionsJSON: options });
  } catch (error) {
    throw describe(error);
  }
}

/** Creates a passkey for the creation `options` the server handed out. */
export async function runPasskeyRegistration(options: PublicKeyCredentialCreationOptionsJSON) {
  if (!supportsWebAuthn()) throw new Error("This browser does not support passkeys.");
  try {
    const { startRegistration } = await import("@simplewebauthn/browser");
    return await startRegistration({ optionsJSON: options });
  } catch (error) {
    throw describe(error);
  }
}
