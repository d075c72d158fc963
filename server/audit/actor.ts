// Who is acting, as recorded on audit events. Built once per request by the API layer (or the
// CLI), passed to domain functions.
import type { Role } from "../contracts/permissions";

export type RequestMeta = {
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
};

export type Actor = {
  type: "user" | "api_key" | "system";
  /** User id, API key id, or null for the system. */
  id: string | null;
  /** Email, key public id, or a system label: a snapshot, kept even if the user is later deleted. */
  label: string;
  /** The role in effect for this action, snapshotted on the event. */
  role: Role | null;
  request: RequestMeta;
  /**
   * For decisions that needed a fresh authentication (step-up): how and when the person last
   * authenticated. Recorded on the decision's events as `after.authentication`.
   */
  authentication?: { method: string; at: string };
};

export const NO_REQUEST: RequestMeta = { requestId: null, ip: null, userAgent: null };

export function systemActor(label = "system", request: RequestMeta = NO_REQUEST): Actor {
  return { type: "system", id: null, label, role: null, request };
}
