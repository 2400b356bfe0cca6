/**
 * What every command shares within one run of the command line: the client (built once, from
 * the environment with `--region` and `--endpoint` on top), the output streams, and waiting for a
 * run with progress, reported as an exit code.
 */
import type { Command } from "commander";
import type { EmrFlowClient, InstanceRef } from "../provider/client/emrFlowClient";
import type { FlowInstance } from "../provider/client/responses";
import { resolveSettings } from "../provider/client/settings";
import { formatElapsed, systemClock, waitForInstance, type WaitClock } from "../provider/runs/waiter";
import { toFlowInstanceDetails, type FlowInstanceDetails } from "../sdk/flowInstanceDetails";
import { EXIT, usageError, type ExitCode } from "./exit";
import { failedNodes } from "./format";
import { progressReporter, type ProgressStream } from "./progress";

/** What a run of the command line reads and writes; the entry point passes the process's own. */
export interface CliContext {
    stdout: ProgressStream;
    stderr: ProgressStream;
    env: NodeJS.ProcessEnv;
    /** Builds the client; the default is the real one. */
    createClient?(settings: ReturnType<typeof resolveSettings>): EmrFlowClient;
    clock?: WaitClock;
    /** Called with a cleanup when a wait starts, so Ctrl-C can end the bar tidily; returns an unregister. */
    onInterrupt?(handler: () => void): () => void;
    version?: string;
}


export interface GlobalOptions {
    region?: string;
    endpoint?: string;
    json?: boolean;
}

/** What each command's file gets: its session, and where to leave the exit code. */
export interface CommandEnv {
    sessionOf(cmd: Command): Session;
    result: { code: ExitCode };
}

export class Session {
    private cachedClient?: EmrFlowClient;
    private regionId?: string;

    constructor(
        readonly ctx: CliContext,
        readonly globals: GlobalOptions,
    ) {}

    get json(): boolean {
        return Boolean(this.globals.json);
    }

    /** The client, built from the environment with `--region`/`--endpoint` on top, as the provider builds its own from stack config. */
    client(): { client: EmrFlowClient; regionId: string } {
        if (!this.cachedClient) {
            const settings = resolveSettings({ env: this.ctx.env, explicit: { regionId: this.globals.region, endpoint: this.globals.endpoint } });
            if (!settings.regionId) {
                throw usageError("no region: pass --region (such as --region cn-hangzhou) or set ALIBABA_CLOUD_REGION (or ALICLOUD_REGION).", "MissingRegion");
            }
            this.regionId = settings.regionId;
            if (this.ctx.createClient) {
                this.cachedClient = this.ctx.createClient(settings);
            } else {
                // Required on first use: `--help` and usage errors should not load Alibaba's SDK.
                const { EmrFlowClient: Client } = require("../provider/client/emrFlowClient") as typeof import("../provider/client/emrFlowClient");
                this.cachedClient = new Client(settings);
            }
        }
        return { client: this.cachedClient, regionId: this.regionId as string };
    }

    out(text: string): void {
        this.ctx.stdout.write(`${text}\n`);
    }

    /** Human notes and progress go to stderr: stdout holds only the result (the JSON document with `--json`). */
    note(text: string): void {
        this.ctx.stderr.write(`${text}\n`);
    }

    printJson(value: unknown): void {
        this.out(JSON.stringify(value, null, 2));
    }

    details(instance: FlowInstance): FlowInstanceDetails {
        return toFlowInstanceDetails(instance, this.regionId ?? "");
    }

    /** Polls until the run ends or `timeoutSeconds` passes, showing progress; returns its exit code. */
    async waitAndReport(ref: InstanceRef, timeoutSeconds: number, initial: FlowInstance | undefined, extra: Record<string, unknown> = {}): Promise<ExitCode> {
        const { client } = this.client();
        const clock = this.ctx.clock ?? systemClock;
        const start = clock.now();
        // stdout is for the result alone: progress goes to stderr.
        const reporter = progressReporter(this.ctx.stderr, start, () => clock.now());
        const describe = async (options?: { deadline: number }): Promise<FlowInstance> => {
            const instance = await client.describeFlowInstance(ref, options);
            reporter.update(instance);
            return instance;
        };
        const unregister = this.ctx.onInterrupt?.(() => {
            reporter.stop();
            const message = `stopped waiting; ${ref.instanceId} goes on. Wait again with: emr-flow wait ${ref.instanceId} --project ${ref.projectId}`;
            this.note(`emr-flow: ${message}`);
            // Interrupted or not, --json prints one document.
            if (this.json) this.printJson({ ...extra, error: { code: "Interrupted", message, exitCode: EXIT.interrupted } });
        });
        let result;
        try {
            const first = initial ?? (await describe({ deadline: start + timeoutSeconds * 1000 }));
            if (initial) reporter.update(initial);
            result = await waitForInstance({
                instanceId: ref.instanceId,
                until: "completion",
                startedAt: start,
                deadline: start + timeoutSeconds * 1000,
                describe,
                clock,
                last: first,
            });
        } finally {
            reporter.stop();
            unregister?.();
        }
        const instance = result.instance as FlowInstance;
        const details = this.details(instance);
        if (result.outcome === "timeout") {
            if (this.json) this.printJson({ ...extra, outcome: "timeout", instance: details });
            this.note(
                `emr-flow: stopped waiting for ${ref.instanceId} after ${formatElapsed(timeoutSeconds * 1000)} (--timeout ${timeoutSeconds}); it is still ${instance.status}` +
                    `${result.lastError ? ` (last error: ${result.lastError.message})` : ""}. Wait again with: emr-flow wait ${ref.instanceId} --project ${ref.projectId}`,
            );
            return EXIT.timeout;
        }
        const ok = instance.status === "SUCCEEDED";
        if (this.json) {
            this.printJson({ ...extra, outcome: instance.status.toLowerCase(), instance: details });
        }
        if (!ok) {
            const nodes = failedNodes(details);
            const next =
                instance.status === "FAILED"
                    ? `Rerun its failed nodes with: emr-flow rerun ${ref.instanceId} --project ${ref.projectId} --failed-only --wait`
                    : `Submit a new run with: emr-flow submit --project ${ref.projectId} --flow ${details.flowId ?? "F-…"}`;
            this.note(`emr-flow: ${ref.instanceId} ended ${instance.status}.${nodes ? ` Failed nodes: ${nodes}.` : ""} ${next}`);
        }
        return ok ? EXIT.ok : EXIT.runFailed;
    }
}
