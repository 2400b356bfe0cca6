/**
 * The shapes of EMR flow API answers, parsed at the edge into narrow camelCase types.
 *
 * The service returns PascalCase JSON with lists double-wrapped (`{"NodeInstance":
 * {"NodeInstance": [...]}}`) and times as epoch milliseconds, sometimes as numeric strings. The
 * parsers here unwrap, coerce, drop deprecated duplicates (`InstanceId`, `Data` on SubmitFlow)
 * and return plain objects without `undefined` values (the Pulumi engine rejects `undefined` in
 * outputs). Status values the API does not document are kept as strings, not rejected.
 *
 * Each zod schema is built on its first use (a host that only submits builds only SubmitFlow's)
 * inside this module and never exported: this module is loaded only inside the dynamic provider
 * host, and zod 4 objects cannot be serialized into a Pulumi closure anyway.
 */
import * as z from "zod/mini";
import { en } from "zod/locales";
import { EmrResponseError } from "./errors";

/** Status of a flow instance. Unknown values are passed through as strings. */
export type FlowStatus = "PREP" | "RUNNING" | "SUSPENDED" | "SUCCEEDED" | "FAILED" | "KILLED" | (string & {});
/**
 * Status of a node instance (a separate set from {@link FlowStatus}). The documents spell a failure
 * both `FAILED`/`KILL_FAILED` and `FAIL`/`KILL_FAIL`; both are known here.
 */
export type NodeStatus = "SUBMITTED" | "RUNNING" | "SUCCESS" | "FAILED" | "FAIL" | "KILL_FAILED" | "KILL_FAIL" | "KILL_SUCCESS" | (string & {});

/** The documented flow instance statuses. */
export const FLOW_STATUSES = ["PREP", "RUNNING", "SUSPENDED", "SUCCEEDED", "FAILED", "KILLED"] as const;
/** The statuses a flow instance never leaves. */
export const FINAL_FLOW_STATUSES: readonly string[] = ["SUCCEEDED", "FAILED", "KILLED"];
/** The documented node instance statuses. */
export const NODE_STATUSES = ["SUBMITTED", "RUNNING", "SUCCESS", "FAILED", "KILL_FAILED", "KILL_SUCCESS"] as const;
/** The statuses a node instance never leaves (both documented spellings of a failure). */
export const FINAL_NODE_STATUSES: readonly string[] = ["SUCCESS", "FAILED", "FAIL", "KILL_FAILED", "KILL_FAIL", "KILL_SUCCESS"];
/** The documented node `ExternalStatus` values (the job in its engine); `FAIL`/`FAILED` and `KILL_FAIL`/`KILL_FAILED` both occur in the documents. */
export const EXTERNAL_STATUSES = ["SUBMITTED", "RUNNING", "SUCCESS", "FAIL", "FAILED", "KILL_FAIL", "KILL_FAILED", "KILL_SUCCESS"] as const;

/** Only SUCCEEDED, FAILED and KILLED are final; an unknown status is not. */
export function isFinalFlowStatus(status: string): boolean {
    return FINAL_FLOW_STATUSES.includes(status);
}

/** Whether a node instance status is final. */
export function isFinalNodeStatus(status: string): boolean {
    return FINAL_NODE_STATUSES.includes(status);
}

/** Whether a node instance status says it failed or could not be killed (either documented spelling). */
export function isFailedNodeStatus(status: string): boolean {
    return status === "FAILED" || status === "FAIL" || status === "KILL_FAILED" || status === "KILL_FAIL";
}

/** One node (job run) of a flow instance. Times are epoch ms. */
export interface NodeInstance {
    /** The node instance ID (`FNI-…`); KillFlowJob takes it as `JobInstanceId`. */
    id: string;
    status: NodeStatus;
    /** `START`, `JOB` or `END` in the documented samples. */
    type?: string;
    projectId?: string;
    gmtCreate?: number;
    gmtModified?: number;
    /** The node's retry limit (a string on the wire in every SDK model). */
    maxRetry?: number;
    /** The pause between retries (a string on the wire). */
    retryInterval?: number;
    nodeName?: string;
    jobId?: string;
    jobName?: string;
    jobType?: string;
    clusterId?: string;
    hostName?: string;
    startTime?: number;
    endTime?: number;
    /** Milliseconds. */
    duration?: number;
    retries?: number;
    failAct?: string;
    pending?: boolean;
    /** The ID of the job in the engine that ran it (a YARN application ID, say). */
    externalId?: string;
    externalStatus?: string;
    externalInfo?: string;
}

/** A flow instance as DescribeFlowInstance returns it. Times are epoch ms. */
export interface FlowInstance {
    id: string;
    status: FlowStatus;
    projectId: string;
    flowId?: string;
    flowName?: string;
    clusterId?: string;
    gmtCreate?: number;
    gmtModified?: number;
    startTime?: number;
    endTime?: number;
    /** Milliseconds. */
    duration?: number;
    scheduleTime?: number;
    hasNodeFailed: boolean;
    cronExpression?: string;
    namespace?: string;
    logArchiveLocation?: string;
    lifecycle?: string;
    /** The flow's DAG as the service's JSON string. */
    graph?: string;
    /** IDs of the flows this one depends on (each dependency's `DependencyFlowId`). */
    parentFlows: string[];
    /** `DependencyFlowList.ParentFlow` in full, when the answer has it. */
    dependencies?: FlowDependency[];
    nodes: NodeInstance[];
}

/**
 * One item of `DependencyFlowList.ParentFlow`: the parent is `DependencyFlowId` and
 * `DependencyInstanceId`; the item's `FlowId`/`FlowInstanceId` are the instance's own and are
 * not repeated here.
 */
export interface FlowDependency {
    /** The parent flow (`DependencyFlowId`). */
    flowId: string;
    /** The parent flow's instance (`DependencyInstanceId`). */
    instanceId?: string;
    /** `Meet`: presumably whether the dependency is satisfied; no document describes it. */
    met?: boolean;
    /** `BizDate`, epoch ms: the parent instance's run time. */
    bizDate?: number;
    scheduleKey?: string;
}

/** A flow instance as ListFlowInstance returns it (no nodes). Times are epoch ms. */
export interface FlowInstanceSummary {
    id: string;
    status: FlowStatus;
    projectId?: string;
    flowId?: string;
    flowName?: string;
    clusterId?: string;
    owner?: string;
    gmtCreate?: number;
    gmtModified?: number;
    scheduleTime?: number;
    startTime?: number;
    endTime?: number;
    duration?: number;
    hasNodeFailed?: boolean;
}

/** A project as ListFlowProject returns it. Times are epoch ms. */
export interface FlowProject {
    id: string;
    name: string;
    description?: string;
    gmtCreate?: number;
    gmtModified?: number;
    /** The account that owns the project. */
    userId?: string;
}

/** `UNDER_SCHEDULE` (the scheduler starts it by its cron) or `STOP_SCHEDULE`; newer values are kept. */
export type FlowScheduleStatus = "UNDER_SCHEDULE" | "STOP_SCHEDULE" | (string & {});

/** A flow (a workflow definition) as ListFlow returns it. Times are epoch ms. */
export interface FlowSummary {
    id: string;
    name: string;
    projectId?: string;
    description?: string;
    /** `EMR` in every documented answer. */
    type?: string;
    status?: FlowScheduleStatus;
    /** Whether the scheduler runs it by its cron expression. */
    periodic?: boolean;
    cronExpr?: string;
    clusterId?: string;
    hostName?: string;
    categoryId?: string;
    createCluster?: boolean;
    startSchedule?: number;
    endSchedule?: number;
    gmtCreate?: number;
    gmtModified?: number;
}

/** A flow as DescribeFlow returns it: the summary's fields and a few more. */
export interface FlowDefinition extends FlowSummary {
    namespace?: string;
    lifecycle?: string;
    logArchiveLocation?: string;
    /** The flow's DAG as the service's JSON string. */
    graph?: string;
    /** The flows this one depends on. */
    parentFlows: { flowId: string; flowName?: string; projectId?: string; projectName?: string }[];
}

/** One page of a list answer. */
export interface Page<T> {
    requestId: string;
    total: number;
    pageNumber: number;
    pageSize: number;
    items: T[];
}

/** What the parsers need to know besides the body. */
export interface ParseContext {
    action: string;
    /** Used when the body omits it (some gateways move it to the `x-acs-request-id` header). */
    fallbackRequestId?: string;
    /** Filled in when DescribeFlowInstance omits `ProjectId`. */
    projectId?: string;
}

// ---------------------------------------------------------------------------------------------

function buildSchemas() {
    // zod/mini leaves its messages to a locale; English, unless the program chose one.
    if (!z.config().localeError) z.config(en());
    const text = z.pipe(
        z.nullish(z.union([z.string(), z.number(), z.boolean()])),
        z.transform((v: string | number | boolean | null | undefined) => (v === null || v === undefined || v === "" ? undefined : String(v))),
    );
    // Epoch ms as a number or a numeric string; empty, null or junk becomes undefined rather
    // than failing a whole poll over one field.
    const time = z.pipe(
        z.optional(z.unknown()),
        z.transform((v: unknown): number | undefined => {
            if (typeof v === "number" && Number.isFinite(v)) return v;
            if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v.trim());
            return undefined;
        }),
    );
    const bool = z.pipe(
        z.optional(z.unknown()),
        z.transform((v: unknown): boolean | undefined => {
            if (typeof v === "boolean") return v;
            if (v === "true" || v === 1 || v === "1") return true;
            if (v === "false" || v === 0 || v === "0") return false;
            return undefined;
        }),
    );
    const requiredText = z.pipe(z.union([z.string().check(z.minLength(1)), z.number()]), z.transform((v: string | number) => String(v)));
    // `{"X": {"X": [...]}}`; a missing wrapper or list is an empty list; a lone object (as XML
    // converters produce for one element) is a one-element list.
    const wrapped = <T extends z.ZodMiniType>(key: string, item: T) =>
        z.pipe(
            z.pipe(
                z.optional(z.unknown()),
                z.transform((v: unknown, ctx): unknown[] => {
                    if (v === null || v === undefined || v === "") return [];
                    const inner = typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : v;
                    if (inner === null || inner === undefined) return [];
                    if (Array.isArray(inner)) return inner;
                    if (typeof inner === "object") return [inner];
                    ctx.issues.push({ code: "custom", message: `expected a list under ${key}`, input: v });
                    return z.NEVER;
                }),
            ),
            z.array(item),
        );

    const node = once(() =>
        z.object({
            Id: requiredText,
            Status: requiredText,
            Type: text,
            ProjectId: text,
            GmtCreate: time,
            GmtModified: time,
            MaxRetry: time,
            RetryInterval: time,
            NodeName: text,
            JobId: text,
            JobName: text,
            JobType: text,
            ClusterId: text,
            HostName: text,
            StartTime: time,
            EndTime: time,
            Duration: time,
            Retries: time,
            FailAct: text,
            Pending: bool,
            ExternalId: text,
            ExternalStatus: text,
            ExternalInfo: text,
        }),
    );

    const describe = once(() =>
        z.object({
            RequestId: text,
            Id: requiredText,
            Status: requiredText,
            ProjectId: text,
            FlowId: text,
            FlowName: text,
            ClusterId: text,
            GmtCreate: time,
            GmtModified: time,
            StartTime: time,
            EndTime: time,
            Duration: time,
            ScheduleTime: time,
            HasNodeFailed: bool,
            CronExpression: text,
            Namespace: text,
            LogArchiveLocation: text,
            Lifecycle: text,
            Graph: text,
            DependencyFlowList: wrapped("ParentFlow", z.unknown()),
            NodeInstance: wrapped("NodeInstance", node()),
        }),
    );

    const summary = once(() =>
        z.object({
            Id: requiredText,
            Status: requiredText,
            ProjectId: text,
            FlowId: text,
            FlowName: text,
            ClusterId: text,
            Owner: text,
            GmtCreate: time,
            GmtModified: time,
            ScheduleTime: time,
            StartTime: time,
            EndTime: time,
            Duration: time,
            HasNodeFailed: bool,
        }),
    );

    const list = once(() =>
        z.object({
            RequestId: text,
            Total: time,
            PageNumber: time,
            PageSize: time,
            FlowInstances: wrapped("FlowInstance", summary()),
        }),
    );

    const submit = once(() => {
        const answer = z.object({
            RequestId: text,
            Id: text,
            // Deprecated duplicates of Id: read only as a fallback, never exposed.
            InstanceId: text,
            Data: text,
        });
        return z.pipe(
            answer,
            z.transform((v: z.output<typeof answer>, ctx) => {
                const id = v.Id ?? v.InstanceId ?? (v.Data && /^FI-/.test(v.Data) ? v.Data : undefined);
                if (id === undefined) {
                    ctx.issues.push({ code: "custom", path: ["Id"], message: "the flow instance ID (Id) is missing", input: v });
                    return z.NEVER;
                }
                return { requestId: v.RequestId, instanceId: id };
            }),
        );
    });

    const control = once(() => z.object({ RequestId: text, Data: bool }));

    const project = once(() =>
        z.object({
            Id: requiredText,
            Name: text,
            Description: text,
            GmtCreate: time,
            GmtModified: time,
            UserId: text,
        }),
    );
    const projects = once(() =>
        z.object({
            RequestId: text,
            Total: time,
            PageNumber: time,
            PageSize: time,
            Projects: wrapped("Project", project()),
        }),
    );
    const flowFields = {
        Id: requiredText,
        Name: text,
        ProjectId: text,
        Description: text,
        Type: text,
        Status: text,
        Periodic: bool,
        CronExpr: text,
        ClusterId: text,
        HostName: text,
        CategoryId: text,
        CreateCluster: bool,
        StartSchedule: time,
        EndSchedule: time,
        GmtCreate: time,
        GmtModified: time,
    };
    const flow = once(() => z.object(flowFields));
    const flows = once(() =>
        z.object({
            RequestId: text,
            Total: time,
            PageNumber: time,
            PageSize: time,
            // ListFlow doubles the key: `{"Flow": {"Flow": [...]}}`.
            Flow: wrapped("Flow", flow()),
        }),
    );
    const parentFlow = once(() => z.object({ ParentFlowId: requiredText, ParentFlowName: text, ProjectId: text, ProjectName: text }));
    const describeFlow = once(() =>
        z.object({
            ...flowFields,
            RequestId: text,
            Namespace: text,
            Lifecycle: text,
            LogArchiveLocation: text,
            Graph: text,
            ParentFlowList: wrapped("ParentFlow", parentFlow()),
        }),
    );

    return { node, describe, summary, list, submit, control, project, projects, flow, flows, describeFlow };
}

/** Builds a schema on its first use: a process that only submits never builds the others. */
function once<T>(build: () => T): () => T {
    let built: T | undefined;
    return () => (built ??= build());
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;
function getSchemas(): Schemas {
    return (schemas ??= buildSchemas());
}

/** Copies `value` without its `undefined` properties. */
function defined<T extends object>(value: T): T {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
    return out as T;
}

function parse<S extends z.ZodMiniType>(schema: S, body: unknown, ctx: ParseContext): z.output<S> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issues = result.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.length ? i.path.join(".") : "(body)"}: ${i.message}`)
        .join("; ");
    const requestId = extractRequestId(body) ?? ctx.fallbackRequestId;
    throw new EmrResponseError(
        "UnexpectedResponse",
        `EMR ${ctx.action} answered with a body this client does not understand (${issues})${requestId ? `; request ID ${requestId}` : ""}. ` +
            "If the endpoint is an emulator or a proxy, check that it speaks the EMR 2016-04-08 API.",
        { requestId, retryable: false },
    );
}

function extractRequestId(body: unknown): string | undefined {
    if (typeof body === "object" && body !== null) {
        const id = (body as Record<string, unknown>)["RequestId"];
        if (typeof id === "string" && id !== "") return id;
    }
    return undefined;
}

function toNode(n: z.output<ReturnType<Schemas["node"]>>): NodeInstance {
    return defined({
        id: n.Id,
        status: n.Status,
        type: n.Type,
        projectId: n.ProjectId,
        gmtCreate: n.GmtCreate,
        gmtModified: n.GmtModified,
        maxRetry: n.MaxRetry,
        retryInterval: n.RetryInterval,
        nodeName: n.NodeName,
        jobId: n.JobId,
        jobName: n.JobName,
        jobType: n.JobType,
        clusterId: n.ClusterId,
        hostName: n.HostName,
        startTime: n.StartTime,
        endTime: n.EndTime,
        duration: n.Duration,
        retries: n.Retries,
        failAct: n.FailAct,
        pending: n.Pending,
        externalId: n.ExternalId,
        externalStatus: n.ExternalStatus,
        externalInfo: n.ExternalInfo,
    });
}

/**
 * One `ParentFlow` item. The parent is `DependencyFlowId` (the SDK models' and the API page's
 * meaning); `ParentFlowId` (DescribeFlow's list) and a bare string are read too.
 */
function toDependency(p: unknown): FlowDependency | undefined {
    if (typeof p === "string") return p === "" ? undefined : { flowId: p };
    if (typeof p !== "object" || p === null) return undefined;
    const rec = p as Record<string, unknown>;
    const s = (key: string) => (typeof rec[key] === "string" && rec[key] !== "" ? (rec[key] as string) : undefined);
    // Never the item's FlowId: that is the instance's own flow, not its parent.
    const flowId = s("DependencyFlowId") ?? s("ParentFlowId");
    if (flowId === undefined) return undefined;
    const meet = rec["Meet"];
    const bizDate = typeof rec["BizDate"] === "number" ? rec["BizDate"] : typeof rec["BizDate"] === "string" && /^\d+$/.test(rec["BizDate"]) ? Number(rec["BizDate"]) : undefined;
    return defined({
        flowId,
        instanceId: s("DependencyInstanceId"),
        met: typeof meet === "boolean" ? meet : meet === "true" ? true : meet === "false" ? false : undefined,
        bizDate,
        scheduleKey: s("ScheduleKey"),
    });
}

/** Parses a SubmitFlow answer. Throws {@link EmrResponseError} when it holds no instance ID. */
export function parseSubmitFlow(body: unknown, ctx: ParseContext): { requestId: string; instanceId: string } {
    const v = parse(getSchemas().submit(), body, ctx);
    return { requestId: v.requestId ?? ctx.fallbackRequestId ?? "", instanceId: v.instanceId };
}

/** Parses a DescribeFlowInstance answer. */
export function parseDescribeFlowInstance(body: unknown, ctx: ParseContext): FlowInstance & { requestId: string } {
    const v = parse(getSchemas().describe(), body, ctx);
    const dependencies = v.DependencyFlowList.map(toDependency).filter((d): d is FlowDependency => d !== undefined);
    const parentFlows = dependencies.map((d) => d.flowId);
    return defined({
        requestId: v.RequestId ?? ctx.fallbackRequestId ?? "",
        id: v.Id,
        status: v.Status,
        projectId: v.ProjectId ?? ctx.projectId ?? "",
        flowId: v.FlowId,
        flowName: v.FlowName,
        clusterId: v.ClusterId,
        gmtCreate: v.GmtCreate,
        gmtModified: v.GmtModified,
        startTime: v.StartTime,
        endTime: v.EndTime,
        duration: v.Duration,
        scheduleTime: v.ScheduleTime,
        hasNodeFailed: v.HasNodeFailed ?? false,
        cronExpression: v.CronExpression,
        namespace: v.Namespace,
        logArchiveLocation: v.LogArchiveLocation,
        lifecycle: v.Lifecycle,
        graph: v.Graph,
        parentFlows,
        dependencies: dependencies.length > 0 ? dependencies : undefined,
        nodes: v.NodeInstance.map(toNode),
    });
}

/** Parses a ListFlowInstance answer. */
export function parseListFlowInstance(
    body: unknown,
    ctx: ParseContext & { pageNumber?: number; pageSize?: number },
): { requestId: string; total: number; totalReported: boolean; pageNumber: number; pageSize: number; instances: FlowInstanceSummary[] } {
    const v = parse(getSchemas().list(), body, ctx);
    // An answer without its list is not an empty list: read as one, it would hide every run.
    if (v.Total !== 0 && listMissing(body, "FlowInstances", "FlowInstance")) {
        const requestId = v.RequestId ?? ctx.fallbackRequestId;
        throw new EmrResponseError(
            "UnexpectedResponse",
            `EMR ${ctx.action} answered without its list (no FlowInstances.FlowInstance)${v.Total !== undefined ? ` while Total is ${v.Total}` : " and without Total"}` +
                `${requestId ? `; request ID ${requestId}` : ""}. The answer cannot tell which runs exist, so it is not read as an empty list.`,
            { requestId, retryable: false },
        );
    }
    const instances = v.FlowInstances.map((s) =>
        defined({
            id: s.Id,
            status: s.Status,
            projectId: s.ProjectId,
            flowId: s.FlowId,
            flowName: s.FlowName,
            clusterId: s.ClusterId,
            owner: s.Owner,
            gmtCreate: s.GmtCreate,
            gmtModified: s.GmtModified,
            scheduleTime: s.ScheduleTime,
            startTime: s.StartTime,
            endTime: s.EndTime,
            duration: s.Duration,
            hasNodeFailed: s.HasNodeFailed,
        }),
    );
    return {
        requestId: v.RequestId ?? ctx.fallbackRequestId ?? "",
        total: v.Total ?? instances.length,
        totalReported: v.Total !== undefined,
        pageNumber: v.PageNumber ?? ctx.pageNumber ?? 1,
        pageSize: v.PageSize ?? ctx.pageSize ?? instances.length,
        instances,
    };
}

/**
 * Parses a Kill/Suspend/Resume/RerunFlow answer. `accepted` is the service's `Data`; a success
 * answer without `Data` counts as accepted (the HTTP call itself succeeded).
 */
export function parseControlResponse(body: unknown, ctx: ParseContext): { requestId: string; accepted: boolean } {
    const v = parse(getSchemas().control(), body, ctx);
    return { requestId: v.RequestId ?? ctx.fallbackRequestId ?? "", accepted: v.Data ?? true };
}

/** Whether `body` lacks the list at `outer.inner` (a missing wrapper, or a wrapper without its list). */
function listMissing(body: unknown, outer: string, inner: string): boolean {
    if (typeof body !== "object" || body === null) return true;
    const wrapper = (body as Record<string, unknown>)[outer];
    if (wrapper === undefined || wrapper === null) return true;
    if (Array.isArray(wrapper)) return false;
    if (typeof wrapper === "object") {
        const list = (wrapper as Record<string, unknown>)[inner];
        return list === undefined || list === null;
    }
    // "" is how some converters write an empty list: not missing, and only acceptable with Total 0
    // (the caller checks Total), so it counts as missing here.
    return true;
}

function toFlowSummary(f: z.output<ReturnType<Schemas["flow"]>>): FlowSummary {
    return defined({
        id: f.Id,
        name: f.Name ?? "",
        projectId: f.ProjectId,
        description: f.Description,
        type: f.Type,
        status: f.Status,
        periodic: f.Periodic,
        cronExpr: f.CronExpr,
        clusterId: f.ClusterId,
        hostName: f.HostName,
        categoryId: f.CategoryId,
        createCluster: f.CreateCluster,
        startSchedule: f.StartSchedule,
        endSchedule: f.EndSchedule,
        gmtCreate: f.GmtCreate,
        gmtModified: f.GmtModified,
    });
}

function toPage<T>(
    v: { RequestId?: string; Total?: number; PageNumber?: number; PageSize?: number },
    items: T[],
    ctx: ParseContext & { pageNumber?: number; pageSize?: number },
): Page<T> {
    return {
        requestId: v.RequestId ?? ctx.fallbackRequestId ?? "",
        total: v.Total ?? items.length,
        pageNumber: v.PageNumber ?? ctx.pageNumber ?? 1,
        pageSize: v.PageSize ?? ctx.pageSize ?? items.length,
        items,
    };
}

/** Parses a ListFlowProject answer. */
export function parseListFlowProject(body: unknown, ctx: ParseContext & { pageNumber?: number; pageSize?: number }): Page<FlowProject> {
    const v = parse(getSchemas().projects(), body, ctx);
    const items = v.Projects.map((p) =>
        defined({ id: p.Id, name: p.Name ?? "", description: p.Description, gmtCreate: p.GmtCreate, gmtModified: p.GmtModified, userId: p.UserId }),
    );
    return toPage(v, items, ctx);
}

/** Parses a ListFlow answer. */
export function parseListFlow(body: unknown, ctx: ParseContext & { pageNumber?: number; pageSize?: number }): Page<FlowSummary> {
    const v = parse(getSchemas().flows(), body, ctx);
    return toPage(v, v.Flow.map(toFlowSummary), ctx);
}

/** Parses a DescribeFlow answer. `projectId` is filled in from the request when the body omits it. */
export function parseDescribeFlow(body: unknown, ctx: ParseContext): FlowDefinition & { requestId: string } {
    const v = parse(getSchemas().describeFlow(), body, ctx);
    return defined({
        ...toFlowSummary(v),
        projectId: v.ProjectId ?? ctx.projectId,
        requestId: v.RequestId ?? ctx.fallbackRequestId ?? "",
        namespace: v.Namespace,
        lifecycle: v.Lifecycle,
        logArchiveLocation: v.LogArchiveLocation,
        graph: v.Graph,
        parentFlows: v.ParentFlowList.map((p) => defined({ flowId: p.ParentFlowId, flowName: p.ParentFlowName, projectId: p.ProjectId, projectName: p.ProjectName })),
    });
}
