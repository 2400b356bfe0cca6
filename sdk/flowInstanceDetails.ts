/**
 * One shape for "what is this run doing", shared by `getFlowInstance` and the `emr-flow` command
 * line's `--json` output, so a script and a Pulumi program read the same fields.
 *
 * This module imports nothing from `@pulumi/pulumi`: the command line loads it, and it must not
 * pay for (or depend on) the Pulumi SDK.
 */
import { isoTime, runFields, withoutUndefined, type NodeSummary } from "../provider/runs/instanceFields";
import { isFinalFlowStatus, type FlowInstance } from "../provider/client/responses";
import type { FlowInstanceStatus } from "./types";

/** The live details of one flow instance (a run of a flow). Times are ISO-8601 (UTC). */
export interface FlowInstanceDetails {
    /** The flow instance ID, `FI-…`. */
    instanceId: string;
    /** The project that owns the run. */
    projectId: string;
    /** The region the run was looked up in. */
    regionId: string;
    /** The flow this is a run of, when the service says. */
    flowId?: string;
    flowName?: string;
    /** `PREP`, `RUNNING`, `SUSPENDED`, `SUCCEEDED`, `FAILED`, `KILLED`, or a newer value the service adds. */
    status: FlowInstanceStatus;
    /** Whether the status is one a run never leaves (`SUCCEEDED`, `FAILED`, `KILLED`). */
    finished: boolean;
    /** When the run was created. */
    createdAt?: string;
    /** The scheduled time (`cyctime`) of the run. */
    scheduleTime?: string;
    startTime?: string;
    endTime?: string;
    /** How long the run took (or has taken so far, as the service reports it), in milliseconds. */
    durationMs?: number;
    /** Whether any node failed, even if a retry or rerun then succeeded. */
    hasNodeFailed: boolean;
    clusterId?: string;
    /** The run's nodes, in the same shape FlowSubmission's `nodes` output has. */
    nodes: NodeSummary[];
}

/**
 * Maps the client's parsed DescribeFlowInstance answer to {@link FlowInstanceDetails}. Node
 * fields follow FlowSubmission's `nodes` output exactly (name falls back to the node ID; empty
 * external IDs are dropped), so the two can be compared.
 *
 * @internal
 */
export function toFlowInstanceDetails(instance: FlowInstance, regionId: string): FlowInstanceDetails {
    return withoutUndefined({
        instanceId: instance.id,
        projectId: instance.projectId,
        regionId,
        flowId: instance.flowId,
        flowName: instance.flowName,
        finished: isFinalFlowStatus(instance.status),
        createdAt: isoTime(instance.gmtCreate),
        scheduleTime: isoTime(instance.scheduleTime),
        hasNodeFailed: instance.hasNodeFailed,
        clusterId: instance.clusterId,
        ...runFields(instance),
    });
}
