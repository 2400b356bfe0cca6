/**
 * Stopping a run: look at it, kill it if it is still going (KillFlow), and wait until it reports
 * a final status. One operation for the provider's delete with `killOnDelete` and the command
 * line's `kill`, so a change to how a run is stopped is made once.
 */
import type { EmrFlowClient, InstanceRef } from "../client/emrFlowClient";
import { isNotFoundError } from "../client/errors";
import { isFinalFlowStatus, type FlowInstance } from "../client/responses";
import { systemClock, waitForInstance, type WaitClock } from "./waiter";

export interface StopOptions {
    /** Called once the run is known to be going, before KillFlow. */
    onKill?(before: FlowInstance): void;
    /** Wait this long for a final status after KillFlow; absent: do not wait. */
    waitMs?: number;
    /** Sees every state read while waiting (a progress bar, say). */
    observe?(instance: FlowInstance): void;
    clock?: WaitClock;
}

export type StopResult =
    /** The run does not exist (any more); `error` is the service's answer. `afterKill`: it was there at the look. */
    | { outcome: "gone"; error: unknown; afterKill: boolean }
    /** The run had already ended; `afterKill`: between the look and the kill. */
    | { outcome: "ended"; instance: FlowInstance; afterKill: boolean }
    /** KillFlow was accepted; without `waitMs` nothing more is known. */
    | { outcome: "killed"; before: FlowInstance; requestId: string; accepted: boolean; instance?: FlowInstance }
    /** KillFlow was accepted and the run still had not ended after `waitMs`. */
    | { outcome: "timeout"; before: FlowInstance; requestId: string; accepted: boolean; instance?: FlowInstance };

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
