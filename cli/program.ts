/**
 * The `emr-flow` commands: submit, status, wait, kill, rerun and list, on the same EMR client,
 * credentials and endpoint settings as the Pulumi provider (`resolveSettings` over the
 * environment, with `--region` and `--endpoint` as explicit values on top).
 *
 * Parsing is commander's; this module only says what each command means and turns every outcome
 * into one exit code (see `exit.ts`). `run` never calls `process.exit`, so tests and the entry
 * point decide what to do with the code.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { EmrFlowClient, InstanceRef } from "../provider/client/emrFlowClient";
import { EmrConfigError, EmrFlowError, CredentialsError, isNotFoundError } from "../provider/client/errors";
import type { FlowInstance, FlowInstanceSummary } from "../provider/client/responses";
import { FLOW_STATUSES, isFinalFlowStatus } from "../provider/client/responses";
import { CONF_KEY_PATTERN, FLOW_ID_PATTERN, INSTANCE_ID_PATTERN, MAX_CONF_JSON_BYTES, MAX_TIMEOUT_SECONDS, PROJECT_ID_PATTERN, parseCyctime } from "../provider/runs/inputs";
import { resolveSettings } from "../provider/client/settings";
import { parseEndpointOverride } from "../provider/client/endpoint";
import { formatElapsed, systemClock, waitForInstance, type WaitClock } from "../provider/runs/waiter";
import { toFlowInstanceDetails, type FlowInstanceDetails } from "../sdk/flowInstanceDetails";
import { CliError, EXIT, usageError, type ExitCode } from "./exit";
import { describeDetails, failedNodes, listTable } from "./format";
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

/** How long `wait`, `submit --wait` and `rerun --wait` wait by default, in seconds. */
export const DEFAULT_WAIT_SECONDS = 3600;
/** How many instances `list` shows by default. */
export const DEFAULT_LIST_LIMIT = 20;
/** ListFlowInstance's largest page. */
const MAX_PAGE_SIZE = 100;
/** Where a script can keep its project instead of repeating `--project`. */
export const PROJECT_ENV_VAR = "EMR_FLOW_PROJECT";

interface GlobalOptions {
    region?: string;
    endpoint?: string;
    json?: boolean;
}

// ----- argument parsers: each names the value and what a right one looks like -----

function idParser(what: string, pattern: RegExp, example: string) {
    return (value: string): string => {
        const v = value.trim();
        if (!pattern.test(v)) throw new InvalidArgumentError(`"${value}" is not a ${what}: expected the shape ${example}.`);
        return v;
    };
}
const parseInstanceId = idParser("flow instance ID", INSTANCE_ID_PATTERN, "FI-0123456789ABCDEF");
const parseProjectIdStrict = idParser("project ID", PROJECT_ID_PATTERN, "FP-0123456789ABCDEF");
/** An empty value (an exported but blank EMR_FLOW_PROJECT, say) counts as not given, as in `resolveSettings`. */
const parseProjectId = (value: string): string => (value.trim() === "" ? (undefined as unknown as string) : parseProjectIdStrict(value));
const parseFlowId = idParser("flow ID", FLOW_ID_PATTERN, "F-0123456789ABCDEF");

function parseRegion(value: string): string {
    if (!/^[a-z]{2,}(-[a-z0-9]+){1,3}$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a region ID such as cn-hangzhou.`);
    return value;
}

function parseEndpoint(value: string): string {
    try {
        parseEndpointOverride(value, "--endpoint");
    } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
    }
    return value;
}

function parseTimeout(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_TIMEOUT_SECONDS) {
        throw new InvalidArgumentError(`"${value}" is not a timeout: use a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}.`);
    }
    return n;
}

function parseLimit(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < 1 || n > 10_000) throw new InvalidArgumentError(`"${value}" is not a limit: use a whole number from 1 to 10000.`);
    return n;
}

function collectConf(value: string, previous: string[] = []): string[] {
    return [...previous, value];
}

function collectStatuses(value: string, previous: string[] = []): string[] {
    const out = [...previous];
    for (const part of value.split(",")) {
        const s = part.trim().toUpperCase();
        if (s === "") continue;
        if (!(FLOW_STATUSES as readonly string[]).includes(s)) {
            throw new InvalidArgumentError(`"${part.trim()}" is not a flow instance status: use one or more of ${FLOW_STATUSES.join(", ")}.`);
        }
        out.push(s);
    }
    return out;
}

/** `k=v` pairs into a conf map, with `--cyctime` merged in as epoch ms. */
function buildConf(pairs: string[], cyctime: string | undefined): Record<string, string> | undefined {
    const conf: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw usageError(`--conf "${pair}" is not key=value: write it as --conf bizdate=20261127.`);
        const key = pair.slice(0, eq);
        if (!CONF_KEY_PATTERN.test(key)) throw usageError(`--conf key "${key}" is not a flow variable name: use letters, digits, _ . - (starting with a letter or _).`);
        if (key in conf) throw usageError(`--conf ${key} is given twice: give each key once.`);
        conf[key] = pair.slice(eq + 1);
    }
    if ("cyctime" in conf) {
        if (cyctime !== undefined) throw usageError("cyctime is given both as --cyctime and as --conf cyctime=…: give it once.");
        cyctime = conf.cyctime;
    }
    if (cyctime !== undefined) {
        const parsed = parseCyctime(cyctime);
        if ("reason" in parsed) throw usageError(`--cyctime ${parsed.reason}.`);
        conf.cyctime = String(parsed.ms);
    }
    if (Buffer.byteLength(JSON.stringify(conf)) > MAX_CONF_JSON_BYTES) {
        throw usageError(`the conf is larger than ${MAX_CONF_JSON_BYTES} bytes once serialized: pass large values by reference (an OSS path, say).`);
    }
    return Object.keys(conf).length > 0 ? conf : undefined;
}

// ----- the commands -----

class Session {
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

    /** Human notes go to stderr when stdout holds a result a script reads (`--json`, or `submit`'s bare ID). */
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
        // With --json, stdout is for the result alone: progress goes to stderr.
        const reporter = progressReporter(this.json ? this.ctx.stderr : this.ctx.stdout, start, () => clock.now());
        const describe = async (): Promise<FlowInstance> => {
            const instance = await client.describeFlowInstance(ref);
            reporter.update(instance);
            return instance;
        };
        const unregister = this.ctx.onInterrupt?.(() => {
            reporter.stop();
            this.note(`emr-flow: stopped waiting; ${ref.instanceId} goes on. Wait again with: emr-flow wait ${ref.instanceId} --project ${ref.projectId}`);
        });
        let result;
        try {
            const first = initial ?? (await describe());
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

function requireProject(project: string | undefined, command: string, instanceId?: string): string {
    if (project) return project;
    const what = instanceId ? `the project that owns ${instanceId}` : "a project";
    throw usageError(`${command} needs ${what}: pass --project FP-… (or set ${PROJECT_ENV_VAR}). The EMR API finds instances only within their project.`, "MissingProject");
}

function projectOption(): Option {
    return new Option("-p, --project <id>", "the EMR project, FP-…").env(PROJECT_ENV_VAR).argParser(parseProjectId);
}

function timeoutOption(): Option {
    return new Option("--timeout <seconds>", "how long to wait before giving up (exit 3); the run itself goes on").argParser(parseTimeout).default(DEFAULT_WAIT_SECONDS);
}

/** Builds the command tree. Every action stores its exit code in `result`. */
function buildProgram(ctx: CliContext, result: { code: ExitCode }): Command {
    const program = new Command("emr-flow");
    let session: Session | undefined;
    const sessionOf = (cmd: Command): Session => (session ??= new Session(ctx, cmd.optsWithGlobals<GlobalOptions>()));

    program
        .description(
            "Submit, watch, stop and list runs of Alibaba Cloud E-MapReduce (EMR) flows. Credentials and endpoint come from the same places as the Pulumi provider's: " +
                "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), else Alibaba's default credential chain; " +
                "the region from ALIBABA_CLOUD_REGION; the endpoint from ALIBABA_CLOUD_ENDPOINT_EMR.",
        )
        .version(ctx.version ?? "0.0.0", "-V, --version")
        .addOption(new Option("-r, --region <region>", "the project's region (default: $ALIBABA_CLOUD_REGION, then $ALICLOUD_REGION)").argParser(parseRegion))
        .addOption(new Option("--endpoint <url>", "the EMR endpoint, host[:port] or http(s)://host[:port] (default: $ALIBABA_CLOUD_ENDPOINT_EMR, else per region)").argParser(parseEndpoint))
        .option("--json", "print the result as JSON on stdout (progress and notes go to stderr)")
        .configureHelp({ showGlobalOptions: true })
        .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
        .showHelpAfterError("(run the command with --help for its usage)")
        .addHelpText(
            "after",
            "\nExit codes: 0 succeeded, 1 the run failed or was killed, 2 usage error, 3 timeout, 4 API or credential error.",
        )
        .exitOverride();

    program
        .command("submit")
        .description("Start a run of a flow (SubmitFlow). Prints the new instance ID; with --wait, waits for the run to end.")
        .addOption(projectOption())
        .requiredOption("-f, --flow <id>", "the flow to run, F-…", parseFlowId)
        .option("-c, --conf <key=value>", "a flow parameter; repeat for more", collectConf, [])
        .option("--cyctime <time>", "the scheduled time: 2026-11-27, an ISO-8601 time with a zone, or epoch ms (sent as epoch ms)")
        .option("-w, --wait", "wait until the run ends, showing progress")
        .addOption(timeoutOption())
        .action(async (opts: { project?: string; flow: string; conf: string[]; cyctime?: string; wait?: boolean; timeout: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "submit");
            const conf = buildConf(opts.conf, opts.cyctime);
            const { client, regionId } = s.client();
            const submitted = await client.submitFlow({ projectId, flowId: opts.flow, conf });
            const summary = { instanceId: submitted.instanceId, requestId: submitted.requestId, projectId, flowId: opts.flow, regionId, ...(conf && { conf }) };
            if (!opts.wait) {
                if (s.json) s.printJson(summary);
                else {
                    s.out(submitted.instanceId);
                    s.note(`emr-flow: submitted flow ${opts.flow} in project ${projectId} (${regionId}) as ${submitted.instanceId}. Follow it with: emr-flow wait ${submitted.instanceId} --project ${projectId}`);
                }
                return;
            }
            (s.json ? s.note.bind(s) : s.out.bind(s))(`emr-flow: submitted flow ${opts.flow} in project ${projectId} (${regionId}) as ${submitted.instanceId}`);
            result.code = await s.waitAndReport({ projectId, instanceId: submitted.instanceId }, opts.timeout, undefined, summary);
        });

    program
        .command("status")
        .description("Show a run's status, times and nodes (DescribeFlowInstance). Exits 1 when the run FAILED or was KILLED.")
        .argument("<instance-id>", "the flow instance, FI-…", parseInstanceId)
        .addOption(projectOption())
        .action(async (instanceId: string, opts: { project?: string }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "status", instanceId);
            const { client } = s.client();
            const details = s.details(await client.describeFlowInstance({ projectId, instanceId }));
            if (s.json) s.printJson(details);
            else s.out(describeDetails(details));
            result.code = details.status === "FAILED" || details.status === "KILLED" ? EXIT.runFailed : EXIT.ok;
        });

    program
        .command("wait")
        .description("Wait until a run ends: a live progress bar on a terminal, plain lines otherwise. Exits 0 SUCCEEDED, 1 FAILED or KILLED, 3 timeout.")
        .argument("<instance-id>", "the flow instance, FI-…", parseInstanceId)
        .addOption(projectOption())
        .addOption(timeoutOption())
        .action(async (instanceId: string, opts: { project?: string; timeout: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "wait", instanceId);
            result.code = await s.waitAndReport({ projectId, instanceId }, opts.timeout, undefined);
        });

    program
        .command("kill")
        .description("Stop a run that is still going (KillFlow). A run that already ended is left alone (exit 0).")
        .argument("<instance-id>", "the flow instance, FI-…", parseInstanceId)
        .addOption(projectOption())
        .option("-w, --wait", "wait until the run is KILLED")
        .addOption(timeoutOption())
        .action(async (instanceId: string, opts: { project?: string; wait?: boolean; timeout: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "kill", instanceId);
            const { client } = s.client();
            const ref = { projectId, instanceId };
            const before = await client.describeFlowInstance(ref);
            if (isFinalFlowStatus(before.status)) {
                if (s.json) s.printJson({ instanceId, killed: false, reason: "already ended", instance: s.details(before) });
                else s.out(`emr-flow: ${instanceId} already ended (${before.status}); nothing to kill`);
                return;
            }
            const killed = await client.killFlow(ref);
            if (!opts.wait) {
                if (s.json) s.printJson({ instanceId, killed: killed.accepted, requestId: killed.requestId });
                else s.out(`emr-flow: asked EMR to kill ${instanceId} (was ${before.status}); follow it with: emr-flow wait ${instanceId} --project ${projectId}`);
                return;
            }
            result.code = await waitForKill(s, ref, opts.timeout, killed.requestId);
        });

    program
        .command("rerun")
        .description("Run a finished run again on the same instance (RerunFlow): all its nodes, or with --failed-only only the failed ones.")
        .argument("<instance-id>", "the flow instance, FI-…", parseInstanceId)
        .addOption(projectOption())
        .option("--failed-only", "rerun only the nodes that failed")
        .option("-w, --wait", "wait until the rerun ends, showing progress")
        .addOption(timeoutOption())
        .action(async (instanceId: string, opts: { project?: string; failedOnly?: boolean; wait?: boolean; timeout: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "rerun", instanceId);
            const { client } = s.client();
            const ref = { projectId, instanceId };
            const rerun = await client.rerunFlow({ ...ref, failedOnly: Boolean(opts.failedOnly) });
            const summary = { instanceId, requestId: rerun.requestId, accepted: rerun.accepted, failedOnly: Boolean(opts.failedOnly) };
            const line = `emr-flow: rerunning ${opts.failedOnly ? "the failed nodes of " : ""}${instanceId}`;
            if (!opts.wait) {
                if (s.json) s.printJson(summary);
                else s.out(`${line}; follow it with: emr-flow wait ${instanceId} --project ${projectId}`);
                return;
            }
            (s.json ? s.note.bind(s) : s.out.bind(s))(line);
            result.code = await s.waitAndReport(ref, opts.timeout, undefined, summary);
        });

    program
        .command("list")
        .description("List a project's runs, newest first (ListFlowInstance).")
        .addOption(projectOption())
        .option("-f, --flow <id>", "only runs of this flow, F-…", parseFlowId)
        .option("-s, --status <status>", `only runs in these statuses (comma-separated or repeated): ${FLOW_STATUSES.join(", ")}`, collectStatuses)
        .option("-n, --limit <n>", "show at most this many", parseLimit, DEFAULT_LIST_LIMIT)
        .action(async (opts: { project?: string; flow?: string; status?: string[]; limit: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "list");
            const { client } = s.client();
            const instances: FlowInstanceSummary[] = [];
            let total = 0;
            for (let page = 1; instances.length < opts.limit; page++) {
                const res = await client.listFlowInstances({
                    projectId,
                    flowId: opts.flow,
                    statuses: opts.status && opts.status.length > 0 ? [...new Set(opts.status)] : undefined,
                    orderBy: "id",
                    orderType: "DESC",
                    pageNumber: page,
                    pageSize: Math.min(MAX_PAGE_SIZE, opts.limit),
                });
                total = res.total;
                instances.push(...res.instances.slice(0, opts.limit - instances.length));
                if (res.instances.length === 0 || page * res.pageSize >= res.total) break;
            }
            if (s.json) {
                s.printJson({ projectId, total, instances });
            } else if (instances.length === 0) {
                s.out(`emr-flow: no runs in project ${projectId}${opts.flow ? ` of flow ${opts.flow}` : ""}${opts.status ? ` in status ${opts.status.join(", ")}` : ""}`);
            } else {
                s.out(listTable(instances));
                if (total > instances.length) s.note(`emr-flow: showing ${instances.length} of ${total}; raise --limit to see more`);
            }
        });

    return program;
}

/** After KillFlow: wait for KILLED (or another final status) and report, without the "failed" advice a killed run otherwise gets. */
async function waitForKill(s: Session, ref: InstanceRef, timeoutSeconds: number, requestId: string): Promise<ExitCode> {
    const { client } = s.client();
    const clock = s.ctx.clock ?? systemClock;
    const start = clock.now();
    const reporter = progressReporter(s.json ? s.ctx.stderr : s.ctx.stdout, start, () => clock.now());
    let result;
    try {
        result = await waitForInstance({
            instanceId: ref.instanceId,
            until: "completion",
            startedAt: start,
            deadline: start + timeoutSeconds * 1000,
            describe: async () => {
                const i = await client.describeFlowInstance(ref);
                reporter.update(i);
                return i;
            },
            clock,
        });
    } finally {
        reporter.stop();
    }
    const details = result.instance ? s.details(result.instance) : undefined;
    if (s.json) s.printJson({ instanceId: ref.instanceId, killed: true, requestId, outcome: result.outcome === "timeout" ? "timeout" : details?.status.toLowerCase(), instance: details });
    if (result.outcome === "timeout") {
        s.note(`emr-flow: asked EMR to kill ${ref.instanceId}, but it was still ${details?.status ?? "unknown"} after ${timeoutSeconds}s; check it with: emr-flow status ${ref.instanceId} --project ${ref.projectId}`);
        return EXIT.timeout;
    }
    if (!s.json) s.out(`emr-flow: ${ref.instanceId} is ${details?.status}`);
    return EXIT.ok;
}

/** Maps any error to its message, stable code and exit code. */
export function classify(err: unknown): { message: string; code: string; exitCode: ExitCode } {
    if (err instanceof CliError) return { message: err.message, code: err.code, exitCode: err.exitCode };
    if (EmrConfigError.isInstance(err)) {
        // A setting given on the command line is a usage error; one from the environment is a setting error.
        const fromFlag = /^(explicit|--)/.test(err.setting ?? "");
        return { message: err.message, code: err.code, exitCode: fromFlag ? EXIT.usage : EXIT.api };
    }
    if (CredentialsError.isInstance(err)) return { message: err.message, code: err.code, exitCode: EXIT.api };
    if (isNotFoundError(err)) {
        const e = err as EmrFlowError;
        return { message: `${e.message} Check the ID and that --project and --region are the ones it belongs to.`, code: e.code, exitCode: EXIT.api };
    }
    if (EmrFlowError.isInstance(err)) return { message: err.message, code: err.code, exitCode: EXIT.api };
    const message = err instanceof Error ? err.message : String(err);
    return { message: `unexpected error: ${message}`, code: "UnexpectedError", exitCode: EXIT.api };
}

/** Runs the command line on `argv` (without `node` and the script) and returns the exit code. */
export async function run(argv: string[], ctx: CliContext): Promise<ExitCode> {
    const result: { code: ExitCode } = { code: EXIT.ok };
    const program = buildProgram(ctx, result);
    const wantsJson = argv.includes("--json");
    try {
        await program.parseAsync(argv, { from: "user" });
        return result.code;
    } catch (err) {
        if (err instanceof CommanderError) {
            // Help and version are answers, not errors; everything else commander rejects is usage.
            if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT.ok;
            if (wantsJson) ctx.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message.replace(/^error: /, ""), exitCode: EXIT.usage } }, null, 2)}\n`);
            return EXIT.usage;
        }
        const { message, code, exitCode } = classify(err);
        ctx.stderr.write(`emr-flow: error: ${message}\n`);
        if (wantsJson) ctx.stdout.write(`${JSON.stringify({ error: { code, message, exitCode } }, null, 2)}\n`);
        return exitCode;
    }
}
