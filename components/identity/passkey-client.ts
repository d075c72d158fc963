"use client";
// The browser half of passkeys (@simplewebauthn/browser): runs the authenticator prompt for options
// the server handed out and returns the response to send back. Errors become sentences a person
// can act on.
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/browser";

export { browserSupportsWebAuthn };

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
  if (!browserSupportsWebAuthn()) throw new Error("This browser does not support passkeys.");
  try {
    return await startAuthentication({ optionsJSON: options });
  } catch (error) {
    throw describe(error);
  }
}

/** Creates a passkey for the creation `options` the server handed out. */
export async function runPasskeyRegistration(options: PublicKeyCredentialCreationOptionsJSON) {
  if (!browserSupportsWebAuthn()) throw new Error("This browser does not support passkeys.");
  try {
    return await startRegistration({ optionsJSON: options });
  } catch (error) {
    throw describe(error);
  }
}
