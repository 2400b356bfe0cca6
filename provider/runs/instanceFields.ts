/**
 * How a flow instance, as the client parses it, reads to users: one mapping shared by
 * FlowSubmission's outputs, `getFlowInstance` and the `emr-flow` command line, so all three
 * show the same fields the same way.
 */
import type { FlowInstance, NodeInstance } from "../client/responses";

/** One node of a run, as this package reports it. Times are ISO-8601 (UTC). */
export interface NodeSummary {
    name: string;
    jobId?: string;
    jobType?: string;
    status: string;
    startTime?: string;
    endTime?: string;
    durationMs?: number;
    retries?: number;
    externalId?: string;
    externalStatus?: string;
}

/** The fields of a run that change while it runs. */
export interface RunFields {
    status: string;
    startTime?: string;
    endTime?: string;
    durationMs?: number;
    nodes: NodeSummary[];
}

/** Epoch ms to ISO-8601; the service's 0 or a missing value mean "not yet". */
export function isoTime(ms: number | undefined): string | undefined {
    return ms ? new Date(ms).toISOString() : undefined;
}

/** A copy without `undefined` values: Pulumi's Struct encoding rejects them. */
export function withoutUndefined<T extends object>(value: T): T {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
    return out as T;
}

export function nodeSummary(n: NodeInstance): NodeSummary {
    return withoutUndefined<NodeSummary>({
        // Node names are optional in the API; the node instance ID is the next best label.
        name: n.nodeName ?? n.id,
        jobId: n.jobId,
        jobType: n.jobType,
        status: n.status,
        startTime: isoTime(n.startTime),
        endTime: isoTime(n.endTime),
        durationMs: n.duration,
        retries: n.retries,
        externalId: n.externalId || undefined,
        externalStatus: n.externalStatus || undefined,
    });
}

export function runFields(instance: FlowInstance): RunFields {
    return withoutUndefined<RunFields>({
        status: instance.status,
        startTime: isoTime(instance.startTime),
        endTime: isoTime(instance.endTime),
        // Some answers carry no Duration for a finished run: derive it from the two times.
        durationMs: instance.duration || (instance.startTime && instance.endTime ? instance.endTime - instance.startTime : undefined),
        nodes: instance.nodes.map(nodeSummary),
    });
}
