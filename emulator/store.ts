/**
 * In-memory EMR state: the seeded projects and flows, and every flow instance submitted since
 * the last reset. Instances are stored as facts (plan, creation time, control events); their
 * status is derived with `replay` at the moment it is asked for.
 */
import { ApiError, Errors } from "./errors";
import { randomHex16, stableHex16 } from "./ids";
import {
    FINAL_STATUSES,
    type FlowStatus,
    type InstanceState,
    type LifecycleEvent,
    type NodeStatus,
    type Plan,
    hasNodesToRerun,
    maxConcurrent,
    replay,
    visibleNodeStatus,
} from "./lifecycle";
import { DEFAULT_PREP_MS, type Seed, type SeedFlow, type SeedProject } from "./seed";

export interface InstanceRecord {
    id: string;
    project: SeedProject;
    flow: SeedFlow;
    conf: Record<string, string>;
    createdAt: number;
    plan: Plan;
    events: LifecycleEvent[];
    nodeIds: string[];
    /** Per node, the YARN application sequence number of its first attempt. */
    appSeq: number[];
}

/** One node instance as the inspection API shows it. Times are epoch ms, null when not reached. */
export interface EmulatorNodeView {
    id: string;
    nodeName: string;
    jobId: string;
    jobType: string;
    status: NodeStatus;
    startTime: number | null;
    endTime: number | null;
    attempts: number;
}

/** One flow instance as the inspection API (`instances()`, `GET /__emulator/instances`) shows it. */
export interface EmulatorInstanceView {
    id: string;
    regionId: string;
    projectId: string;
    flowId: string;
    flowName: string;
    status: FlowStatus;
    conf: Record<string, string>;
    createdAt: number;
    startTime: number | null;
    endTime: number | null;
    modifiedAt: number;
    hasNodeFailed: boolean;
    nodes: EmulatorNodeView[];
    events: LifecycleEvent[];
}

export interface StoreOptions {
    seed: Seed;
    now: () => number;
    timeScale: () => number;
    /** How node `ExternalStatus` spells a failure: `FAILED`/`KILL_FAILED` or `FAIL`/`KILL_FAIL` (the documents use both). Default `FAILED`. */
    externalStatusSpelling?: () => ExternalStatusSpelling;
}

export type ExternalStatusSpelling = "FAILED" | "FAIL";

const HOST_NAME = "emr-worker-1.cluster-emulator";

export class Store {
    private readonly projects = new Map<string, SeedProject>();
    private readonly flows = new Map<string, { project: SeedProject; flow: SeedFlow }>();
    private readonly instances = new Map<string, InstanceRecord>();
    private readonly nodeInstanceIndex = new Map<string, string>();
    private readonly prepMs: number;
    private appSeq = 0;
    /** YARN application IDs embed the resource manager's start time. */
    private readonly clusterEpoch: number;

    constructor(private readonly options: StoreOptions) {
        this.prepMs = options.seed.prepMs ?? DEFAULT_PREP_MS;
        for (const project of options.seed.projects) {
            this.projects.set(project.id, project);
            for (const flow of project.flows) this.flows.set(flow.id, { project, flow });
        }
        this.clusterEpoch = options.now();
    }

    reset(): void {
        this.instances.clear();
        this.nodeInstanceIndex.clear();
        this.appSeq = 0;
    }

    /** The project, if it exists in `regionId`: EMR is regional, another region's project is not found. */
    project(regionId: string, projectId: string): SeedProject {
        const project = this.projects.get(projectId);
        if (!project || project.regionId !== regionId) throw Errors.projectNotFound();
        return project;
    }

    flow(project: SeedProject, flowId: string): SeedFlow {
        const entry = this.flows.get(flowId);
        if (!entry || entry.project !== project) throw Errors.flowNotFound();
        return entry.flow;
    }

    instance(project: SeedProject, instanceId: string): InstanceRecord {
        const record = this.instances.get(instanceId);
        if (!record || record.project !== project) throw Errors.instanceNotFound();
        return record;
    }

    /** Instance ID owning a node instance ID, for ListFlowInstance's NodeInstanceId filter. */
    instanceOfNode(nodeInstanceId: string): string | undefined {
        return this.nodeInstanceIndex.get(nodeInstanceId);
    }

    all(): InstanceRecord[] {
        return [...this.instances.values()];
    }

    submit(project: SeedProject, flow: SeedFlow, conf: Record<string, string>): InstanceRecord {
        // The time scale in force at submission applies for the whole life of the instance,
        // so changing it later never rewrites history already reported to a client.
        const scale = this.options.timeScale();
        const scaled = (ms: number) => Math.max(0, Math.round(ms * scale));
        const plan: Plan = {
            prepMs: scaled(this.prepMs),
            nodes: flow.nodes.map((node) => {
                const failAttempts = node.failAttempts;
                const alwaysFails = node.outcome === "FAILED";
                return {
                    durationMs: scaled(node.durationMs),
                    submitMs: Math.min(scaled(node.submitMs ?? 0), scaled(node.durationMs)),
                    failsOnAttempt: (attempt: number) => (failAttempts !== undefined ? attempt <= failAttempts : alwaysFails),
                };
            }),
        };
        let id: string;
        do id = `FI-${randomHex16()}`;
        while (this.instances.has(id));
        const nodeIds = flow.nodes.map(() => `FNI-${randomHex16()}`);
        const record: InstanceRecord = {
            id,
            project,
            flow,
            conf,
            createdAt: this.options.now(),
            plan,
            events: [],
            nodeIds,
            appSeq: flow.nodes.map(() => {
                // Leave room for reruns: each attempt of a node takes the next number.
                const seq = this.appSeq + 1;
                this.appSeq += 100;
                return seq;
            }),
        };
        this.instances.set(id, record);
        for (const nodeId of nodeIds) this.nodeInstanceIndex.set(nodeId, id);
        return record;
    }

    state(record: InstanceRecord, at = this.options.now()): InstanceState {
        return replay(record.plan, record.createdAt, record.events, at);
    }

    kill(record: InstanceRecord): void {
        const state = this.state(record);
        if (FINAL_STATUSES.has(state.status)) throw Errors.invalidStatus(record.id, state.status, "PREP, RUNNING or SUSPENDED");
        this.record(record, { kind: "kill", at: this.eventTime(record) });
    }

    suspend(record: InstanceRecord): void {
        const state = this.state(record);
        if (state.status !== "PREP" && state.status !== "RUNNING") throw Errors.invalidStatus(record.id, state.status, "PREP or RUNNING");
        this.record(record, { kind: "suspend", at: this.eventTime(record) });
    }

    resume(record: InstanceRecord): void {
        const state = this.state(record);
        if (state.status !== "SUSPENDED") throw Errors.invalidStatus(record.id, state.status, "SUSPENDED");
        this.record(record, { kind: "resume", at: this.eventTime(record) });
    }

    /** StartFlow: only an instance still in PREP can be started. */
    start(record: InstanceRecord): void {
        const state = this.state(record);
        if (state.status !== "PREP") throw Errors.invalidStatus(record.id, state.status, "PREP");
        this.record(record, { kind: "start", at: this.eventTime(record) });
    }

    /** The instance and node index of a node instance ID, if it is in `project`. */
    nodeInstance(project: SeedProject, nodeInstanceId: string): { record: InstanceRecord; index: number } {
        const owner = this.nodeInstanceIndex.get(nodeInstanceId);
        const record = owner === undefined ? undefined : this.instances.get(owner);
        if (!record || record.project !== project) throw Errors.nodeInstanceNotFound();
        return { record, index: record.nodeIds.indexOf(nodeInstanceId) };
    }

    /** KillFlowJob: only the node that is running (or queued) in an active instance can be killed. */
    killNode(record: InstanceRecord, index: number): void {
        const state = this.state(record);
        const node = state.nodes[index]!;
        const active = (state.status === "RUNNING" || state.status === "SUSPENDED") && node.started && node.status === "RUNNING";
        if (!active) {
            const shown = node.started ? visibleNodeStatus(record.plan, state, index).status : "not started";
            throw Errors.nodeInvalidStatus(record.nodeIds[index]!, shown);
        }
        this.record(record, { kind: "killNode", at: this.eventTime(record), index });
    }

    rerun(record: InstanceRecord, failedOnly: boolean): void {
        const state = this.state(record);
        if (!FINAL_STATUSES.has(state.status)) throw Errors.invalidStatus(record.id, state.status, "SUCCEEDED, FAILED or KILLED");
        if (!hasNodesToRerun(state, failedOnly)) {
            throw new ApiError(400, "EMR.FlowInstance.InvalidStatus", `flow instance ${record.id} has no failed node to rerun`);
        }
        this.record(record, { kind: "rerun", at: this.eventTime(record), failedOnly });
    }

    /** Events must stay in time order even if an injected clock steps backwards. */
    private eventTime(record: InstanceRecord): number {
        const last = record.events[record.events.length - 1];
        return Math.max(this.options.now(), last?.at ?? record.createdAt);
    }

    private record(record: InstanceRecord, event: LifecycleEvent): void {
        record.events.push(event);
    }

    maxConcurrentRunning(): number {
        const now = this.options.now();
        return maxConcurrent(this.all().flatMap((record) => this.state(record, now).activeIntervals));
    }

    clusterId(flow: SeedFlow): string {
        return flow.clusterId ?? `C-${stableHex16(`cluster:${flow.id}`)}`;
    }

    jobId(flow: SeedFlow, index: number): string {
        return flow.nodes[index]!.jobId ?? `FJ-${stableHex16(`job:${flow.id}:${index}`)}`;
    }

    applicationId(record: InstanceRecord, index: number, attempt: number): string {
        return `application_${this.clusterEpoch}_${String(record.appSeq[index]! + Math.max(0, attempt - 1)).padStart(4, "0")}`;
    }

    /** `Duration` in ms: to the end, or to now while still going; absent before the start. */
    static duration(start: number | undefined, end: number | undefined, now: number): number | undefined {
        return start === undefined ? undefined : Math.max(0, (end ?? now) - start);
    }

    /** DescribeFlowInstance's `NodeInstance.NodeInstance` items (only nodes started in the current run). */
    nodeInstances(record: InstanceRecord, state: InstanceState, now: number): Record<string, unknown>[] {
        const out: Record<string, unknown>[] = [];
        state.nodes.forEach((node, index) => {
            if (!node.started) return;
            const seedNode = record.flow.nodes[index]!;
            const { status, pending } = visibleNodeStatus(record.plan, state, index);
            const spelling = this.options.externalStatusSpelling?.() ?? "FAILED";
            out.push(
                compact({
                    Id: record.nodeIds[index],
                    Type: "JOB",
                    ProjectId: record.project.id,
                    GmtCreate: node.startTime,
                    GmtModified: node.endTime ?? node.startTime,
                    MaxRetry: "0",
                    RetryInterval: "0",
                    NodeName: seedNode.name,
                    JobId: this.jobId(record.flow, index),
                    JobName: seedNode.jobName ?? seedNode.name,
                    JobType: seedNode.jobType,
                    Status: status,
                    StartTime: node.startTime,
                    EndTime: node.endTime,
                    Duration: Store.duration(node.startTime, node.endTime, now),
                    Retries: node.attempts - 1,
                    FailAct: "STOP",
                    ExternalId: this.applicationId(record, index, node.attempts),
                    ExternalStatus: EXTERNAL_STATUS[spelling][status],
                    ExternalInfo: status === "FAILED"
                        ? `Job ${seedNode.name} failed on attempt ${node.attempts}: exit code 1`
                        : status === "KILL_SUCCESS" ? "Killed by user" : "",
                    ClusterId: this.clusterId(record.flow),
                    HostName: HOST_NAME,
                    Pending: pending,
                }),
            );
        });
        return out;
    }

    view(record: InstanceRecord): EmulatorInstanceView {
        const now = this.options.now();
        const state = this.state(record, now);
        const nodes: EmulatorNodeView[] = [];
        state.nodes.forEach((node, index) => {
            if (!node.started) return;
            nodes.push({
                id: record.nodeIds[index]!,
                nodeName: record.flow.nodes[index]!.name,
                jobId: this.jobId(record.flow, index),
                jobType: record.flow.nodes[index]!.jobType,
                status: visibleNodeStatus(record.plan, state, index).status,
                startTime: node.startTime ?? null,
                endTime: node.endTime ?? null,
                attempts: node.attempts,
            });
        });
        return {
            id: record.id,
            regionId: record.project.regionId,
            projectId: record.project.id,
            flowId: record.flow.id,
            flowName: record.flow.name,
            status: state.status,
            conf: { ...record.conf },
            createdAt: record.createdAt,
            startTime: state.startTime ?? null,
            endTime: state.endTime ?? null,
            modifiedAt: state.modifiedAt,
            hasNodeFailed: state.nodes.some((n) => n.started && n.status === "FAILED"),
            nodes,
            events: record.events.map((e) => ({ ...e })),
        };
    }
}

/**
 * Node `ExternalStatus` values as documented: SUBMITTED, RUNNING, SUCCESS, KILL_SUCCESS, and for a
 * failure FAILED/KILL_FAILED (ListFlowNodeInstance page) or FAIL/KILL_FAIL (DescribeFlowNodeInstance
 * page); `externalStatusSpelling` picks one.
 */
const EXTERNAL_STATUS: Record<ExternalStatusSpelling, Record<NodeStatus, string>> = {
    FAILED: { SUBMITTED: "SUBMITTED", RUNNING: "RUNNING", SUCCESS: "SUCCESS", FAILED: "FAILED", KILL_FAILED: "KILL_FAILED", KILL_SUCCESS: "KILL_SUCCESS" },
    FAIL: { SUBMITTED: "SUBMITTED", RUNNING: "RUNNING", SUCCESS: "SUCCESS", FAILED: "FAIL", KILL_FAILED: "KILL_FAIL", KILL_SUCCESS: "KILL_SUCCESS" },
};

/** Drops undefined fields: the service omits fields it has no value for rather than sending null. */
export function compact(fields: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
    return out;
}
