/**
 * FlowSubmission's dynamic provider: what the Pulumi dynamic provider host runs for every
 * FlowSubmission resource. The SDK's serialized shim forwards each call here, so this code is
 * loaded by package name from the program's `node_modules` and never travels in state.
 *
 * Each method translates between Pulumi's call and state and the operations on runs
 * (`../runs`). Modules the first call does not need are required where they are used: `check`
 * at preview needs none of the HTTP stack or the submission record.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EmrFlowClient } from "../client/emrFlowClient";
import { isInstanceNotFoundError } from "../client/errors";
import type { SubmissionLedger } from "../runs/adopt";
import type { Submissions } from "../runs/submit";
import { systemClock, type WaitClock } from "../runs/waiter";
import { engineAddressOf, engineReachable, exitWhenEngineGone, type EngineAddress } from "./engineWatch";
import { checkInputs, diffInputs, parseChecked } from "./inputs";
import { waitAndReport } from "./report";
import { REPLACE_ON_CHANGE, flowSubmissionSchema, type FlowSubmissionSchema } from "./schema";
import { PROVIDER_KEY, STACK_KEY, inputsOf, liveFields, requirementMet, stripProvider, stripUndefined, waitForOf, type FlowSubmissionState } from "./state";

export type { FlowSubmissionState, NodeSummary } from "./state";
export { ResourceInitError } from "./report";
export { UNKNOWN, requirementMet, stripUndefined } from "./state";

/** How long delete waits for a killed run to report KILLED, at most. */
export const KILL_WAIT_MS = 10 * 60_000;

export interface ProviderDeps {
    /** Builds the EMR client from the provider's configuration; tests inject their own. */
    createClient?(config: (key: string) => string | undefined): EmrFlowClient;
    clock?: WaitClock;
    /** Where user-facing lines go; default standard output, which the host passes to `pulumi up`. */
    print?(line: string): void;
    env?: NodeJS.ProcessEnv;
    /** Where submissions are recorded (see `runs/journal.ts`); `null`: memory only. Default: the user's home, or memory only with an injected client. */
    journalDir?: string | null;
    /** What this process knows of its own submissions; default the process-wide one. */
    ledger?: SubmissionLedger;
    /** Pauses before each listing when looking for an ambiguous submission's run (see `runs/adopt.ts`). */
    settleDelaysMs?: readonly number[];
    /** The engine this process serves (see `engineWatch.ts`); default: from the host's arguments; `null`: none. */
    engineAddress?: EngineAddress | null;
}

export class FlowSubmissionProvider implements pulumi.dynamic.ResourceProvider {
    private configGet: (key: string) => string | undefined = () => undefined;
    private cachedClient?: EmrFlowClient;
    private cachedSchema?: FlowSubmissionSchema;
    private cachedSubmissions?: Submissions;
    private checkedSettings?: { problem?: pulumi.dynamic.CheckFailure };
    private readonly listedRegions = new Set<string>();

    constructor(private readonly deps: ProviderDeps = {}) {}

    /**
     * Keeps a reader over the stack config. It never throws: the host caches the provider before
     * calling this, so a throw here would leave later calls on an unconfigured provider. Missing
     * settings are reported by the method that needs them.
     */
    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        this.watchEngine();
        this.configGet = (key) => {
            try {
                const value = req.config.get(key);
                return value === undefined || value === "" ? undefined : value;
            } catch {
                return undefined;
            }
        };
        this.cachedClient = undefined;
        this.checkedSettings = undefined;
    }

    async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
        const result = checkInputs(this.schema(), news, () => this.defaultRegion());
        const setting = this.settingsProblem();
        return setting ? { ...result, failures: [...(result.failures ?? []), setting] } : result;
    }

    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
        return diffInputs(olds, news);
    }

    async create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
        const args = parseChecked(this.schema(), inputs);
        this.noteUnlistedRegion(args.regionId);
        const runs = this.submissions();
        // The stack is part of the key: two stacks on one machine with the same inputs are two runs.
        const key = runs.keyFor({ ...this.stackOf(inputs), ...Object.fromEntries(REPLACE_ON_CHANGE.map((k) => [k, args[k] ?? null])) });
        // With nothing to wait for, the record is finished right after SubmitFlow answers: recording
        // the instance ID in between would be a second disk write (a write and a rename, about a
        // third of a create's own cost) whose content the finishing write repeats a moment later.
        const run = await runs.start(key, args, waitForOf(args) !== "submission");
        const state: FlowSubmissionState = {
            ...args,
            instanceId: run.instanceId,
            requestId: run.requestId,
            submittedAt: new Date(run.submittedAtMs).toISOString(),
            // Every new instance starts in PREP; `waitFor` or a refresh replaces it with what the service says.
            status: "PREP",
        };
        try {
            return { id: run.instanceId, outs: await waitAndReport(this, state, run.submittedAtMs, "create", inputs[PROVIDER_KEY]) };
        } finally {
            // Success or a partial failure: either way the engine gets the ID with this answer,
            // unless the engine is gone (the CLI was killed and this host lives on as an orphan):
            // then the record stays for the next deployment, which continues with this run.
            if (await this.engineGone()) {
                this.print(`emr-flow: the Pulumi engine is gone; ${run.instanceId} stays recorded, and the next \`pulumi up\` of this stack continues with it`);
            } else {
                runs.finish(run);
            }
        }
    }

    async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
        const state = props as unknown as FlowSubmissionState;
        try {
            const instance = await this.client().describeFlowInstance({ regionId: state.regionId, projectId: state.projectId, instanceId: id });
            const outs = stripProvider(stripUndefined({ ...props, ...liveFields(instance) }));
            return { id, props: outs, inputs: inputsOf(outs) };
        } catch (err) {
            if (!isInstanceNotFoundError(err)) throw this.keptInStack("refresh", id, state, err);
            this.print(`emr-flow: ${id} no longer exists in project ${state.projectId}; refreshing drops it from the stack (a preview only reports this)`);
            // An empty id tells the engine the resource is gone.
            return { id: "", props: {} };
        }
    }

    async update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
        const args = parseChecked(this.schema(), news);
        const old = olds as unknown as FlowSubmissionState;
        const state: FlowSubmissionState = { ...(stripProvider(olds) as unknown as FlowSubmissionState), ...args };
        for (const key of ["waitFor", "timeoutSeconds", "killOnDelete"] as const) {
            if (args[key] === undefined) delete state[key];
        }
        const waitFor = waitForOf(args);
        if (requirementMet(waitFor, old.status)) return { outs: stripUndefined(state) };
        const startedAtMs = this.clock.now();
        if (old.status === "FAILED") {
            this.print(`emr-flow: ${id} failed in an earlier deployment; rerunning its failed nodes (RerunFlow) and waiting again`);
            const { rerunRun } = require("../runs/rerun") as typeof import("../runs/rerun");
            await rerunRun(this.client(), { regionId: args.regionId, projectId: args.projectId, instanceId: id }, { failedOnly: true });
            state.status = "RUNNING";
        } else if (old.status === "KILLED") {
            throw new Error(`emr-flow: ${id} (flow ${args.flowId}, project ${args.projectId}) was killed and cannot be continued; run \`pulumi up\` again and it is replaced by a new submission`);
        } else {
            this.print(`emr-flow: ${id} had not reached "${waitFor}" when the last deployment stopped waiting (status ${old.status}); waiting for the same instance again`);
        }
        return { outs: await waitAndReport(this, state, startedAtMs, "update", news[PROVIDER_KEY]) };
    }

    async delete(id: string, props: Record<string, unknown>): Promise<void> {
        const state = props as unknown as FlowSubmissionState;
        if (!state.killOnDelete) {
            this.print(`emr-flow: ${id} removed from the stack; the run itself is left as it is (last seen ${state.status ?? "unknown"}). Set killOnDelete: true to stop unfinished runs on delete.`);
            return;
        }
        const { stopRun, haltReport } = require("../runs/stop") as typeof import("../runs/stop");
        let stopped: Awaited<ReturnType<typeof stopRun>>;
        try {
            stopped = await stopRun(this.client(), { regionId: state.regionId, projectId: state.projectId, instanceId: id }, {
                onKill: (before) => this.print(`emr-flow: killing ${id} (${before.status}) because killOnDelete is set`),
                waitMs: KILL_WAIT_MS,
                clock: this.clock,
            });
        } catch (err) {
            throw this.keptInStack("delete", id, state, err);
        }
        // "Gone" only on an answer that this instance does not exist in a project the caller sees.
        if (stopped.outcome === "gone" && !isInstanceNotFoundError(stopped.error)) throw this.keptInStack("delete", id, state, stopped.error);
        // A run that ended or vanished between the look and the kill needs no word.
        if (stopped.outcome === "gone") {
            if (!stopped.afterKill) this.print(`emr-flow: ${id} no longer exists; nothing to kill`);
        } else if (stopped.outcome === "ended") {
            if (!stopped.afterKill) this.print(`emr-flow: ${id} already ended (${stopped.instance.status}); nothing to kill`);
        } else if (stopped.outcome === "halted") {
            // No KillFlow at the service: say exactly what was stopped; never call it KILLED.
            const report = `emr-flow: ${haltReport(stopped, id)}`;
            if (!stopped.stopped) throw new Error(`${report} It stays in the stack: run the delete again once it has stopped.`);
            this.print(report);
        } else if (stopped.outcome === "timeout") {
            throw new Error(
                `emr-flow: asked EMR to kill ${id} (project ${state.projectId}) but it was still ${stopped.instance?.status ?? "unknown"} after ${KILL_WAIT_MS / 60_000} minutes. ` +
                    `It stays in the stack: check it in the EMR console (or \`emr-flow status ${id} --project ${state.projectId}\`) and run the delete again.`,
            );
        } else {
            this.print(`emr-flow: ${id} is ${stopped.instance?.status}`);
        }
    }

    /**
     * The error of a refresh or delete that could not tell what became of a run: it stays in the
     * stack. Only an answer that this instance does not exist in a project the caller can see may
     * drop it; any other failure (the project not found, an unknown AccessKey, a refusal, another
     * region or endpoint, a 5xx) says nothing about the run.
     */
    private keptInStack(op: "refresh" | "delete", id: string, state: FlowSubmissionState, err: unknown): Error {
        const detail = err instanceof Error ? err.message : String(err);
        const where = `project ${state.projectId}, region ${state.regionId}`;
        const creds = (() => {
            try {
                return this.client().credentialSource();
            } catch {
                return undefined;
            }
        })();
        const endpoint = this.configGet("emr-flow:endpoint") ?? this.env().ALIBABA_CLOUD_ENDPOINT_EMR;
        const what = op === "refresh" ? "could not refresh" : "could not check or stop";
        return new Error(
            `emr-flow: ${what} ${id} (${where}): ${detail} ` +
                `${id} stays in the stack: a run is dropped only when EMR answers that this instance does not exist in a project the caller can see, and this answer does not say that. ` +
                `Check that the account${creds ? ` (credentials from ${creds})` : ""}, the region (${state.regionId}) and the endpoint${endpoint ? ` (${endpoint})` : ""} are the ones the run was submitted with, and that they may read project ${state.projectId}; then run \`pulumi ${op === "refresh" ? "refresh" : "destroy"}\` again. ` +
                `If the run is known to be gone, \`pulumi state delete\` removes it from the stack.`,
        );
    }

    // ----- what the methods share, built on first use -----

    private watching = false;

    private engine(): EngineAddress | undefined {
        return this.deps.engineAddress === null ? undefined : (this.deps.engineAddress ?? engineAddressOf());
    }

    /** In the real host, ends the process once the engine that started it is gone (see `engineWatch.ts`). */
    private watchEngine(): void {
        const address = this.engine();
        if (this.watching || !address) return;
        this.watching = true;
        exitWhenEngineGone(address, () => {
            console.error(`emr-flow: the Pulumi engine at ${address.host}:${address.port} is gone; stopping, unfinished submissions stay recorded for the next \`pulumi up\``);
            process.exit(1);
        });
    }

    private async engineGone(): Promise<boolean> {
        const address = this.engine();
        return address ? !(await engineReachable(address)) : false;
    }

    /** The client, built from the stack config and the environment (or the injected factory). */
    client(): EmrFlowClient {
        if (!this.cachedClient) {
            if (this.deps.createClient) {
                this.cachedClient = this.deps.createClient(this.configGet);
            } else {
                const { EmrFlowClient: Client } = require("../client/emrFlowClient") as typeof import("../client/emrFlowClient");
                const { resolveSettings } = require("../client/settings") as typeof import("../client/settings");
                this.cachedClient = new Client(resolveSettings({ config: this.configGet, env: this.env() }));
            }
        }
        return this.cachedClient;
    }

    get clock(): WaitClock {
        return this.deps.clock ?? systemClock;
    }

    print(line: string): void {
        if (this.deps.print) this.deps.print(line);
        // What console.log does with one string, without its formatting pass: a line per create.
        else process.stdout.write(`${line}\n`);
    }

    private submissions(): Submissions {
        if (!this.cachedSubmissions) {
            const { Submissions: Runs } = require("../runs/submit") as typeof import("../runs/submit");
            const { SubmissionJournal, defaultJournalDir } = require("../runs/journal") as typeof import("../runs/journal");
            const { processLedger } = require("../runs/adopt") as typeof import("../runs/adopt");
            // An injected client is a test double or an embedding with its own bookkeeping: no disk.
            const dir = this.deps.journalDir !== undefined ? this.deps.journalDir : this.deps.createClient ? null : defaultJournalDir(this.env());
            this.cachedSubmissions = new Runs({
                client: () => this.client(),
                journal: new SubmissionJournal(dir ?? undefined, (line) => this.print(line)),
                ledger: this.deps.ledger ?? processLedger,
                clock: this.clock,
                print: (line) => this.print(line),
                settleDelaysMs: this.deps.settleDelaysMs,
                submitSpanMs: () => this.submitSpanMs(),
            });
        }
        return this.cachedSubmissions;
    }

    /** How long after its start a SubmitFlow (all its attempts) can still have taken effect. */
    private submitSpanMs(): number {
        const { DEFAULT_MAX_TOTAL_MS } = require("../client/retry") as typeof import("../client/retry");
        const { DEFAULT_READ_TIMEOUT_MS } = require("../client/settings") as typeof import("../client/settings");
        const read = Number(this.configGet("emr-flow:readTimeoutMs") ?? this.env().EMR_FLOW_READ_TIMEOUT_MS);
        return DEFAULT_MAX_TOTAL_MS + (Number.isFinite(read) && read > 0 ? read : DEFAULT_READ_TIMEOUT_MS);
    }

    private schema(): FlowSubmissionSchema {
        if (!this.cachedSchema) {
            this.cachedSchema = flowSubmissionSchema();
        }
        return this.cachedSchema;
    }

    /**
     * The stack a create belongs to. The engine names no stack to a dynamic provider (no
     * environment variable, no URN in `create`), so the SDK sends it as the hidden input
     * `__stack`. Inputs without it (a program built against an older SDK) fall back to what the
     * environment says, as before: the project, and a stack only where something sets
     * `PULUMI_NODEJS_STACK` for the provider process.
     */
    private stackOf(inputs: Record<string, unknown>): Record<string, string> {
        const named = inputs[STACK_KEY];
        if (typeof named === "string" && named !== "") return { stack: named };
        const env = this.env();
        return { organization: env.PULUMI_NODEJS_ORGANIZATION ?? "", project: env.PULUMI_NODEJS_PROJECT ?? "", stack: env.PULUMI_NODEJS_STACK ?? "" };
    }

    /**
     * The provider settings `check` can see (stack config and environment), resolved as the client
     * will resolve them, so that a wrong endpoint, half a key pair or a malformed timeout fails the
     * preview rather than the create. Nothing is called: the credential chain runs only on a call.
     * The messages name settings and sources, never secret values.
     */
    private settingsProblem(): pulumi.dynamic.CheckFailure | undefined {
        if (this.deps.createClient) return undefined;
        // Read once per configuration, like the client built from the same settings.
        if (this.checkedSettings) return this.checkedSettings.problem;
        const { resolveSettings } = require("../client/settings") as typeof import("../client/settings");
        let problem: pulumi.dynamic.CheckFailure | undefined;
        try {
            resolveSettings({ config: this.configGet, env: this.env() });
        } catch (err) {
            const e = err as { message?: string; setting?: string; lookedAt?: readonly string[] };
            const property = (e.setting ?? e.lookedAt?.[e.lookedAt.length - 1] ?? "provider settings").replace(/^(stack config|environment|explicit) /, "").split(" / ")[0];
            problem = { property, reason: `${e.message ?? String(err)} (a provider setting: fix it in the stack config or the environment)` };
        }
        this.checkedSettings = { problem };
        return problem;
    }

    /** A region the package does not list is used as given, with a note on the endpoint it goes to. */
    private noteUnlistedRegion(regionId: string): void {
        if (this.listedRegions.has(regionId)) return;
        const { KNOWN_REGIONS, endpointForRegion } = require("../client/endpoint") as typeof import("../client/endpoint");
        if (KNOWN_REGIONS.includes(regionId)) {
            this.listedRegions.add(regionId);
            return;
        }
        const override = this.configGet("emr-flow:endpoint") ?? (this.env().ALIBABA_CLOUD_ENDPOINT_EMR || undefined);
        this.print(
            `emr-flow: ${regionId} is not among the regions this package lists; ` +
                (override ? `calling the endpoint override ${override}` : `calling ${endpointForRegion(regionId)} (set emr-flow:endpoint if the region has another endpoint)`),
        );
    }

    private defaultRegion(): string | undefined {
        const env = this.env();
        return this.configGet("alicloud:region") ?? (env.ALIBABA_CLOUD_REGION || undefined) ?? (env.ALICLOUD_REGION || undefined);
    }

    private env(): NodeJS.ProcessEnv {
        return this.deps.env ?? process.env;
    }
}
