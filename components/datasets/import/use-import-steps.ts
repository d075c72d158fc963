// The wizard's steps as a reducer: choose a file (0), map its columns (1), import with progress
// (2), the outcome (3). The hook runs the upload (upload-reader.ts) and feeds its progress and
// outcome back as actions; leaving the page cancels it.
import { useEffect, useReducer, useRef } from "react";
import type { ImportResult } from "@/server/contracts/datasets";
import { detectFormat } from "./mapping";
import { uploadImport, type Outcome, type Progress } from "./upload-reader";

export const STEPS = ["Choose a file", "Map columns", "Import", "Result"] as const;
export type ImportStep = 0 | 1 | 2 | 3;

/** The chosen file; `key` tells one choice from the next (the preview is cached by it). */
export type ChosenFile = { file: File; key: number; formatGuessed: boolean };

export type StepsState = {
  step: ImportStep;
  source: ChosenFile | null;
  /** Files chosen so far: the next file's key. */
  chosen: number;
  progress: Progress;
  outcome: Outcome | null;
  /** Said above the mapping (the import was cancelled). */
  notice: string | null;
  /** A form field the server refused: focused when the mapping step shows again. */
  refusedField: string | null;
};

export type StepsAction =
  | { type: "choose"; file: File }
  | { type: "formatChanged" }
  | { type: "start" }
  | { type: "uploaded"; bytes: number }
  | { type: "read"; bytes: number; rows: number }
  | { type: "finish"; outcome: Outcome }
  | { type: "refused"; field: string }
  | { type: "cancelled" }
  | { type: "backToMapping" }
  | { type: "startOver" };

export const CANCELLED = "Import cancelled. Nothing was imported.";

export const initialSteps: StepsState = {
  step: 0,
  source: null,
  chosen: 0,
  progress: { uploaded: 0, processed: 0, rows: 0 },
  outcome: null,
  notice: null,
  refusedField: null,
};

export function importStepsReducer(state: StepsState, action: StepsAction): StepsState {
  switch (action.type) {
    case "choose":
      return {
        ...state,
        step: 1,
        source: { file: action.file, key: state.chosen + 1, formatGuessed: !detectFormat(action.file.name) },
        chosen: state.chosen + 1,
        outcome: null,
        notice: null,
        refusedField: null,
      };
    case "formatChanged":
      return state.source ? { ...state, source: { ...state.source, formatGuessed: false } } : state;
    case "start":
      return state.source ? { ...state, step: 2, progress: initialSteps.progress, outcome: null, notice: null, refusedField: null } : state;
    case "backToMapping":
      return state.source ? { ...state, step: 1, outcome: null } : state;
    case "startOver":
      return { ...state, step: 0, source: null, outcome: null, notice: null, refusedField: null };
  }
  // What the upload reports counts only while it runs.
  if (state.step !== 2) return state;
  switch (action.type) {
    case "uploaded":
      return { ...state, progress: { ...state.progress, uploaded: action.bytes } };
    case "read":
      return { ...state, progress: { ...state.progress, processed: action.bytes, rows: action.rows } };
    case "finish":
      return { ...state, step: 3, outcome: action.outcome };
    case "refused":
      return { ...state, step: 1, refusedField: action.field };
    case "cancelled":
      return { ...state, step: 1, notice: CANCELLED };
  }
}

export type StartOptions = {
  onDone?: (result: ImportResult) => void;
  /** A refusal the form can show on one of its fields: returns that field, or null for the result step. */
  takeError?: (error: Extract<Outcome, { kind: "error" }>) => string | null;
};

export function useImportSteps() {
  const [state, dispatch] = useReducer(importStepsReducer, initialSteps);
  const upload = useRef<{ cancel: () => void } | null>(null);
  useEffect(() => () => upload.current?.cancel(), []);

  return {
    state,
    chooseFile: (file: File) => dispatch({ type: "choose", file }),
    formatChanged: () => dispatch({ type: "formatChanged" }),
    backToMapping: () => dispatch({ type: "backToMapping" }),
    startOver: () => {
      upload.current?.cancel();
      dispatch({ type: "startOver" });
    },
    cancel: () => upload.current?.cancel(),
    /** Uploads `file` to `url` (the import endpoint with its query string). */
    start: (url: string, file: File, options: StartOptions = {}) => {
      dispatch({ type: "start" });
      upload.current = uploadImport(url, file, {
        onUploaded: (bytes) => dispatch({ type: "uploaded", bytes }),
        onRead: (bytes, rows) => dispatch({ type: "read", bytes, rows }),
        onOutcome: (outcome) => {
          upload.current = null;
          const field = outcome.kind === "error" ? (options.takeError?.(outcome) ?? null) : null;
          dispatch(field ? { type: "refused", field } : { type: "finish", outcome });
          if (outcome.kind === "done") options.onDone?.(outcome.result);
        },
        onCancelled: () => {
          upload.current = null;
          dispatch({ type: "cancelled" });
        },
      });
    },
  };
}
