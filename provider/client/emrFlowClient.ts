/**
 * `EmrFlowClient`: the EMR flow actions this package uses (runs, and the projects and flows they
 * belong to), typed, over
 * `@alicloud/openapi-client`'s generic `callApi`.
 *
 * Every call is RPC style (`POST /`, API version 2016-04-08, business parameters in the query)
 * and sends `RegionId`, which the SDK does not add by itself. Answers are parsed with the schemas
 * in `responses.ts`, errors are classified in `errors.ts`, and retries are decided in `retry.ts`;
 * nothing untyped leaves this module.
 */
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import { credentialProvider, openApiCredential, type CredentialProvider } from "./credentials";
import { resolveEndpoint, parseEndpointOverride, type EndpointTarget } from "./endpoint";
import { EmrConfigError } from "./errors";
import { isThrottlingAnswer, type ErrorContext } from "./classify";
import { Redactor } from "./redact";
import {
    parseControlResponse,
    parseDescribeFlow,
    parseDescribeFlowInstance,
    parseListFlow,
    parseListFlowInstance,
    parseListFlowProject,
    parseSubmitFlow,
    type FlowDefinition,
    type FlowInstance,
    type FlowInstanceSummary,
    type FlowProject,
    type FlowSummary,
    type Page,
} from "./responses";
import { retryPolicy, systemRetryDeps, withRetry, type CallKind, type RetryDeps, type RetryPolicy } from "./retry";
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_READ_TIMEOUT_MS, type ClientSettings } from "./settings";
import { processRateLimiter, type RateFeedback } from "./throttle";
import { newNonce, observeWire, type WireRecord } from "./wire";

/** The EMR API version of the flow actions. */
export const EMR_API_VERSION = "2016-04-08";

/** Injectable time and randomness (for tests of the retry timing). */
export interface EmrFlowClientDeps {
    sleep?(ms: number): Promise<void>;
    now?(): number;
    random?(): number;
    /**
     * Paces every attempt of every call. Default: the process-wide adaptive limiter with the
     * settings' cap (see `throttle.ts`), so that all clients of a process share one budget;
     * `null`: none. `record`, when present, hears what became of each attempt.
     */
    limiter?: CallLimiter | null;
}

/** What paces the client's attempts. */
export interface CallLimiter {
    /** Resolves when an attempt may start; a number is handed back to `record`. */
    acquire(): Promise<number | void>;
    record?(feedback: RateFeedback): void;
}

/** Where a call goes and what it is about; every call takes these. */
export interface InstanceRef {
    /** Default: the client's settings region. */
    regionId?: string;
    projectId: string;
    instanceId: string;
}

export interface SubmitFlowParams {
    /** Default: the client's settings region. */
    regionId?: string;
    projectId: string;
    flowId: string;
    /** Flow variables such as `cyctime`; sent as the JSON string `Conf`. */
    conf?: Record<string, string>;
}

export interface ListFlowInstancesParams {
    /** Default: the client's settings region. */
    regionId?: string;
    projectId: string;
    flowId?: string;
    /** Only instances of flows with this name (`FlowName`). */
    flowName?: string;
    /** Only instances of this owner (`Owner`, an account ID). */
    owner?: string;
    instanceId?: string;
    /** Only the instance holding this node (job) instance (`NodeInstanceId`). */
    nodeInstanceId?: string;
    /** Only instances in these statuses. */
    statuses?: string[];
    /** Only instances created at or after this time, epoch ms. */
    createdFrom?: number;
    /** Only instances created at or before this time, epoch ms. */
    createdTo?: number;
    orderBy?: "id" | "start_time";
    orderType?: "ASC" | "DESC";
    /** Default 1. */
    pageNumber?: number;
    pageSize?: number;
}

export interface ListFlowInstancesResult {
    requestId: string;
    /** The answer's `Total`; when it gave none, the number of items on this page. */
    total: number;
    /** Whether the answer gave `Total`. */
    totalReported: boolean;
    pageNumber: number;
    pageSize: number;
    instances: FlowInstanceSummary[];
}

/** ListFlowProject's filters, with the names of Alibaba's SDKs. */
export interface ListFlowProjectsParams {
    /** Default: the client's settings region. */
    regionId?: string;
    /** Only projects of this name (whether the service matches it exactly or as a part is not documented). */
    name?: string;
    projectId?: string;
    /** Default 1. */
    pageNumber?: number;
    pageSize?: number;
}

/** ListFlow's filters, with the names of Alibaba's SDKs. */
export interface ListFlowsParams {
    /** Default: the client's settings region. */
    regionId?: string;
    /** The service documents it as optional; without it, flows of every project in the region. */
    projectId?: string;
    /** Only flows of this name (exact or part: not documented). */
    name?: string;
    /** Only this flow (`Id`). */
    flowId?: string;
    /** Only flows holding this job, `FJ-…`. */
    jobId?: string;
    clusterId?: string;
    /** `UNDER_SCHEDULE` or `STOP_SCHEDULE`. */
    status?: string;
    periodic?: boolean;
    /** Default 1. */
    pageNumber?: number;
    pageSize?: number;
}

export interface ControlResult {
    requestId: string;
    /** The service's `Data`: whether it took the request. */
    accepted: boolean;
}

interface RawResponse {
    body: unknown;
    headers: Record<string, string | string[] | undefined>;
    statusCode?: number;
}

/** Options of one call. */
export interface CallOptions {
    /**
     * Epoch ms (by the client's clock) by which the call must have ended, retries included: each
     * attempt's read timeout is cut to the time left (never below {@link MIN_ATTEMPT_MS}), and no
     * retry starts after it. A wait passes its own deadline, so that a hanging service cannot hold
     * it past `timeoutSeconds`.
     */
    deadline?: number;
}

/** The shortest read timeout an attempt gets under a deadline: one last look still has a chance. */
export const MIN_ATTEMPT_MS = 1000;

/** A typed client of the EMR flow API. */
export class EmrFlowClient {
    private readonly settings: ClientSettings;
    private readonly deps: RetryDeps;
    private readonly policy: RetryPolicy;
    private readonly redactor = new Redactor();
    private readonly credentials: CredentialProvider;
    private readonly override?: EndpointTarget;
    private readonly limiter: CallLimiter | null;
    // One SDK client per endpoint: a client holds its endpoint, and keeping it keeps its
    // keep-alive connections.
    private readonly clients = new Map<string, OpenApi>();

    constructor(settings: ClientSettings, deps: EmrFlowClientDeps = {}) {
        this.settings = settings;
        this.deps = {
            sleep: deps.sleep ?? systemRetryDeps.sleep,
            now: deps.now ?? systemRetryDeps.now,
            random: deps.random ?? systemRetryDeps.random,
        };
        this.policy = retryPolicy(settings.retry);
        this.limiter = deps.limiter !== undefined ? deps.limiter : processRateLimiter(settings.maxRequestsPerSecond);
        this.credentials = credentialProvider(settings.credentials);
        if (settings.credentials.kind === "static") {
            const secret = settings.credentials.secret();
            this.redactor.add(secret.accessKeySecret);
            this.redactor.add(secret.securityToken);
        }
        if (settings.endpoint !== undefined) {
            this.override = parseEndpointOverride(settings.endpoint, settings.sources?.endpoint ?? "endpoint");
        }
    }

    /** Starts a run of a flow. Returns the new flow instance ID. Never retried once it may have reached the service. */
    async submitFlow(p: SubmitFlowParams): Promise<{ requestId: string; instanceId: string }> {
        const query: Record<string, string> = { ProjectId: p.projectId, FlowId: p.flowId };
        if (p.conf !== undefined) query.Conf = JSON.stringify(p.conf);
        return this.call("SubmitFlow", "submit", p.regionId, query, { projectId: p.projectId, flowId: p.flowId }, (res, ctx) =>
            parseSubmitFlow(res.body, ctx),
        );
    }

    /** The state of one flow instance, with its nodes. */
    async describeFlowInstance(p: InstanceRef, options: CallOptions = {}): Promise<FlowInstance & { requestId: string }> {
        const query = { Id: p.instanceId, ProjectId: p.projectId };
        return this.call(
            "DescribeFlowInstance",
            "read",
            p.regionId,
            query,
            { projectId: p.projectId, instanceId: p.instanceId },
            (res, ctx) => parseDescribeFlowInstance(res.body, { ...ctx, projectId: p.projectId }),
            options,
        );
    }

    /** One page of flow instances of a project. */
    async listFlowInstances(p: ListFlowInstancesParams): Promise<ListFlowInstancesResult> {
        const query: Record<string, string> = { ProjectId: p.projectId };
        if (p.flowId !== undefined) query.FlowId = p.flowId;
        if (p.flowName !== undefined) query.FlowName = p.flowName;
        if (p.owner !== undefined) query.Owner = p.owner;
        if (p.instanceId !== undefined) query.InstanceId = p.instanceId;
        if (p.nodeInstanceId !== undefined) query.NodeInstanceId = p.nodeInstanceId;
        (p.statuses ?? []).forEach((status, i) => (query[`StatusList.${i + 1}`] = status));
        if (p.createdFrom !== undefined || p.createdTo !== undefined) {
            query.TimeRange = JSON.stringify({ type: "range", from: p.createdFrom ?? 0, to: p.createdTo ?? this.deps.now() });
        }
        if (p.orderBy !== undefined) query.OrderBy = p.orderBy;
        if (p.orderType !== undefined) query.OrderType = p.orderType;
        if (p.pageNumber !== undefined) query.PageNumber = String(p.pageNumber);
        if (p.pageSize !== undefined) query.PageSize = String(p.pageSize);
        return this.call("ListFlowInstance", "read", p.regionId, query, { projectId: p.projectId, flowId: p.flowId, instanceId: p.instanceId }, (res, ctx) =>
            parseListFlowInstance(res.body, { ...ctx, pageNumber: p.pageNumber, pageSize: p.pageSize }),
        );
    }

    /** One page of the projects the credentials can see in a region. */
    async listFlowProjects(p: ListFlowProjectsParams = {}): Promise<Page<FlowProject>> {
        const query: Record<string, string> = {};
        if (p.name !== undefined) query.Name = p.name;
        if (p.projectId !== undefined) query.ProjectId = p.projectId;
        if (p.pageNumber !== undefined) query.PageNumber = String(p.pageNumber);
        if (p.pageSize !== undefined) query.PageSize = String(p.pageSize);
        return this.call("ListFlowProject", "read", p.regionId, query, { projectId: p.projectId }, (res, ctx) =>
            parseListFlowProject(res.body, { ...ctx, pageNumber: p.pageNumber, pageSize: p.pageSize }),
        );
    }

    /** One page of flows (workflow definitions), of a project or of the region. */
    async listFlows(p: ListFlowsParams = {}): Promise<Page<FlowSummary>> {
        const query: Record<string, string> = {};
        if (p.projectId !== undefined) query.ProjectId = p.projectId;
        if (p.name !== undefined) query.Name = p.name;
        if (p.flowId !== undefined) query.Id = p.flowId;
        if (p.jobId !== undefined) query.JobId = p.jobId;
        if (p.clusterId !== undefined) query.ClusterId = p.clusterId;
        if (p.status !== undefined) query.Status = p.status;
        if (p.periodic !== undefined) query.Periodic = String(p.periodic);
        if (p.pageNumber !== undefined) query.PageNumber = String(p.pageNumber);
        if (p.pageSize !== undefined) query.PageSize = String(p.pageSize);
        return this.call("ListFlow", "read", p.regionId, query, { projectId: p.projectId, flowId: p.flowId }, (res, ctx) =>
            parseListFlow(res.body, { ...ctx, pageNumber: p.pageNumber, pageSize: p.pageSize }),
        );
    }

    /** One flow's definition. */
    async describeFlow(p: { regionId?: string; projectId: string; flowId: string }): Promise<FlowDefinition & { requestId: string }> {
        const query = { Id: p.flowId, ProjectId: p.projectId };
        return this.call("DescribeFlow", "read", p.regionId, query, { projectId: p.projectId, flowId: p.flowId }, (res, ctx) =>
            parseDescribeFlow(res.body, { ...ctx, projectId: p.projectId }),
        );
    }

    /**
     * Kills a running flow instance. No current SDK of the API has KillFlow any more; the service
     * may answer `InvalidAction.NotFound` (see `runs/stop.ts` for stopping a run without it).
     */
    async killFlow(p: InstanceRef): Promise<ControlResult> {
        return this.control("KillFlow", p, {});
    }

    /** Starts a flow instance (StartFlow). What the service does with it is not documented. */
    async startFlow(p: InstanceRef): Promise<ControlResult> {
        return this.control("StartFlow", p, {});
    }

    /** Stops one running node (job) instance: `jobInstanceId` is the node instance's `id`. */
    async killFlowJob(p: { regionId?: string; projectId: string; instanceId?: string; jobInstanceId: string }): Promise<ControlResult> {
        const query = { JobInstanceId: p.jobInstanceId, ProjectId: p.projectId };
        return this.call("KillFlowJob", "mutation", p.regionId, query, { projectId: p.projectId, instanceId: p.instanceId }, (res, ctx) => parseControlResponse(res.body, ctx));
    }

    /** Pauses a running flow instance (ResumeFlow continues it). */
    async suspendFlow(p: InstanceRef): Promise<ControlResult> {
        return this.control("SuspendFlow", p, {});
    }

    /** Continues a suspended flow instance. */
    async resumeFlow(p: InstanceRef): Promise<ControlResult> {
        return this.control("ResumeFlow", p, {});
    }

    /** Reruns a flow instance; with `failedOnly`, only its failed nodes. */
    async rerunFlow(p: InstanceRef & { failedOnly?: boolean }): Promise<ControlResult> {
        return this.control("RerunFlow", p, p.failedOnly !== undefined ? { ReRunFail: String(p.failedOnly) } : {});
    }

    /** Where the client's credentials come from, for messages (never the values). */
    credentialSource(): string {
        return this.credentials.describe();
    }

    // ----- internals -----

    private control(action: string, p: InstanceRef, extra: Record<string, string>): Promise<ControlResult> {
        const query = { FlowInstanceId: p.instanceId, ProjectId: p.projectId, ...extra };
        return this.call(action, "mutation", p.regionId, query, { projectId: p.projectId, instanceId: p.instanceId }, (res, ctx) => parseControlResponse(res.body, ctx));
    }

    private regionFor(regionId: string | undefined, action: string): string {
        const region = regionId ?? this.settings.regionId;
        if (!region) {
            throw new EmrConfigError(
                "MissingRegion",
                `EMR ${action}: no region. Pass regionId, or set stack config alicloud:region or the environment variable ALIBABA_CLOUD_REGION.`,
                "regionId",
            );
        }
        return region;
    }

    private sdkClient(target: EndpointTarget): OpenApi {
        const key = `${target.protocol}://${target.host}`;
        let client = this.clients.get(key);
        if (!client) {
            const readTimeout = this.settings.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
            const connectTimeout = this.settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
            const config = new $OpenApi.Config({
                endpoint: target.host,
                protocol: target.protocol,
                readTimeout,
                // The SDK's transport uses its "connect" timeout as a socket idle timer that also
                // runs while waiting for the answer; a shorter value than the read timeout would
                // cut every slow answer short. So it gets the longer of the two, and the real
                // connect timeout is enforced on the socket (see wire.ts).
                connectTimeout: Math.max(connectTimeout, readTimeout),
                // Built per call from the settings' source, so that temporary credentials refresh.
                credential: openApiCredential(this.credentials, this.redactor) as unknown as $OpenApi.Config["credential"],
            });
            if (this.settings.signatureVersion === "v2") config.signatureAlgorithm = "v2";
            client = new OpenApi(config);
            this.clients.set(key, client);
        }
        return client;
    }

    private async call<T>(
        action: string,
        kind: CallKind,
        regionIdParam: string | undefined,
        business: Record<string, string>,
        about: { projectId?: string; flowId?: string; instanceId?: string },
        parse: (res: RawResponse, ctx: { action: string; fallbackRequestId?: string }) => T,
        options: CallOptions = {},
    ): Promise<T> {
        const regionId = this.regionFor(regionIdParam, action);
        const target = this.override ?? resolveEndpoint(regionId);
        const context: ErrorContext = {
            action,
            regionId,
            ...defined(about),
            endpoint: target.host,
            credentialSource: this.credentials.describe(),
            redactor: this.redactor,
        };
        const client = this.sdkClient(target);
        const params = new $OpenApi.Params({
            action,
            version: EMR_API_VERSION,
            protocol: "HTTPS",
            pathname: "/",
            method: "POST",
            authType: "AK",
            style: "RPC",
            reqBodyType: "formData",
            bodyType: "json",
        });
        return withRetry(
            async () => {
                let connectTimeoutMs = this.settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
                // Each attempt (retries included) waits its turn: a retry is as much load as a first call.
                const sentAt = (await this.limiter?.acquire()) ?? 0;
                // Under a deadline, the attempt gets only the time left (see CallOptions).
                let attemptTimeoutMs: number | undefined;
                if (options.deadline !== undefined) {
                    const readTimeout = this.settings.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
                    attemptTimeoutMs = Math.max(MIN_ATTEMPT_MS, Math.min(readTimeout, options.deadline - this.deps.now()));
                    connectTimeoutMs = Math.min(connectTimeoutMs, attemptTimeoutMs);
                }
                const wire: WireRecord = { requested: false, connected: false, connectTimeoutMs };
                let response: RawResponse;
                try {
                    // The nonce the SDK would draw, drawn here instead, so that the request it is
                    // sent with can be told from the others in flight (see wire.ts); a fresh one
                    // per attempt, as the service requires.
                    const nonce = newNonce();
                    const request = new $OpenApi.OpenApiRequest(
                        this.settings.signatureVersion === "v2"
                            ? { query: { RegionId: regionId, ...business, SignatureNonce: nonce } }
                            : { query: { RegionId: regionId, ...business }, headers: { "x-acs-signature-nonce": nonce } },
                    );
                    // The SDK must not retry by itself: retries are decided in retry.ts only.
                    // A plain object: the SDK only reads fields of it, and `@alicloud/tea-util` (its
                    // class) is not a dependency of this package.
                    const runtime = (attemptTimeoutMs === undefined
                        ? { autoretry: false }
                        : { autoretry: false, readTimeout: attemptTimeoutMs, connectTimeout: attemptTimeoutMs }) as unknown as Parameters<OpenApi["callApi"]>[2];
                    response = (await observeWire(nonce, () => client.callApi(params, request, runtime), wire)) as RawResponse;
                    this.limiter?.record?.({ sentAt, throttled: false });
                } catch (err) {
                    // Only answers teach the limiter: a throttling answer cuts the rate; other
                    // errors say nothing of it.
                    if (throttledAnswer(err, wire.requested ? wire.statusCode : undefined)) this.limiter?.record?.({ sentAt, throttled: true });
                    context.credentialSource = this.credentials.describe();
                    if (wire.requested) {
                        context.connected = wire.connected;
                        context.statusCode = wire.statusCode;
                        context.contentType = wire.contentType;
                    } else {
                        delete context.connected;
                        delete context.statusCode;
                        delete context.contentType;
                    }
                    throw err;
                }
                const headerId = response.headers?.["x-acs-request-id"];
                return parse(response, { action, fallbackRequestId: typeof headerId === "string" ? headerId : undefined });
            },
            { kind, policy: this.policy, deps: this.deps, context, deadline: options.deadline },
        );
    }
}

/**
 * Whether the SDK's error is a throttling answer, by the rule the retry follows
 * (`isThrottlingAnswer`: any throttling code, or HTTP 429): the API's Code in `data.Code` or in
 * `code`, the status in `data.statusCode`, `statusCode` or, for an answer that is not JSON, the
 * wire's.
 */
function throttledAnswer(err: unknown, wireStatus: number | undefined): boolean {
    const rec = (typeof err === "object" && err !== null ? err : {}) as { code?: unknown; statusCode?: unknown; data?: { Code?: unknown; statusCode?: unknown } };
    const code = typeof rec.data?.Code === "string" ? rec.data.Code : typeof rec.code === "string" ? rec.code : "";
    const dataStatus = Number(rec.data?.statusCode);
    const status = typeof rec.statusCode === "number" ? rec.statusCode : Number.isFinite(dataStatus) ? dataStatus : wireStatus;
    return isThrottlingAnswer(code, status);
}

function defined<T extends object>(value: T): Partial<T> {
    const out: Partial<T> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[key] = v;
    return out;
}
