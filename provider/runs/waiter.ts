/**
 * Waiting for a flow instance: one explicit loop with a deadline, an injectable clock and sleep,
 * and a polling schedule that starts fast and backs off.
 *
 * The schedule keeps the detection delay (from the moment the instance reaches the awaited
 * state to the poll that sees it) within max(10 s, 5% of the elapsed time at detection): a short
 * fast ramp for runs that end within seconds, then 10 s, then 5/95 of the elapsed time, so that
 * the interval is at most 5% of the elapsed time when the poll lands. Jitter only shortens an
 * interval, so the bound holds while parallel waiters drift apart instead of polling in step.
 *
 * The cost of that bound: a run that ends after 10 minutes takes 43 to 44 polls, and no
 * schedule does better than 42 (20 polls at 10 s to reach 200 s, where 5% of the elapsed time
 * first exceeds 10 s, then ln(3)/ln(1/0.95) = 21.4 polls to go from 200 s to 600 s).
 */
import type { FlowInstance } from "../client/responses";
import { isFinalFlowStatus } from "../client/responses";
import { EmrFlowError } from "../client/errors";

/** The first intervals, in ms: a run that ends within seconds is seen within seconds. */
export const POLL_RAMP_MS: readonly number[] = [2000, 4000];
/** The interval never drops below this once the ramp is over, and never exceeds it before 200 s. */
export const POLL_FLOOR_MS = 10_000;
/** Past the floor, the interval is this share of the elapsed time. */
export const POLL_ELAPSED_SHARE = 0.05;
/** Jitter takes up to this share off each interval (never adds to it). */
export const POLL_JITTER_SHARE = 0.03;
/** Progress is printed on each status change and otherwise at most this often. */
export const PROGRESS_EVERY_MS = 60_000;

export type WaitUntil = "start" | "completion";

export interface WaitClock {
    now(): number;
    sleep(ms: number): Promise<void>;
    random(): number;
}

export const systemClock: WaitClock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: () => Math.random(),
};

export interface WaitOptions {
    instanceId: string;
    until: WaitUntil;
    /** When the wait gives up, epoch ms. */
    deadline: number;
    /** When the run was submitted, epoch ms: elapsed time counts from here. */
    startedAt: number;
    /** One look at the instance; a call it makes must end by `deadline` (the wait's own). */
    describe(options: { deadline: number }): Promise<FlowInstance>;
    clock?: WaitClock;
    /** Receives one plain line per progress report. */
    progress?(line: string): void;
    /** The last state already known (from state or from the submission), if any. */
    last?: FlowInstance;
}

export interface WaitResult {
    /** `reached`: the awaited state (or a final one) was seen; `timeout`: the deadline passed first. */
    outcome: "reached" | "timeout";
    /** The last state seen; absent only when no poll ever succeeded. */
    instance?: FlowInstance;
    polls: number;
    /** Errors met while polling that did not end the wait. */
    transientErrors: number;
    lastError?: Error;
}

/** The interval before the next poll, before jitter. */
export function pollInterval(pollIndex: number, elapsedMs: number): number {
    if (pollIndex < POLL_RAMP_MS.length) return POLL_RAMP_MS[pollIndex];
    // d <= share * (elapsed + d)  <=>  d <= elapsed * share / (1 - share)
    return Math.max(POLL_FLOOR_MS, Math.floor((elapsedMs * POLL_ELAPSED_SHARE) / (1 - POLL_ELAPSED_SHARE)));
}

function reached(until: WaitUntil, status: string): boolean {
    if (isFinalFlowStatus(status)) return true;
    // "start" means the instance left PREP; a suspended instance has started too. Unknown
    // statuses are not taken as started: the wait goes on until a known one appears.
    return until === "start" && (status === "RUNNING" || status === "SUSPENDED");
}

const FINISHED_NODE = new Set(["SUCCESS", "FAILED", "FAIL", "KILL_SUCCESS", "KILL_FAILED", "KILL_FAIL"]);

export function formatElapsed(ms: number): string {
    const s = Math.max(0, Math.round(ms / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    if (h > 0) return `${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s`;
    if (m > 0) return `${m}m${String(sec).padStart(2, "0")}s`;
    return `${sec}s`;
}

/** One progress line: instance, status, nodes finished of total, elapsed. */
export function progressLine(instance: FlowInstance, elapsedMs: number): string {
    const done = instance.nodes.filter((n) => FINISHED_NODE.has(n.status)).length;
    const suspended = instance.status === "SUSPENDED" ? " (suspended: resume it to continue; the wait still counts toward timeoutSeconds)" : "";
    return `emr-flow: ${instance.id} ${instance.status}${suspended}, ${done}/${instance.nodes.length} nodes finished, ${formatElapsed(elapsedMs)} elapsed`;
}

/**
 * Polls until the instance reaches what `until` asks for, a final status, or the deadline.
 * Errors the client classifies as retryable (throttling, 5xx, network) do not end the wait;
 * any other error is thrown.
 */
export async function waitForInstance(options: WaitOptions): Promise<WaitResult> {
    const clock = options.clock ?? systemClock;
    let last = options.last;
    let lastPrintedStatus: string | undefined;
    let lastPrintedAt = -Infinity;
    let polls = 0;
    let transientErrors = 0;
    let lastError: Error | undefined;

    for (;;) {
        const now = clock.now();
        if (last && reached(options.until, last.status)) {
            return { outcome: "reached", instance: last, polls, transientErrors, lastError };
        }
        if (now >= options.deadline) {
            return { outcome: "timeout", instance: last, polls, transientErrors, lastError };
        }
        const elapsed = now - options.startedAt;
        const interval = pollInterval(polls, elapsed);
        const jittered = Math.floor(interval * (1 - POLL_JITTER_SHARE * clock.random()));
        await clock.sleep(Math.max(0, Math.min(jittered, options.deadline - now)));

        polls++;
        try {
            last = await options.describe({ deadline: options.deadline });
            lastError = undefined;
        } catch (err) {
            if (!(EmrFlowError.isInstance(err) && err.retryable)) throw err;
            transientErrors++;
            lastError = err;
            continue;
        }
        const at = clock.now();
        if (options.progress && (last.status !== lastPrintedStatus || at - lastPrintedAt >= PROGRESS_EVERY_MS)) {
            options.progress(progressLine(last, at - options.startedAt));
            lastPrintedStatus = last.status;
            lastPrintedAt = at;
        }
    }
}
