/**
 * FlowSubmission's dynamic provider: what the Pulumi dynamic provider host runs for every
 * FlowSubmission resource. The SDK's serialized shim forwards each call here, so this code is
 * loaded by package name from the program's `node_modules` and never travels in state.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EmrFlowClient } from "./client";
import type { FlowInstance } from "./responses";
import { isFinalFlowStatus } from "./responses";
import { isNotFoundError, type SubmissionOutcomeUnknownError } from "./errors";
import { SETTLE_DELAYS_MS, type FindResult, type SubmissionLedger } from "./adopt";
import type { JournalEntry, SubmissionJournal } from "./journal";
import {
    DEFAULT_TIMEOUT_SECONDS,
    DEFAULT_WAIT_FOR,
    REPLACE_ON_CHANGE,
    UPDATE_IN_PLACE,
    flowSubmissionSchema,
    type FlowSubmissionSchema,
} from "./schema";
// The plain forms of the schema's types, so this module's declarations do not reach zod's.
import type { CheckedFlowSubmissionInputs, WaitFor } from "../sdk/types";
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
    /** Where submissions are recorded (see `journal.ts`); `null`: memory only. Default: the user's home, or memory only with an injected client. */
    journalDir?: string | null;
    /** What this process knows of its own submissions; default the process-wide one. */
    ledger?: SubmissionLedger;
    /** Pauses before each listing when looking for an ambiguous submission's run (see `adopt.ts`). */
    settleDelaysMs?: readonly number[];
}

/** A run this create holds: submitted now, adopted, or continued from an interrupted create. */
interface StartedRun {
    instanceId: string;
    requestId: string;
    submittedAtMs: number;
    entry: JournalEntry;
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
    private cachedJournal?: SubmissionJournal;
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
        const journal = this.journal();
        // The stack is part of the key: two stacks on one machine with the same inputs are two runs.
        const env = this.deps.env ?? process.env;
        const key = journal.keyFor({
            organization: env.PULUMI_NODEJS_ORGANIZATION ?? "",
            project: env.PULUMI_NODEJS_PROJECT ?? "",
            stack: env.PULUMI_NODEJS_STACK ?? "",
            ...Object.fromEntries(REPLACE_ON_CHANGE.map((k) => [k, args[k] ?? null])),
        });
        // With nothing to wait for, the entry is finished right after SubmitFlow answers: recording
        // the instance ID in between would be a second disk write (a write and a rename, about a
        // third of a create's own cost) whose content the finishing write repeats a moment later.
        const recordId = waitForOf(args) !== "submission";
        const run = (await this.resumeInterrupted(key, args)) ?? (await this.submit(key, args, recordId));
        const state: FlowSubmissionState = {
            ...args,
            instanceId: run.instanceId,
            requestId: run.requestId,
            submittedAt: new Date(run.submittedAtMs).toISOString(),
            // Every new instance starts in PREP; `waitFor` or a refresh replaces it with what the service says.
            status: "PREP",
        };
        try {
            const outs = await this.waitAndReport(state, run.submittedAtMs, "create", inputs[PROVIDER_KEY]);
            return { id: run.instanceId, outs };
        } finally {
            // Success or a partial failure: either way the engine gets the ID with this answer.
            journal.finish(run.entry, { instanceId: run.instanceId });
        }
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
            throw new Error(`emr-flow: ${id} (flow ${args.flowId}, project ${args.projectId}) was killed and cannot be continued; run \`pulumi up\` again and it is replaced by a new submission`);
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
            throw new Error(
                `emr-flow: asked EMR to kill ${id} (project ${state.projectId}) but it was still ${result.instance?.status ?? "unknown"} after ${KILL_WAIT_MS / 60_000} minutes. ` +
                    `It stays in the stack: check it in the EMR console (or \`emr-flow status ${id} --project ${state.projectId}\`) and run the delete again.`,
            );
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

    /**
     * Submits the flow once. When the outcome is unknown (a timeout, a dropped connection), looks
     * for the run it may have started before anything is submitted again (see `adopt.ts`).
     */
    private async submit(key: string, args: CheckedFlowSubmissionInputs, recordId = true): Promise<StartedRun> {
        const journal = this.journal();
        const entry = journal.begin({ key, projectId: args.projectId, flowId: args.flowId, regionId: args.regionId!, startedAt: this.clock().now() });
        const first = await this.submitAttempt(args, entry, recordId);
        if ("instanceId" in first) return first;
        return this.resolveAmbiguous(args, first.entry, first.cause, true);
    }

    /** One SubmitFlow call; an unknown outcome is returned, not thrown. */
    private async submitAttempt(
        args: CheckedFlowSubmissionInputs,
        entry: JournalEntry,
        recordId = true,
    ): Promise<StartedRun | { entry: JournalEntry; cause: { windowStart: number; windowEnd: number; reason: string } }> {
        const { SubmissionOutcomeUnknownError: Unknown, EmrFlowError } = require("./errors") as typeof import("./errors");
        const client = this.client();
        const ledger = this.ledger();
        const ticket = ledger.begin(flowKeyOf(args));
        const startedAtMs = this.clock().now();
        let submitted: { requestId: string; instanceId: string };
        try {
            submitted = await client.submitFlow({ regionId: args.regionId, projectId: args.projectId, flowId: args.flowId, conf: args.conf });
        } catch (err) {
            ticket.settle();
            if (Unknown.isInstance(err)) {
                const known = this.journal().update(entry, { windowEnd: err.windowEnd });
                return { entry: known, cause: { windowStart: err.windowStart, windowEnd: err.windowEnd, reason: unknownReason(err) } };
            }
            // Provably not accepted (an error answer, no connection, bad settings): no run exists.
            this.journal().finish(entry);
            const detail = err instanceof Error ? err.message : String(err);
            const retried = EmrFlowError.isInstance(err) && err.attempts ? ` after ${err.attempts} attempts` : "";
            throw new Error(
                `emr-flow: could not submit flow ${args.flowId} in project ${args.projectId} (${args.regionId})${retried}: ${detail} ` +
                    `No run was started. Fix the cause above and run \`pulumi up\` again.`,
            );
        }
        // The ledger holds the ID for this process from here on; without `recordId` the disk gets it
        // with the finishing write (a crash in between leaves an entry without an ID, which the next
        // deployment resolves by looking for the run, as after a crash during SubmitFlow).
        ticket.settle(submitted.instanceId);
        const ids = { instanceId: submitted.instanceId, requestId: submitted.requestId };
        const recorded = recordId ? this.journal().update(entry, ids) : { ...entry, ...ids };
        this.print(`emr-flow: submitted flow ${args.flowId} in project ${args.projectId} (${args.regionId}) as ${submitted.instanceId}`);
        return { instanceId: submitted.instanceId, requestId: submitted.requestId, submittedAtMs: startedAtMs, entry: recorded };
    }

    /**
     * After a SubmitFlow whose outcome is unknown: adopt the one run it can have started; with none,
     * submit once more (saying so) if `mayResubmit`; with several, fail naming them.
     */
    private async resolveAmbiguous(
        args: CheckedFlowSubmissionInputs,
        entry: JournalEntry,
        cause: { windowStart: number; windowEnd: number; reason: string } | undefined,
        mayResubmit: boolean,
    ): Promise<StartedRun> {
        const { findSubmittedInstance } = require("./adopt") as typeof import("./adopt");
        const ledger = this.ledger();
        const journal = this.journal();
        const flowKey = flowKeyOf(args);
        const windowStart = cause?.windowStart ?? entry.startedAt;
        const windowEnd = cause?.windowEnd ?? entry.windowEnd ?? entry.startedAt + this.submitSpanMs();
        const where = `flow ${args.flowId} in project ${args.projectId} (${args.regionId})`;
        const span = `between ${new Date(windowStart).toISOString()} and ${new Date(windowEnd).toISOString()}`;
        if (cause) {
            this.print(`emr-flow: SubmitFlow of ${where} may or may not have started a run (${cause.reason}); looking for it before anything is submitted again`);
        }
        // The first pause (an accepted run may take a moment to be listed) is taken before the
        // lock, so that several ambiguous submissions of one flow wait it out together.
        const [firstDelay = 0, ...laterDelays] = this.deps.settleDelaysMs ?? SETTLE_DELAYS_MS;
        await this.clock().sleep(firstDelay);
        // Submissions of the same flow still waiting for their answer would show up as candidates:
        // wait for them, then decide one ambiguous submission at a time.
        await ledger.othersSettled(flowKey);
        let found: FindResult;
        try {
            found = await ledger.exclusive(flowKey, () =>
            findSubmittedInstance(
                this.client(),
                { regionId: args.regionId!, projectId: args.projectId, flowId: args.flowId, windowStart, windowEnd, conf: args.conf },
                {
                    exclude: () => new Set([...ledger.heldIds(), ...journal.heldInstanceIds(args.projectId, args.flowId, entry.entryId)]),
                    beforeCount: () => ledger.othersSettled(flowKey),
                    sleep: (ms) => this.clock().sleep(ms),
                    settleDelaysMs: [0, ...laterDelays],
                },
            ).then((result) => {
                // Held before the lock is released, so the next decision excludes it.
                if (result.outcome === "one") ledger.hold(result.instance.id);
                return result;
            }),
            );
        } catch (err) {
            // The entry stays for the next deployment, which looks again before submitting.
            journal.release(entry);
            const detail = err instanceof Error ? err.message : String(err);
            throw new Error(
                `emr-flow: SubmitFlow of ${where} may have started a run ${span}, and looking for it failed: ${detail} ` +
                    `Nothing was submitted again. Run \`pulumi up\` again: it looks for that run before submitting.`,
            );
        }
        if (found.outcome === "one") {
            const id = found.instance.id;
            const recorded = journal.update(entry, { instanceId: id });
            this.print(`emr-flow: adopted ${id} as the run of ${where}: it is ${found.reason}. Nothing was submitted again.`);
            return { instanceId: id, requestId: entry.requestId ?? "", submittedAtMs: found.instance.gmtCreate ?? windowStart, entry: recorded };
        }
        if (found.outcome === "several") {
            journal.release(entry);
            const list = found.candidates
                .map((c) => `${c.id} (${c.status}${c.gmtCreate !== undefined ? `, created ${new Date(c.gmtCreate).toISOString()}` : ""})`)
                .join(", ");
            throw new Error(
                `emr-flow: SubmitFlow of ${where} may have started a run, and ${found.candidates.length} runs of that flow created ${span} could be it: ${list}. ` +
                    `Which one is this resource's cannot be told (ListFlowInstance does not show conf), so none was adopted and nothing was submitted again. ` +
                    `To proceed: look at them in the EMR console (Operation Center of project ${args.projectId}) or with \`emr-flow status <id> --project ${args.projectId}\`, ` +
                    `kill every one that is not this resource's run (\`emr-flow kill <id> --project ${args.projectId}\`; killed runs are never adopted), ` +
                    `then run \`pulumi up\` again: it adopts the one left, or submits a new run if none is left.`,
            );
        }
        if (!mayResubmit) {
            journal.finish(entry);
            throw new Error(
                `emr-flow: SubmitFlow of ${where} was tried twice with unknown outcomes, and no run of that flow appeared ${span} after ${found.listings} listings. ` +
                    `Nothing was started as far as the service shows, and it is not submitted a third time. Check the network to the endpoint and run \`pulumi up\` again.`,
            );
        }
        this.print(
            `emr-flow: no run of ${where} was created ${span} (listed ${found.listings} times over ${Math.round(found.waitedMs / 1000)}s), ` +
                `so the earlier SubmitFlow did not take effect; submitting it once more`,
        );
        const again = await this.submitAttempt(args, journal.update(entry, { startedAt: this.clock().now(), windowEnd: undefined }));
        if ("instanceId" in again) return again;
        return this.resolveAmbiguous(args, again.entry, again.cause, false);
    }

    /**
     * A create of these inputs that an earlier process began and never finished (it was killed, or
     * its deployment stopped at an ambiguity): continue with its run instead of starting another.
     */
    private async resumeInterrupted(key: string, args: CheckedFlowSubmissionInputs): Promise<StartedRun | undefined> {
        const journal = this.journal();
        const [earlier] = journal.interrupted(key);
        if (!earlier) return undefined;
        const entry = journal.adoptEntry(earlier);
        const where = `flow ${args.flowId} in project ${args.projectId} (${args.regionId})`;
        const when = new Date(entry.startedAt).toISOString();
        if (entry.instanceId) {
            const id = entry.instanceId;
            try {
                await this.client().describeFlowInstance({ regionId: args.regionId, projectId: args.projectId, instanceId: id });
            } catch (err) {
                if (!isNotFoundError(err)) {
                    journal.release(entry);
                    const detail = err instanceof Error ? err.message : String(err);
                    throw new Error(
                        `emr-flow: an earlier deployment submitted ${where} as ${id} and stopped before recording it; checking ${id} failed: ${detail} ` +
                            `Nothing was submitted. Run \`pulumi up\` again: it continues with ${id}.`,
                    );
                }
                this.print(`emr-flow: an earlier deployment submitted ${where} as ${id}, which no longer exists; submitting a new run`);
                journal.finish(entry);
                return undefined;
            }
            this.ledger().hold(id);
            this.print(`emr-flow: an earlier deployment submitted ${where} as ${id} at ${when} and stopped before recording it; continuing with ${id} instead of submitting again`);
            return { instanceId: id, requestId: entry.requestId ?? "", submittedAtMs: entry.startedAt, entry };
        }
        this.print(`emr-flow: an earlier deployment stopped while its SubmitFlow of ${where} (begun ${when}) had no answer; looking for the run it may have started before submitting`);
        return this.resolveAmbiguous(args, entry, undefined, true);
    }

    /** How long after its start a SubmitFlow (all its attempts) can still have taken effect. */
    private submitSpanMs(): number {
        const { DEFAULT_MAX_TOTAL_MS } = require("./retry") as typeof import("./retry");
        const { DEFAULT_READ_TIMEOUT_MS } = require("./settings") as typeof import("./settings");
        const read = Number(this.configGet("emr-flow:readTimeoutMs") ?? (this.deps.env ?? process.env).EMR_FLOW_READ_TIMEOUT_MS);
        return DEFAULT_MAX_TOTAL_MS + (Number.isFinite(read) && read > 0 ? read : DEFAULT_READ_TIMEOUT_MS);
    }

    private journal(): SubmissionJournal {
        if (!this.cachedJournal) {
            const { SubmissionJournal: Journal, defaultJournalDir } = require("./journal") as typeof import("./journal");
            // An injected client is a test double or an embedding with its own bookkeeping: no disk.
            const dir = this.deps.journalDir !== undefined ? this.deps.journalDir : this.deps.createClient ? null : defaultJournalDir(this.deps.env ?? process.env);
            this.cachedJournal = new Journal(dir ?? undefined, (line) => this.print(line));
        }
        return this.cachedJournal;
    }

    private ledger(): SubmissionLedger {
        if (!this.deps.ledger) {
            const { processLedger } = require("./adopt") as typeof import("./adopt");
            return processLedger;
        }
        return this.deps.ledger;
    }

    private parseChecked(inputs: Record<string, unknown>): CheckedFlowSubmissionInputs {
        const parsed = this.schema().safeParse(stripProviderAndOutputs(inputs));
        if (!parsed.success) {
            const detail = parsed.error.issues.map((i) => `${propertyPath(i.path)}: ${i.message}`).join("; ");
            throw new Error(`emr-flow: invalid FlowSubmission inputs: ${detail}. Nothing was submitted; fix them in the program (\`pulumi preview\` lists every problem) and run \`pulumi up\` again.`);
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

/** One lock and one set of in-flight submissions per flow. */
function flowKeyOf(args: { regionId?: string; projectId: string; flowId: string }): string {
    return `${args.regionId ?? ""}/${args.projectId}/${args.flowId}`;
}

/** Why a submission's outcome is unknown, in a few words: the network error's code. */
function unknownReason(err: SubmissionOutcomeUnknownError): string {
    const code = (err.cause as { code?: unknown } | undefined)?.code;
    const what =
        code === "ReadTimeout" || code === "ConnectTimeout"
            ? "no answer within the read timeout"
            : code === "NonJsonResponse" || code === "UnexpectedResponse"
              ? "the answer could not be read"
              : "the connection closed before an answer";
    return typeof code === "string" ? `${what}, ${code}` : what;
}
