/**
 * FlowSubmission's dynamic provider: what the Pulumi dynamic provider host runs for every
 * FlowSubmission resource. The SDK's serialized shim forwards each call here, so this code is
 * loaded by package name from the program's `node_modules` and never travels in state.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EmrFlowClient } from "./client";
import type { FlowInstance } from "./responses";
import { isFinalFlowStatus } from "./responses";
import { isNotFoundError } from "./errors";
import {
    DEFAULT_TIMEOUT_SECONDS,
    DEFAULT_WAIT_FOR,
    REPLACE_ON_CHANGE,
    UPDATE_IN_PLACE,
    flowSubmissionSchema,
    type CheckedFlowSubmissionInputs,
    type FlowSubmissionSchema,
    type WaitFor,
} from "./schema";
import { systemClock, waitForInstance, type WaitClock, type WaitResult } from "./waiter";
import { runFields, type NodeSummary } from "./instanceFields";

export type { NodeSummary } from "./instanceFields";

/** The value Pulumi sends for an input that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROVIDER_KEY = "__provider";

/** How long delete waits for a killed run to report KILLED, at most. */
export const KILL_WAIT_MS = 10 * 60_000;

/** Everything a FlowSubmission keeps in state. */
export interface FlowSubmissionState extends CheckedFlowSubmissionInputs {
    instanceId: string;
    requestId: string;
    submittedAt: string;
    status: string;
    startTime?: string;
    endTime?: string;
    durationMs?: number;
    nodes?: NodeSummary[];
}

export interface ProviderDeps {
    /** Builds the EMR client from the provider's configuration; tests inject their own. */
    createClient?(config: (key: string) => string | undefined): EmrFlowClient;
    clock?: WaitClock;
    /** Where user-facing lines go: the host passes console.log output to `pulumi up`. */
    print?(line: string): void;
    env?: NodeJS.ProcessEnv;
}

/** An error Pulumi turns into a partial failure: the resource stays in state with this id. */
export class ResourceInitError extends Error {
    constructor(
        message: string,
        public readonly id: string,
        public readonly properties: Record<string, unknown>,
        public readonly reasons: string[],
    ) {
        super(message);
        this.name = "ResourceInitError";
    }
}

export class FlowSubmissionProvider implements pulumi.dynamic.ResourceProvider {
    private configGet: (key: string) => string | undefined = () => undefined;
    private cachedClient?: EmrFlowClient;
    private cachedSchema?: FlowSubmissionSchema;
    private readonly deps: ProviderDeps;

    constructor(deps: ProviderDeps = {}) {
        this.deps = deps;
    }

    /**
     * Keeps a reader over the stack config. It never throws: the host caches the provider before
     * calling this, so a throw here would leave later calls on an unconfigured provider. Missing
     * settings are reported by the method that needs them.
     */
    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        this.configGet = (key) => {
            try {
                const value = req.config.get(key);
                return value === undefined || value === "" ? undefined : value;
            } catch {
                return undefined;
            }
        };
        this.cachedClient = undefined;
    }

    async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
        const candidate: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(news)) {
            if (key !== PROVIDER_KEY && value !== undefined) candidate[key] = value;
        }
        if (candidate.regionId === undefined) {
            const region = this.defaultRegion();
            if (region) candidate.regionId = region;
        }

        const failures: pulumi.dynamic.CheckFailure[] = [];
        if (candidate.regionId === undefined) {
            failures.push({
                property: "regionId",
                reason: "no region: set regionId on the resource, or stack config alicloud:region, or the environment variable ALIBABA_CLOUD_REGION (or ALICLOUD_REGION)",
            });
        }

        const parsed = this.schema().safeParse(candidate);
        if (parsed.success) {
            if (failures.length > 0) return { inputs: news, failures };
            return { inputs: { ...stripUndefined(parsed.data), [PROVIDER_KEY]: news[PROVIDER_KEY] }, failures };
        }
        for (const issue of parsed.error.issues) {
            // A value that is not known yet (preview) is checked again when it is.
            if (pathTouchesUnknown(candidate, issue.path)) continue;
            if (issue.code === "unrecognized_keys") {
                for (const key of issue.keys) {
                    failures.push({ property: key, reason: `"${key}" is not a FlowSubmission input (known: projectId, flowId, regionId, conf, triggers, waitFor, timeoutSeconds, killOnDelete)` });
                }
                continue;
            }
            const property = propertyPath(issue.path);
            // One reason per property: the first is the most basic ("must not be empty" before
            // "is not a project ID").
            if (!failures.some((f) => f.property === property)) failures.push({ property, reason: issue.message });
        }
        // Inputs that only failed on unknown values pass through untouched until they are known.
        return { inputs: { ...candidate, [PROVIDER_KEY]: news[PROVIDER_KEY] }, failures };
    }

    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
        const replaces: string[] = [];
        const changed: string[] = [];
        for (const key of REPLACE_ON_CHANGE) {
            if (!sameValue(olds[key], news[key])) replaces.push(key);
        }
        for (const key of UPDATE_IN_PLACE) {
            if (!sameValue(olds[key], news[key])) changed.push(key);
        }
        // A run that was killed before it did what the stack waits for cannot be continued:
        // the next deployment submits a new one, which is a replacement.
        if (replaces.length === 0 && olds.status === "KILLED" && !requirementMet(waitForOf(news), "KILLED")) {
            replaces.push("status");
        }
        return {
            changes: replaces.length + changed.length > 0,
            replaces,
            stables: replaces.length === 0 ? ["instanceId", "requestId", "submittedAt"] : [],
            deleteBeforeReplace: false,
        };
    }

    async create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
        const args = this.parseChecked(inputs);
        const client = this.client();
        const submittedAtMs = this.clock().now();
        const submitted = await client.submitFlow({
            regionId: args.regionId,
            projectId: args.projectId,
            flowId: args.flowId,
            conf: args.conf,
        });
        const state: FlowSubmissionState = {
            ...args,
            instanceId: submitted.instanceId,
            requestId: submitted.requestId,
            submittedAt: new Date(submittedAtMs).toISOString(),
            // Every new instance starts in PREP; `waitFor` or a refresh replaces it with what the service says.
            status: "PREP",
        };
        this.print(`emr-flow: submitted flow ${args.flowId} in project ${args.projectId} (${args.regionId}) as ${submitted.instanceId}`);
        const outs = await this.waitAndReport(state, submittedAtMs, "create", inputs[PROVIDER_KEY]);
        return { id: submitted.instanceId, outs };
    }

    async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
        const state = props as unknown as FlowSubmissionState;
        let instance: FlowInstance;
        try {
            instance = await this.client().describeFlowInstance({ regionId: state.regionId, projectId: state.projectId, instanceId: id });
        } catch (err) {
            if (isNotFoundError(err)) {
                this.print(`emr-flow: ${id} no longer exists in project ${state.projectId}; it is removed from the stack`);
                // An empty id tells the engine the resource is gone.
                return { id: "", props: {} };
            }
            throw err;
        }
        const outs = stripUndefined({ ...props, ...liveFields(instance) });
        delete outs[PROVIDER_KEY];
        return { id, props: outs, inputs: inputsOf(outs) };
    }

    async update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
        const args = this.parseChecked(news);
        const old = olds as unknown as FlowSubmissionState;
        const state: FlowSubmissionState = { ...(stripProvider(olds) as unknown as FlowSubmissionState), ...args };
        for (const key of ["waitFor", "timeoutSeconds", "killOnDelete"] as const) {
            if (args[key] === undefined) delete state[key];
        }
        const waitFor = waitForOf(args);
        if (requirementMet(waitFor, old.status)) {
            return { outs: stripUndefined(state) };
        }
        const client = this.client();
        const startedAtMs = this.clock().now();
        if (old.status === "FAILED") {
            this.print(`emr-flow: ${id} failed in an earlier deployment; rerunning its failed nodes (RerunFlow) and waiting again`);
            await client.rerunFlow({ regionId: args.regionId, projectId: args.projectId, instanceId: id, failedOnly: true });
            state.status = "RUNNING";
        } else if (old.status === "KILLED") {
            throw new Error(`emr-flow: ${id} was killed and cannot be continued; the next deployment replaces it with a new submission`);
        } else {
            this.print(`emr-flow: ${id} had not reached "${waitFor}" when the last deployment stopped waiting (status ${old.status}); waiting for the same instance again`);
        }
        return { outs: await this.waitAndReport(state, startedAtMs, "update", news[PROVIDER_KEY]) };
    }

    async delete(id: string, props: Record<string, unknown>): Promise<void> {
        const state = props as unknown as FlowSubmissionState;
        if (!state.killOnDelete) {
            this.print(`emr-flow: ${id} removed from the stack; the run itself is left as it is (last seen ${state.status ?? "unknown"}). Set killOnDelete: true to stop unfinished runs on delete.`);
            return;
        }
        const client = this.client();
        const where = { regionId: state.regionId, projectId: state.projectId, instanceId: id };
        let live: FlowInstance;
        try {
            live = await client.describeFlowInstance(where);
        } catch (err) {
            if (isNotFoundError(err)) {
                this.print(`emr-flow: ${id} no longer exists; nothing to kill`);
                return;
            }
            throw err;
        }
        if (isFinalFlowStatus(live.status)) {
            this.print(`emr-flow: ${id} already ended (${live.status}); nothing to kill`);
            return;
        }
        this.print(`emr-flow: killing ${id} (${live.status}) because killOnDelete is set`);
        try {
            await client.killFlow(where);
        } catch (err) {
            if (isNotFoundError(err)) return;
            // It may have ended between our look and the kill: only a run still going is an error.
            const now = await client.describeFlowInstance(where).catch(() => undefined);
            if (now && isFinalFlowStatus(now.status)) return;
            throw err;
        }
        const clock = this.clock();
        const start = clock.now();
        const result = await waitForInstance({
            instanceId: id,
            until: "completion",
            startedAt: start,
            deadline: start + KILL_WAIT_MS,
            describe: () => client.describeFlowInstance(where),
            clock,
        });
        if (result.outcome === "timeout") {
            throw new Error(`emr-flow: asked EMR to kill ${id} but it was still ${result.instance?.status ?? "unknown"} after ${KILL_WAIT_MS / 60_000} minutes; check it in the EMR console`);
        }
        this.print(`emr-flow: ${id} is ${result.instance?.status}`);
    }

    // ----- internals -----

    /**
     * Waits as `waitFor` asks, then returns the outputs or throws a partial failure that keeps the
     * instance. The partial failure's properties become the state as they are (the host adds
     * `__provider` only to successful results), and refresh and destroy load the provider from
     * the state: so they carry `__provider` themselves.
     */
    private async waitAndReport(state: FlowSubmissionState, startedAtMs: number, phase: "create" | "update", providerCode: unknown): Promise<Record<string, unknown>> {
        const keep = (outs: Record<string, unknown>) => (typeof providerCode === "string" ? { ...outs, [PROVIDER_KEY]: providerCode } : outs);
        const waitFor = waitForOf(state);
        if (waitFor === "submission") return stripUndefined(state);
        const timeoutSeconds = state.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
        const client = this.client();
        let result: WaitResult;
        try {
            result = await waitForInstance({
                instanceId: state.instanceId,
                until: waitFor,
                startedAt: startedAtMs,
                deadline: startedAtMs + timeoutSeconds * 1000,
                describe: () => client.describeFlowInstance({ regionId: state.regionId, projectId: state.projectId, instanceId: state.instanceId }),
                clock: this.clock(),
                progress: (line) => this.print(line),
            });
        } catch (err) {
            // Whatever went wrong while waiting, the instance exists: keep it in state.
            const reason = err instanceof Error ? err.message : String(err);
            throw new ResourceInitError(
                `emr-flow: ${state.instanceId} was submitted but waiting for it failed: ${reason}. It is kept in the stack; the next \`pulumi up\` waits for it again.`,
                state.instanceId,
                keep(stripUndefined(state)),
                [reason],
            );
        }
        if (result.instance) Object.assign(state, liveFields(result.instance));
        const outs = stripUndefined(state);
        if (result.outcome === "timeout") {
            const message =
                `emr-flow: ${state.instanceId} did not reach "${waitFor}" within timeoutSeconds=${timeoutSeconds} (last status ${state.status}` +
                `${result.lastError ? `; last error: ${result.lastError.message}` : ""}). ` +
                `It is kept in the stack and still running; the next \`pulumi up\` waits for the same instance again. Raise timeoutSeconds to wait longer.`;
            throw new ResourceInitError(message, state.instanceId, keep(outs), [message]);
        }
        if (state.status === "FAILED" || state.status === "KILLED") {
            const failedNodes = (state.nodes ?? []).filter((n) => n.status === "FAILED" || n.status === "KILL_FAILED");
            const nodes = failedNodes.length
                ? ` Failed nodes: ${failedNodes.map((n) => `${n.name} (${n.jobType ?? "job"} ${n.jobId ?? ""}${n.externalId ? `, ${n.externalId}` : ""}${n.externalStatus ? ` ${n.externalStatus}` : ""})`.replace(/ \)/g, ")").replace(/ ,/g, ",")).join("; ")}.`
                : "";
            const next =
                state.status === "FAILED"
                    ? "The next `pulumi up` reruns its failed nodes (RerunFlow) on the same instance."
                    : "The next `pulumi up` submits a new run.";
            const message = `emr-flow: ${state.instanceId} ended ${state.status} during ${phase}.${nodes} It is kept in the stack. ${next}`;
            throw new ResourceInitError(message, state.instanceId, keep(outs), [message]);
        }
        return outs;
    }

    private parseChecked(inputs: Record<string, unknown>): CheckedFlowSubmissionInputs {
        const parsed = this.schema().safeParse(stripProviderAndOutputs(inputs));
        if (!parsed.success) {
            const detail = parsed.error.issues.map((i) => `${propertyPath(i.path)}: ${i.message}`).join("; ");
            throw new Error(`emr-flow: invalid FlowSubmission inputs: ${detail}`);
        }
        if (!parsed.data.regionId) throw new Error("emr-flow: no region: set regionId, stack config alicloud:region, or ALIBABA_CLOUD_REGION");
        return parsed.data;
    }

    private schema(): FlowSubmissionSchema {
        if (!this.cachedSchema) {
            // Required here, not at the top: keeps the endpoint table out of the module's start-up path.
            const { KNOWN_REGIONS } = require("./endpoint") as typeof import("./endpoint");
            this.cachedSchema = flowSubmissionSchema(new Set(KNOWN_REGIONS));
        }
        return this.cachedSchema;
    }

    private client(): EmrFlowClient {
        if (!this.cachedClient) {
            if (this.deps.createClient) {
                this.cachedClient = this.deps.createClient(this.configGet);
            } else {
                const { EmrFlowClient: Client } = require("./client") as typeof import("./client");
                const { resolveSettings } = require("./settings") as typeof import("./settings");
                this.cachedClient = new Client(resolveSettings({ config: this.configGet, env: this.deps.env ?? process.env }));
            }
        }
        return this.cachedClient;
    }

    private defaultRegion(): string | undefined {
        const env = this.deps.env ?? process.env;
        return this.configGet("alicloud:region") ?? (env.ALIBABA_CLOUD_REGION || undefined) ?? (env.ALICLOUD_REGION || undefined);
    }

    private clock(): WaitClock {
        return this.deps.clock ?? systemClock;
    }

    private print(line: string): void {
        (this.deps.print ?? console.log)(line);
    }
}

function waitForOf(inputs: { waitFor?: unknown }): WaitFor {
    const value = inputs.waitFor;
    return value === "submission" || value === "start" || value === "completion" ? value : (DEFAULT_WAIT_FOR as WaitFor);
}

/** Whether a run in `status` has done what `waitFor` asks of it. */
export function requirementMet(waitFor: WaitFor, status: string | undefined): boolean {
    if (waitFor === "submission") return true;
    if (status === undefined) return false;
    // A run that failed or was killed did not do what the stack waits for, whatever it waits for.
    if (waitFor === "start") return status === "RUNNING" || status === "SUSPENDED" || status === "SUCCEEDED";
    return status === "SUCCEEDED";
}

/** The run's live fields, clearing times an earlier attempt left (a rerun has not ended yet). */
function liveFields(instance: FlowInstance): Partial<FlowSubmissionState> {
    return { startTime: undefined, endTime: undefined, durationMs: undefined, ...runFields(instance) };
}

const INPUT_KEYS = ["projectId", "flowId", "regionId", "conf", "triggers", "waitFor", "timeoutSeconds", "killOnDelete"];

function inputsOf(props: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of INPUT_KEYS) if (props[key] !== undefined) out[key] = props[key];
    return out;
}

function stripProvider(props: Record<string, unknown>): Record<string, unknown> {
    const { [PROVIDER_KEY]: _ignored, ...rest } = props;
    return rest;
}

function stripProviderAndOutputs(props: Record<string, unknown>): Record<string, unknown> {
    return inputsOf(props);
}

/** Pulumi's Struct encoding fails on `undefined` anywhere: drop such keys, deeply. */
export function stripUndefined<T>(value: T): Record<string, unknown> {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function sameValue(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
    if (value === undefined) return "undefined";
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v,
    );
}

function propertyPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out ? `.${String(part)}` : String(part);
    }
    return out || "inputs";
}

function pathTouchesUnknown(root: unknown, path: readonly PropertyKey[]): boolean {
    let cursor: unknown = root;
    if (cursor === UNKNOWN) return true;
    for (const part of path) {
        if (cursor === null || typeof cursor !== "object") return false;
        cursor = (cursor as Record<PropertyKey, unknown>)[part as string];
        if (cursor === UNKNOWN) return true;
    }
    return containsUnknown(cursor);
}

function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}
