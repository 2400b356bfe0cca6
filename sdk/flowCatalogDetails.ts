/**
 * One shape for a project and one for a flow, shared by `getFlowProject` / `getFlow` and the
 * `emr-flow projects` / `flows` commands' `--json` output, so a script and a Pulumi program read
 * the same fields.
 *
 * This module imports nothing from `@pulumi/pulumi`: the command line loads it.
 */
import { isoTime, withoutUndefined } from "../provider/runs/instanceFields";
import type { FlowProject, FlowSummary } from "../provider/client/responses";

/** An EMR project (the container of flows) as a lookup finds it. Times are ISO-8601 (UTC). */
export interface FlowProjectDetails {
    /** The project ID, `FP-…`: what FlowSubmission's `projectId` takes. */
    projectId: string;
    name: string;
    /** The region it was looked up in. */
    regionId: string;
    description?: string;
    createdAt?: string;
    modifiedAt?: string;
    /** The account that owns the project (the service's `UserId`). */
    userId?: string;
}

/** An EMR flow (a workflow definition) as a lookup finds it. Times are ISO-8601 (UTC). */
export interface FlowDetails {
    /** The flow ID, `F-…`: what FlowSubmission's `flowId` takes. */
    flowId: string;
    name: string;
    /** The project that holds it, `FP-…`. */
    projectId: string;
    /** The region it was looked up in. */
    regionId: string;
    description?: string;
    /** `UNDER_SCHEDULE` (the EMR scheduler starts it by its cron) or `STOP_SCHEDULE`. */
    scheduleStatus?: string;
    /** Whether the EMR scheduler runs it by its cron expression. */
    periodic?: boolean;
    cronExpression?: string;
    clusterId?: string;
    /** `EMR` in every documented answer. */
    type?: string;
    createdAt?: string;
    modifiedAt?: string;
}

/** @internal */
export function toFlowProjectDetails(p: FlowProject, regionId: string): FlowProjectDetails {
    return withoutUndefined({
        projectId: p.id,
        name: p.name,
        regionId,
        description: p.description || undefined,
        createdAt: isoTime(p.gmtCreate),
        modifiedAt: isoTime(p.gmtModified),
        userId: p.userId,
    });
}

/** @internal */
export function toFlowDetails(f: FlowSummary, projectId: string, regionId: string): FlowDetails {
    return withoutUndefined({
        flowId: f.id,
        name: f.name,
        projectId: f.projectId ?? projectId,
        regionId,
        description: f.description || undefined,
        scheduleStatus: f.status,
        periodic: f.periodic,
        cronExpression: f.cronExpr,
        clusterId: f.clusterId,
        type: f.type,
        createdAt: isoTime(f.gmtCreate),
        modifiedAt: isoTime(f.gmtModified),
    });
}
