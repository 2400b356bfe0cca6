/**
 * Flow instance lifecycle, derived lazily: an instance is its creation time, its plan (scaled
 * durations and outcomes) and the list of control events (suspend, resume, kill, rerun) with the
 * times they happened. `replay` recomputes the state at any moment from those facts alone, so the
 * emulator needs no timers, a test can move an injected clock and read exact states, and
 * concurrent requests can never race a background state machine.
 */

/** Flow instance statuses (ListFlowInstance `StatusList`). SUCCEEDED/FAILED/KILLED are final. */
export type FlowStatus = "PREP" | "RUNNING" | "SUSPENDED" | "SUCCEEDED" | "FAILED" | "KILLED";
/** Node instance statuses: a different set from the flow's, never mixed. */
export type NodeStatus = "SUBMITTED" | "RUNNING" | "SUCCESS" | "FAILED" | "KILL_FAILED" | "KILL_SUCCESS";

export const FINAL_STATUSES: ReadonlySet<FlowStatus> = new Set<FlowStatus>(["SUCCEEDED", "FAILED", "KILLED"]);

export interface PlanNode {
    /** Total run time of one attempt, already multiplied by the time scale. */
    durationMs: number;
    /** Leading part of `durationMs` spent queued (SUBMITTED, Pending). */
    submitMs: number;
    /** Whether attempt number `attempt` (1-based, counted per instance) fails. */
    failsOnAttempt(attempt: number): boolean;
}

export interface Plan {
    prepMs: number;
    nodes: PlanNode[];
}

export type LifecycleEvent =
    | { kind: "suspend"; at: number }
    | { kind: "resume"; at: number }
    | { kind: "kill"; at: number }
    | { kind: "rerun"; at: number; failedOnly: boolean }
    /** StartFlow: a PREP instance starts its first node now (the rest of PREP is skipped). */
    | { kind: "start"; at: number }
    /** KillFlowJob on the running node `index`. */
    | { kind: "killNode"; at: number; index: number };

export interface NodeState {
    /** False until the node starts in the current run; such nodes are not listed. */
    started: boolean;
    status: NodeStatus;
    startTime?: number;
    endTime?: number;
    /** Attempts started so far in this instance (the first run is attempt 1). */
    attempts: number;
    /** Run time accumulated by the current attempt (suspension does not count). */
    elapsedMs: number;
}

export interface InstanceState {
    status: FlowStatus;
    startTime?: number;
    endTime?: number;
    /** Time of the latest status change of the flow or any node. */
    modifiedAt: number;
    nodes: NodeState[];
    /** Periods in which the instance was PREP/RUNNING/SUSPENDED; `to` undefined = still active. */
    activeIntervals: { from: number; to?: number }[];
}

/** Computes the instance state at `now`; events after `now` are ignored. */
export function replay(plan: Plan, createdAt: number, events: readonly LifecycleEvent[], now: number): InstanceState {
    const state: InstanceState = {
        status: "PREP",
        modifiedAt: createdAt,
        nodes: plan.nodes.map(() => ({ started: false, status: "SUBMITTED", attempts: 0, elapsedMs: 0 })),
        activeIntervals: [{ from: createdAt }],
    };
    let cursor = createdAt;
    let prepElapsed = 0;
    let current = -1;
    let suspendedFrom: "PREP" | "RUNNING" = "RUNNING";

    const finish = (status: FlowStatus, at: number): void => {
        state.status = status;
        state.endTime = at;
        state.modifiedAt = at;
        current = -1;
        const open = state.activeIntervals[state.activeIntervals.length - 1];
        if (open && open.to === undefined) open.to = at;
    };

    // Starts the first node that has not succeeded in this run, or finishes the flow.
    const startNext = (at: number): void => {
        const next = state.nodes.findIndex((n) => !(n.started && n.status === "SUCCESS"));
        if (next < 0) {
            finish("SUCCEEDED", at);
            return;
        }
        const node = state.nodes[next]!;
        node.started = true;
        node.status = "RUNNING";
        node.attempts += 1;
        node.startTime = at;
        node.endTime = undefined;
        node.elapsedMs = 0;
        current = next;
        state.modifiedAt = at;
    };

    const advance = (until: number): void => {
        // A clock that steps backwards must not undo progress.
        const to = Math.max(until, cursor);
        // Each pass either completes a phase (PREP or one node; zero-length ones complete at
        // once) or consumes the rest of the time and returns, so the loop is bounded by the
        // number of nodes.
        for (;;) {
            if (state.status === "PREP") {
                const remaining = plan.prepMs - prepElapsed;
                if (cursor + remaining > to) {
                    prepElapsed += to - cursor;
                    cursor = to;
                    return;
                }
                cursor += remaining;
                prepElapsed = plan.prepMs;
                state.status = "RUNNING";
                state.startTime = cursor;
                startNext(cursor);
                continue;
            }
            if (state.status === "RUNNING" && current >= 0) {
                const node = state.nodes[current]!;
                const remaining = plan.nodes[current]!.durationMs - node.elapsedMs;
                if (cursor + remaining > to) {
                    node.elapsedMs += to - cursor;
                    cursor = to;
                    return;
                }
                cursor += remaining;
                node.elapsedMs += remaining;
                node.endTime = cursor;
                if (plan.nodes[current]!.failsOnAttempt(node.attempts)) {
                    node.status = "FAILED";
                    finish("FAILED", cursor);
                } else {
                    node.status = "SUCCESS";
                    startNext(cursor);
                }
                continue;
            }
            // SUSPENDED or final: time passes without progress.
            cursor = to;
            return;
        }
    };

    for (const event of events) {
        if (event.at > now) break;
        advance(event.at);
        switch (event.kind) {
            case "suspend":
                if (state.status === "PREP" || state.status === "RUNNING") {
                    suspendedFrom = state.status;
                    state.status = "SUSPENDED";
                    state.modifiedAt = event.at;
                }
                break;
            case "resume":
                if (state.status === "SUSPENDED") {
                    state.status = suspendedFrom;
                    state.modifiedAt = event.at;
                    // A node killed while suspended stops the flow once it runs again, as a failed
                    // node with FailAct STOP would.
                    if (suspendedFrom === "RUNNING" && current < 0) finish("FAILED", event.at);
                }
                break;
            case "start":
                if (state.status === "PREP") {
                    prepElapsed = plan.prepMs;
                    state.status = "RUNNING";
                    state.startTime = event.at;
                    startNext(event.at);
                }
                break;
            case "killNode":
                if ((state.status === "RUNNING" || state.status === "SUSPENDED") && current === event.index) {
                    const node = state.nodes[current]!;
                    node.status = "KILL_SUCCESS";
                    node.endTime = event.at;
                    current = -1;
                    state.modifiedAt = event.at;
                    // Running: the flow stops as at a failed node (FailAct STOP). Suspended: it
                    // stays suspended with nothing running, and fails when resumed.
                    if (state.status === "RUNNING") finish("FAILED", event.at);
                }
                break;
            case "kill":
                if (!FINAL_STATUSES.has(state.status)) {
                    if (current >= 0) {
                        const node = state.nodes[current]!;
                        node.status = "KILL_SUCCESS";
                        node.endTime = event.at;
                    }
                    finish("KILLED", event.at);
                }
                break;
            case "rerun":
                if (FINAL_STATUSES.has(state.status)) {
                    for (const node of state.nodes) {
                        if (!event.failedOnly || node.status !== "SUCCESS" || !node.started) {
                            node.started = false;
                            node.status = "SUBMITTED";
                            node.startTime = undefined;
                            node.endTime = undefined;
                            node.elapsedMs = 0;
                        }
                    }
                    state.status = "RUNNING";
                    state.endTime = undefined;
                    state.activeIntervals.push({ from: event.at });
                    if (state.startTime === undefined) state.startTime = event.at;
                    startNext(event.at);
                }
                break;
        }
    }
    advance(now);
    return state;
}

/** The status a node shows: a running node is SUBMITTED (queued) during its first `submitMs`. */
export function visibleNodeStatus(plan: Plan, state: InstanceState, index: number): { status: NodeStatus; pending: boolean } {
    const node = state.nodes[index]!;
    const active = state.status === "RUNNING" || state.status === "SUSPENDED";
    if (node.status === "RUNNING" && active && node.elapsedMs < plan.nodes[index]!.submitMs) {
        return { status: "SUBMITTED", pending: true };
    }
    return { status: node.status, pending: false };
}

/** Whether a rerun of this state would run anything (ReRunFail needs a failed or unrun node). */
export function hasNodesToRerun(state: InstanceState, failedOnly: boolean): boolean {
    return !failedOnly || state.nodes.some((n) => !n.started || n.status !== "SUCCESS");
}

/**
 * Highest number of instances active at the same moment, from their active intervals.
 * Intervals are half-open [from, to): an instance ending exactly when another starts does not
 * overlap it.
 */
export function maxConcurrent(intervals: readonly { from: number; to?: number }[]): number {
    const points: [number, number][] = [];
    for (const { from, to } of intervals) {
        if (to !== undefined && to <= from) continue;
        points.push([from, 1]);
        if (to !== undefined) points.push([to, -1]);
    }
    points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let running = 0;
    let max = 0;
    for (const [, delta] of points) {
        running += delta;
        if (running > max) max = running;
    }
    return max;
}
