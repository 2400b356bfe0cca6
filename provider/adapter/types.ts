/**
 * The plain types of FlowSubmission's inputs, written out by hand: the forms the SDK's arguments
 * and this adapter's state declare.
 *
 * The input schema (`schema.ts`, zod) is the rule `check()` applies, but its inferred types must
 * not appear in the package's public declarations: a consumer's compiler would then read zod's
 * own declaration files, which fail under common settings (`moduleResolution: node` without
 * `skipLibCheck`), and hover text would show zod's machinery. The SDK's `flowSubmission.ts` checks
 * at compile time that these types and the schema's accept and produce the same values.
 *
 * This module is types only: it loads nothing at run time.
 */

/**
 * A value in a FlowSubmission's `conf`: a string; a number is sent as its decimal string, a `Date`
 * as its ISO-8601 string (UTC), except `cyctime`'s, which is sent as epoch milliseconds (and may
 * also be an ISO-8601 string).
 */
export type ConfValue = string | number | Date;

/**
 * What `pulumi up` waits for after submitting a run: `"submission"` (return at once), `"start"`
 * (until it leaves PREP) or `"completion"` (until it ends).
 */
export type WaitFor = "submission" | "start" | "completion";

/** FlowSubmission's inputs as plain values (no Outputs), before the provider normalizes them. */
export interface FlowSubmissionInputValues {
    projectId: string;
    flowId: string;
    regionId?: string | undefined;
    conf?: Record<string, ConfValue> | undefined;
    triggers?: unknown[] | undefined;
    waitFor?: WaitFor | undefined;
    timeoutSeconds?: number | undefined;
    killOnDelete?: boolean | undefined;
}

/** FlowSubmission's inputs after `check()`: `cyctime` in epoch milliseconds, every `conf` value a string. */
export interface CheckedFlowSubmissionInputs {
    projectId: string;
    flowId: string;
    regionId?: string | undefined;
    conf?: Record<string, string> | undefined;
    triggers?: unknown[] | undefined;
    waitFor?: WaitFor | undefined;
    timeoutSeconds?: number | undefined;
    killOnDelete?: boolean | undefined;
}
