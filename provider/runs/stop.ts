/**
 * Stopping a run: look at it, kill it if it is still going, and wait until it has stopped. One
 * operation for the provider's delete with `killOnDelete` and the command line's `kill`, so a
 * change to how a run is stopped is made once.
 *
 * KillFlow first. No current SDK of the API has KillFlow any more (Go dropped it in 2019, the
 * Python core SDK in 2020, the Java core SDK in 2021; the Tea SDKs never had it), so the service
 * may answer it with `InvalidAction.NotFound`. Then the run is stopped with the actions the SDKs
 * do have: SuspendFlow, so that no further node starts, and KillFlowJob for every node that is
 * running. That is not a kill of the flow: the result says what was suspended and which jobs were
 * and were not killed, and the run's status is whatever the service then reports (SUSPENDED,
 * say), never KILLED unless the service says so.
 */
import type { EmrFlowClient, InstanceRef } from "../client/emrFlowClient";
import { EmrApiError, EmrFlowError, isNotFoundError } from "../client/errors";
import { isFinalFlowStatus, isFinalNodeStatus, type FlowInstance, type NodeInstance } from "../client/responses";
import { pollInterval, systemClock, waitForInstance, type WaitClock } from "./waiter";

export interface StopOptions {
    /** Called once the run is known to be going, before KillFlow. */
    onKill?(before: FlowInstance): void;
    /** Wait this long for the run to stop after KillFlow (or after the jobs were killed); absent: do not wait. */
    waitMs?: number;
    /** Sees every state read while waiting (a progress bar, say). */
    observe?(instance: FlowInstance): void;
    clock?: WaitClock;
}

/** What happened to one step of a stop without KillFlow. */
export interface StepOutcome {
    /** `done`: the service accepted it; `skipped`: not needed (`reason` says why); `failed`: refused or not answered (`error`). */
    result: "done" | "skipped" | "failed";
    requestId?: string;
    reason?: string;
    /** The error's code and message, for the report. */
    error?: string;
}

/** One running job of the run and what KillFlowJob did to it. */
export interface JobStop extends StepOutcome {
    /** The node instance ID sent as `JobInstanceId`. */
    nodeInstanceId: string;
    nodeName?: string;
    /** Its status when it was found running. */
    statusBefore: string;
    /** Its status at the last look (after the wait, if there was one). */
    statusAfter?: string;
}

export type StopResult =
    /** The run does not exist (any more); `error` is the service's answer. `afterKill`: it was there at the look. */
    | { outcome: "gone"; error: unknown; afterKill: boolean }
    /** The run had already ended; `afterKill`: between the look and the kill. */
    | { outcome: "ended"; instance: FlowInstance; afterKill: boolean }
    /** KillFlow was accepted; without `waitMs` nothing more is known. */
    | { outcome: "killed"; before: FlowInstance; requestId: string; accepted: boolean; instance?: FlowInstance }
    /** KillFlow was accepted and the run still had not ended after `waitMs`. */
    | { outcome: "timeout"; before: FlowInstance; requestId: string; accepted: boolean; instance?: FlowInstance }
    /** The service has no KillFlow: the run was suspended and its running jobs killed, as far as that went (see {@link HaltResult}). */
    | HaltResult;

/** A stop without KillFlow. */
export interface HaltResult {
    outcome: "halted";
    before: FlowInstance;
    /** The service's answer to KillFlow (`InvalidAction.NotFound`). */
    killFlowError: EmrFlowError;
    suspend: StepOutcome;
    /** The jobs found running after the suspension, each with what KillFlowJob did. */
    jobs: JobStop[];
    /** The last state seen. */
    instance?: FlowInstance;
    /**
     * True when the last look showed the run ended, or suspended with no job running: nothing of
     * it runs and nothing further starts. False when that was not seen (a step failed, or the
     * wait ran out, or there was no wait).
     */
    stopped: boolean;
}

/** Whether `err` says the service does not offer the action at all. */
export function isUnknownActionError(err: unknown): boolean {
    return EmrApiError.isInstance(err) && /^Invalid(Action|Api)\.NotFound$/.test(err.code);
}

/**
 * Whether a node is a job that is running or queued, by its documented `ExternalStatus` where it
 * has one (`SUBMITTED`, `RUNNING`); otherwise by its status and end time. START/END control nodes
 * are never jobs.
 */
export function isRunningJob(node: NodeInstance): boolean {
    if (node.type !== undefined && node.type !== "JOB") return false;
    const external = node.externalStatus;
    if (external === "SUBMITTED" || external === "RUNNING") return true;
    if (external !== undefined && external !== "" && isFinalNodeStatus(external)) return false;
    if (isFinalNodeStatus(node.status) || node.status === "OK") return false;
    return node.endTime === undefined;
}

/** Nothing of the run runs and nothing further starts. */
function quiet(instance: FlowInstance): boolean {
    return isFinalFlowStatus(instance.status) || (instance.status === "SUSPENDED" && !instance.nodes.some(isRunningJob));
}

function describeError(err: unknown): string {
    if (EmrFlowError.isInstance(err)) return `${err.code}${err.statusCode !== undefined ? ` (HTTP ${err.statusCode})` : ""}${EmrApiError.isInstance(err) && err.apiMessage ? `: ${err.apiMessage}` : ""}`;
    return err instanceof Error ? err.message : String(err);
}

/** Stops the run `ref` (see the module comment). */
export async function stopRun(client: EmrFlowClient, ref: InstanceRef, opts: StopOptions = {}): Promise<StopResult> {
    let before: FlowInstance;
    try {
        before = await client.describeFlowInstance(ref);
    } catch (err) {
        if (isNotFoundError(err)) return { outcome: "gone", error: err, afterKill: false };
        throw err;
    }
    if (isFinalFlowStatus(before.status)) return { outcome: "ended", instance: before, afterKill: false };
    opts.onKill?.(before);
    let killed: { requestId: string; accepted: boolean };
    try {
        killed = await client.killFlow(ref);
    } catch (err) {
        if (isUnknownActionError(err)) return haltRun(client, ref, before, err as EmrFlowError, opts);
        if (isNotFoundError(err)) return { outcome: "gone", error: err, afterKill: true };
        // It may have ended between our look and the kill: only a run still going is an error.
        const now = await client.describeFlowInstance(ref).catch(() => undefined);
        if (now && isFinalFlowStatus(now.status)) return { outcome: "ended", instance: now, afterKill: true };
        throw err;
    }
    const asked = { before, requestId: killed.requestId, accepted: killed.accepted };
    if (opts.waitMs === undefined) return { outcome: "killed", ...asked };
    const clock = opts.clock ?? systemClock;
    const start = clock.now();
    const result = await waitForInstance({
        instanceId: ref.instanceId,
        until: "completion",
        startedAt: start,
        deadline: start + opts.waitMs,
        describe: async () => {
            const instance = await client.describeFlowInstance(ref);
            opts.observe?.(instance);
            return instance;
        },
        clock,
    });
    return { outcome: result.outcome === "timeout" ? "timeout" : "killed", ...asked, instance: result.instance };
}

/** Without KillFlow: SuspendFlow, then KillFlowJob for each running job, then (with `waitMs`) wait until quiet. */
async function haltRun(client: EmrFlowClient, ref: InstanceRef, before: FlowInstance, killFlowError: EmrFlowError, opts: StopOptions): Promise<StopResult> {
    let suspend: StepOutcome;
    if (before.status === "SUSPENDED") {
        suspend = { result: "skipped", reason: "it was already SUSPENDED" };
    } else {
        try {
            const answer = await client.suspendFlow(ref);
            suspend = answer.accepted ? { result: "done", requestId: answer.requestId } : { result: "failed", requestId: answer.requestId, error: "the service answered Data: false" };
        } catch (err) {
            if (isNotFoundError(err)) return { outcome: "gone", error: err, afterKill: true };
            suspend = { result: "failed", error: describeError(err) };
        }
    }

    let mid: FlowInstance;
    try {
        mid = await client.describeFlowInstance(ref);
    } catch (err) {
        if (isNotFoundError(err)) return { outcome: "gone", error: err, afterKill: true };
        throw err;
    }
    // It ended by itself between the first look and now: nothing was stopped.
    if (isFinalFlowStatus(mid.status) && suspend.result !== "done") return { outcome: "ended", instance: mid, afterKill: true };

    const jobs: JobStop[] = [];
    for (const node of mid.nodes.filter(isRunningJob)) {
        const job: JobStop = { nodeInstanceId: node.id, nodeName: node.nodeName, statusBefore: node.externalStatus || node.status, result: "failed" };
        try {
            const answer = await client.killFlowJob({ regionId: ref.regionId, projectId: ref.projectId, instanceId: ref.instanceId, jobInstanceId: node.id });
            Object.assign(job, answer.accepted ? { result: "done", requestId: answer.requestId } : { requestId: answer.requestId, error: "the service answered Data: false" });
        } catch (err) {
            job.error = describeError(err);
        }
        jobs.push(job);
    }

    let last = mid;
    const clock = opts.clock ?? systemClock;
    // A job that could not be killed goes on running: waiting for quiet would only use up the wait.
    if (opts.waitMs !== undefined && !quiet(last) && jobs.every((j) => j.result === "done")) {
        const start = clock.now();
        const deadline = start + opts.waitMs;
        for (let polls = 0; !quiet(last) && clock.now() < deadline; polls++) {
            await clock.sleep(Math.max(0, Math.min(pollInterval(polls, clock.now() - start), deadline - clock.now())));
            try {
                last = await client.describeFlowInstance(ref);
            } catch (err) {
                if (EmrFlowError.isInstance(err) && err.retryable) continue;
                throw err;
            }
            opts.observe?.(last);
        }
    }
    for (const job of jobs) {
        const node = last.nodes.find((n) => n.id === job.nodeInstanceId);
        if (node) job.statusAfter = node.externalStatus || node.status;
    }
    return { outcome: "halted", before, killFlowError, suspend, jobs, instance: last, stopped: quiet(last) };
}

/**
 * What a stop without KillFlow did, in a few sentences: what was suspended, which jobs were and
 * were not killed, the status the service now reports, and what is left to do.
 */
export function haltReport(result: HaltResult, instanceId: string): string {
    const parts: string[] = [`EMR does not offer KillFlow (${result.killFlowError.code}), so ${instanceId} was stopped with SuspendFlow and KillFlowJob instead.`];
    const s = result.suspend;
    if (s.result === "done") parts.push("Suspended it: no further node starts.");
    else if (s.result === "skipped") parts.push(`Did not suspend it: ${s.reason}.`);
    else parts.push(`Could NOT suspend it (${s.error}): further nodes may still start.`);
    const label = (j: JobStop) => `${j.nodeName ?? j.nodeInstanceId} (${j.nodeInstanceId}${j.statusAfter ? `, now ${j.statusAfter}` : ""})`;
    const killed = result.jobs.filter((j) => j.result === "done");
    const notKilled = result.jobs.filter((j) => j.result !== "done");
    if (result.jobs.length === 0) parts.push("No job was running.");
    if (killed.length > 0) parts.push(`Asked EMR to kill ${killed.length === 1 ? "the running job" : `${killed.length} running jobs`}: ${killed.map(label).join(", ")}.`);
    if (notKilled.length > 0) parts.push(`Could NOT kill: ${notKilled.map((j) => `${label(j)}: ${j.error}`).join("; ")}.`);
    const status = result.instance?.status ?? "unknown";
    parts.push(`The run is ${status}${status === "KILLED" ? "" : " (not KILLED)"}.`);
    if (result.stopped) {
        if (status === "SUSPENDED") parts.push("Nothing of it runs now; it stays SUSPENDED until resumed (ResumeFlow) or ended in the EMR console.");
    } else {
        parts.push("It has not been seen stopped: check it in the EMR console and stop what still runs there.");
    }
    return parts.join(" ");
}
