/**
 * The plain types the SDK's declarations use, written out by hand so that none of them reaches
 * zod's declarations (see `../provider/adapter/types.ts`, where the input types live beside the
 * schema they are checked against).
 *
 * This module is types only: it loads nothing at run time.
 */
export type { ConfValue, WaitFor, FlowSubmissionInputValues, CheckedFlowSubmissionInputs } from "../provider/adapter/types";

/**
 * The status of a flow instance: one of the values the service documents, or a newer one it adds
 * (hence `string`). `SUCCEEDED`, `FAILED` and `KILLED` are final.
 */
export type FlowInstanceStatus = "PREP" | "RUNNING" | "SUSPENDED" | "SUCCEEDED" | "FAILED" | "KILLED" | (string & {});
