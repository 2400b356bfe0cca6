/**
 * The EMR flow actions: parameter checks in the order the service applies them
 * (required parameters, then lookups), and response bodies with exactly the documented fields.
 */
import { Errors } from "./errors";
import type { FlowStatus } from "./lifecycle";
import { Store, compact, type InstanceRecord } from "./store";

export const API_VERSION = "2016-04-08";

export type ActionName = "SubmitFlow" | "DescribeFlowInstance" | "ListFlowInstance" | "KillFlow" | "RerunFlow" | "SuspendFlow" | "ResumeFlow" | NodeActionName;
/** Actions of the current SDKs beyond the original seven. */
type NodeActionName = "StartFlow" | "KillFlowJob";

export type Params = ReadonlyMap<string, string>;
type Handler = (params: Params, store: Store, now: number) => Record<string, unknown>;

const FLOW_STATUSES: ReadonlySet<string> = new Set<FlowStatus>(["PREP", "RUNNING", "SUSPENDED", "SUCCEEDED", "FAILED", "KILLED"]);
const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

function required(params: Params, name: string): string {
    const value = params.get(name);
    if (value === undefined || value.trim() === "") throw Errors.missingParameter(name);
    return value;
}

function optional(params: Params, name: string): string | undefined {
    const value = params.get(name);
    return value === undefined || value === "" ? undefined : value;
}

function bool(params: Params, name: string): boolean {
    const value = optional(params, name);
    if (value === undefined) return false;
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
    throw Errors.invalidParameter(name, `expected true or false, got ${JSON.stringify(value)}`);
}

function positiveInt(params: Params, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = optional(params, name);
    if (value === undefined) return fallback;
    if (!/^[0-9]{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) {
        throw Errors.invalidParameter(name, `expected an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
    }
    return Number(value);
}

/** `Conf` is a string holding a JSON object whose values are strings. */
function parseConf(text: string | undefined): Record<string, string> {
    if (text === undefined) return {};
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw Errors.invalidParameter("Conf", "not valid JSON");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw Errors.invalidParameter("Conf", 'expected a JSON object such as {"cyctime":"1542783967503"}');
    }
    const conf: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
        if (typeof item !== "string") throw Errors.invalidParameter("Conf", `the value of "${key}" must be a string`);
        conf[key] = item;
    }
    return conf;
}

/** `TimeRange`: `{"type":"range","from":<ms>,"to":<ms>}`, bounds inclusive, either may be left out. */
function parseTimeRange(text: string | undefined): { from: number; to: number } | undefined {
    if (text === undefined) return undefined;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw Errors.invalidParameter("TimeRange", "not valid JSON");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw Errors.invalidParameter("TimeRange", "expected a JSON object");
    const range = value as Record<string, unknown>;
    if (range["type"] !== "range") throw Errors.invalidParameter("TimeRange", 'expected "type":"range"');
    const bound = (name: "from" | "to", fallback: number): number => {
        const raw = range[name];
        if (raw === undefined || raw === null) return fallback;
        const n = typeof raw === "string" && /^[0-9]+$/.test(raw) ? Number(raw) : raw;
        if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw Errors.invalidParameter("TimeRange", `"${name}" must be epoch milliseconds`);
        return n;
    };
    const from = bound("from", 0);
    const to = bound("to", Number.MAX_SAFE_INTEGER);
    if (from > to) throw Errors.invalidParameter("TimeRange", '"from" is after "to"');
    return { from, to };
}

/** `StatusList.1`, `StatusList.2`, … (flattened list). */
function statusList(params: Params): Set<string> | undefined {
    const out = new Set<string>();
    for (const [key, value] of params) {
        const match = /^StatusList\.([0-9]+)$/.exec(key);
        if (!match) continue;
        if (!FLOW_STATUSES.has(value)) throw Errors.invalidParameter(key, `unknown status ${JSON.stringify(value)}`);
        out.add(value);
    }
    return out.size > 0 ? out : undefined;
}

function scheduleTime(record: InstanceRecord): number {
    const cyctime = record.conf["cyctime"];
    return cyctime !== undefined && /^[0-9]{1,16}$/.test(cyctime) ? Number(cyctime) : record.createdAt;
}

function graph(record: InstanceRecord, store: Store): string {
    const nodes = record.flow.nodes.map((node, index) => ({ id: store.jobId(record.flow, index), name: node.name, type: node.jobType }));
    const edges = nodes.slice(1).map((node, index) => ({ from: nodes[index]!.id, to: node.id }));
    return JSON.stringify({ nodes, edges });
}

function instanceFields(record: InstanceRecord, store: Store, now: number) {
    const state = store.state(record, now);
    return {
        state,
        fields: {
            Id: record.id,
            FlowId: record.flow.id,
            FlowName: record.flow.name,
            ProjectId: record.project.id,
            Status: state.status,
            ClusterId: store.clusterId(record.flow),
            GmtCreate: record.createdAt,
            GmtModified: state.modifiedAt,
            ScheduleTime: scheduleTime(record),
            StartTime: state.startTime,
            EndTime: state.endTime,
            Duration: Store.duration(state.startTime, state.endTime, now),
            HasNodeFailed: state.nodes.some((n) => n.started && n.status === "FAILED"),
        },
    };
}

function locate(params: Params, store: Store, idParam: string): InstanceRecord {
    const regionId = required(params, "RegionId");
    const instanceId = required(params, idParam);
    const projectId = required(params, "ProjectId");
    return store.instance(store.project(regionId, projectId), instanceId);
}

/**
 * `DependencyFlowList.ParentFlow` items, one per flow the seed says this flow depends on. Field
 * names and meanings follow the SDK models and the Japanese API page: `DependencyFlowId` and
 * `DependencyInstanceId` are the parent's, `FlowId` and `FlowInstanceId` this instance's own.
 * Which parent instance is named and what `Meet` means are not documented; the emulator names the
 * parent's latest instance created before this one and sets `Meet` when it has SUCCEEDED.
 */
function dependencyFlows(record: InstanceRecord, store: Store, now: number): Record<string, unknown>[] {
    return (record.flow.dependsOn ?? []).map((parentFlowId) => {
        const parent = store
            .all()
            .filter((r) => r.project === record.project && r.flow.id === parentFlowId && r.createdAt <= record.createdAt)
            .pop();
        const schedule = scheduleTime(record);
        return compact({
            DependencyFlowId: parentFlowId,
            DependencyInstanceId: parent?.id,
            Meet: parent !== undefined && store.state(parent, now).status === "SUCCEEDED",
            BizDate: parent === undefined ? undefined : scheduleTime(parent),
            ScheduleKey: new Date(schedule).toISOString().slice(0, 10).replace(/-/g, ""),
            FlowId: record.flow.id,
            FlowInstanceId: record.id,
            ProjectId: record.project.id,
        });
    });
}

/** StartFlow and KillFlowJob: in every current SDK (Tea, Python core, Go), absent from the original seven. */
const NODE_ACTIONS: Record<NodeActionName, Handler> = {
    StartFlow(params, store) {
        store.start(locate(params, store, "FlowInstanceId"));
        return { Data: true };
    },

    /** `JobInstanceId` is documented as the node instance ID (节点实例ID): the `Id` of a `NodeInstance` item. */
    KillFlowJob(params, store) {
        const regionId = required(params, "RegionId");
        const jobInstanceId = required(params, "JobInstanceId");
        const projectId = required(params, "ProjectId");
        const { record, index } = store.nodeInstance(store.project(regionId, projectId), jobInstanceId);
        store.killNode(record, index);
        return { Data: true };
    },
};

export const ACTIONS: Record<ActionName, Handler> = {
    SubmitFlow(params, store) {
        const regionId = required(params, "RegionId");
        const projectId = required(params, "ProjectId");
        const flowId = required(params, "FlowId");
        const conf = parseConf(optional(params, "Conf"));
        const project = store.project(regionId, projectId);
        const flow = store.flow(project, flowId);
        const record = store.submit(project, flow, conf);
        return { Id: record.id, InstanceId: record.id, Data: record.id };
    },

    DescribeFlowInstance(params, store, now) {
        const record = locate(params, store, "Id");
        const { state, fields } = instanceFields(record, store, now);
        return compact({
            ...fields,
            Graph: graph(record, store),
            CronExpression: record.flow.cronExpression ?? "",
            Namespace: "",
            LogArchiveLocation: `oss://emr-emulator-logs/${record.project.id}/${record.flow.id}/${record.id}/`,
            Lifecycle: "",
            DependencyFlowList: { ParentFlow: dependencyFlows(record, store, now) },
            NodeInstance: { NodeInstance: store.nodeInstances(record, state, now) },
        });
    },

    ListFlowInstance(params, store, now) {
        const regionId = required(params, "RegionId");
        const projectId = required(params, "ProjectId");
        const project = store.project(regionId, projectId);
        const flowId = optional(params, "FlowId");
        const flowName = optional(params, "FlowName");
        const owner = optional(params, "Owner");
        const instanceId = optional(params, "InstanceId");
        const nodeInstanceId = optional(params, "NodeInstanceId");
        const statuses = statusList(params);
        const range = parseTimeRange(optional(params, "TimeRange"));
        const orderBy = optional(params, "OrderBy") ?? "gmt_create";
        if (!["id", "start_time", "gmt_create"].includes(orderBy)) throw Errors.invalidParameter("OrderBy", "expected id or start_time");
        const orderType = (optional(params, "OrderType") ?? "DESC").toUpperCase();
        if (orderType !== "ASC" && orderType !== "DESC") throw Errors.invalidParameter("OrderType", "expected ASC or DESC");
        const pageNumber = positiveInt(params, "PageNumber", 1);
        const pageSize = positiveInt(params, "PageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        const projectOwner = project.owner ?? "emulator";
        const nodeOwner = nodeInstanceId === undefined ? undefined : store.instanceOfNode(nodeInstanceId);

        const rows = store
            .all()
            .filter((r) => r.project === project)
            .filter((r) => flowId === undefined || r.flow.id === flowId)
            .filter((r) => flowName === undefined || r.flow.name.includes(flowName))
            .filter(() => owner === undefined || owner === projectOwner)
            .filter((r) => instanceId === undefined || r.id === instanceId)
            .filter((r) => nodeInstanceId === undefined || r.id === nodeOwner)
            .filter((r) => range === undefined || (r.createdAt >= range.from && r.createdAt <= range.to))
            .map((r) => instanceFields(r, store, now).fields)
            .filter((f) => statuses === undefined || statuses.has(f.Status));

        // Sort keys fall back to creation order so pages are stable between calls.
        const key = (f: (typeof rows)[number]): [number | string, number] =>
            orderBy === "id" ? [f.Id, f.GmtCreate] : orderBy === "start_time" ? [f.StartTime ?? f.GmtCreate, f.GmtCreate] : [f.GmtCreate, 0];
        const sign = orderType === "ASC" ? 1 : -1;
        const order = new Map(rows.map((f, i) => [f.Id, i]));
        rows.sort((a, b) => {
            const [ka, ta] = key(a);
            const [kb, tb] = key(b);
            const primary = ka < kb ? -1 : ka > kb ? 1 : 0;
            return sign * (primary || ta - tb || order.get(a.Id)! - order.get(b.Id)!);
        });
        const page = rows.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
        return {
            PageNumber: pageNumber,
            PageSize: pageSize,
            Total: rows.length,
            FlowInstances: { FlowInstance: page.map((f) => compact({ ...f, Owner: projectOwner })) },
        };
    },

    KillFlow(params, store) {
        store.kill(locate(params, store, "FlowInstanceId"));
        return { Data: true };
    },

    RerunFlow(params, store) {
        const record = locate(params, store, "FlowInstanceId");
        store.rerun(record, bool(params, "ReRunFail"));
        return { Data: true };
    },

    SuspendFlow(params, store) {
        store.suspend(locate(params, store, "FlowInstanceId"));
        return { Data: true };
    },

    ResumeFlow(params, store) {
        store.resume(locate(params, store, "FlowInstanceId"));
        return { Data: true };
    },

    ...NODE_ACTIONS,
};


export function isAction(name: string): name is ActionName {
    return Object.prototype.hasOwnProperty.call(ACTIONS, name);
}
