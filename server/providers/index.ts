import "server-only";
// Entry point of the provider clients: createProvider() turns a (decrypted) provider connection
// into a Provider. Callers import from here, not from the vendor modules.
import { createAnthropicProvider } from "./anthropic";
import { createOpenAICompatibleProvider } from "./openai-compatible";
import { createSimulatedProvider } from "./simulated";
import type { Provider, ProviderConnectionConfig, ProviderOptions } from "./types";

export function createProvider(connection: ProviderConnectionConfig, options: ProviderOptions = {}): Provider {
  switch (connection.kind) {
    case "openai_compatible":
      return createOpenAICompatibleProvider(connection, options);
    case "anthropic":
      return createAnthropicProvider(connection, options);
    case "simulated":
      return createSimulatedProvider(connection);
    default: {
      const kind: never = connection.kind;
      throw new Error(`Unknown provider kind "${String(kind)}"`);
    }
  }
}

export type * from "./types";
export { ProviderError } from "./errors";
export { estimateCost, type PriceRow } from "./cost";
