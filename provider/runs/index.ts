// Operations on a flow run that do not depend on Pulumi: submit exactly once, find an ambiguous submission's run, resume a recorded one, wait with progress, stop, rerun.
/**
 * The Pulumi adapter (`../adapter`) and the `emr-flow` command line both act on runs through
 * these; they call the EMR API client (`../client`) and never the other way round.
 */
export { Submissions, submitFlowOnce, submittedLine } from "./submit";
export type { RunArgs, StartedRun, SubmitAttempt, SubmissionsDeps } from "./submit";
export { findSubmittedInstance, SubmissionLedger, processLedger, SETTLE_DELAYS_MS, WINDOW_SLACK_MS } from "./adopt";
export type { FindResult, SubmissionWindow } from "./adopt";
export { SubmissionJournal, defaultJournalDir, JOURNAL_DIR_ENV } from "./journal";
export type { JournalEntry } from "./journal";
export { waitForInstance, systemClock, progressLine, formatElapsed, PROGRESS_EVERY_MS } from "./waiter";
export type { WaitClock, WaitResult, WaitUntil } from "./waiter";
export { stopRun } from "./stop";
export type { StopOptions, StopResult } from "./stop";
export { rerunRun } from "./rerun";
export { runFields, nodeSummary, isoTime, withoutUndefined } from "./instanceFields";
export type { NodeSummary, RunFields } from "./instanceFields";
export { parseCyctime, CONF_KEY_PATTERN, FLOW_ID_PATTERN, INSTANCE_ID_PATTERN, PROJECT_ID_PATTERN, REGION_ID_PATTERN, MAX_CONF_ENCODED_BYTES, confEncodedBytes, parseTime, parseTimeText, MAX_TIMEOUT_SECONDS } from "./inputs";
