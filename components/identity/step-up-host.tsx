"use client";
// Mounted on every page: loads the step-up dialog (and its forms) only once a decision asks for a
// fresh authentication, so pages do not carry it in their first load.
import dynamic from "next/dynamic";
import { useSyncExternalStore } from "react";
import { pendingStepUp, subscribeStepUp } from "./step-up-store";

const StepUpDialog = dynamic(() => import("./step-up-dialog").then((m) => m.StepUpDialog), { ssr: false });

export function StepUpHost() {
  const pending = useSyncExternalStore(subscribeStepUp, pendingStepUp, () => null);
  return pending === null ? null : <StepUpDialog />;
}
