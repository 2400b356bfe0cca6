/**
 * FlowBackfill: one run of a flow per scheduled time over a date range, as a component whose
 * children are FlowSubmissions.
 *
 * The schedule is worked out when the program runs (which is also what `pulumi preview` runs), so
 * every mistake in it (a range backwards, too long, a bad interval, an unknown placeholder) stops
 * the preview with one error listing them all, before anything is submitted. That is why `from`,
 * `to`, `every` and `cyctimes` are plain values, not Inputs: the set of runs decides the set of
 * resources, and Pulumi must know its resources before it deploys them.
 *
 * Each child is named by its scheduled time, so widening or narrowing the range adds or removes
 * only those runs: the others keep their names, their inputs, and so their state (no re-run).
 */
import * as pulumi from "@pulumi/pulumi";
import { FlowSubmission, type FlowSubmissionArgs } from "./flowSubmission";

/** The most runs one FlowBackfill schedules: a year of daily runs. Split longer backfills. */
export const MAX_BACKFILL_RUNS = 366;
/** Runs in flight at once unless told otherwise: one, so a backfill never crowds the cluster by surprise. */
export const DEFAULT_MAX_CONCURRENT = 1;
/** The interval between scheduled times unless told otherwise. */
export const DEFAULT_EVERY = "1d";
/** The placeholders `conf` values may hold, filled per run from its scheduled time. */
export const BACKFILL_PLACEHOLDERS = ["yyyyMMdd", "yyyy-MM-dd", "yyyy", "MM", "dd", "HH", "mm", "cyctime"] as const;

/** A scheduled time: `"2026-11-01"`, `"2026-11-01T06:00"` (both at `utcOffset`), an ISO-8601 string with a zone, a Date, or epoch ms. */
export type BackfillTime = string | Date | number;

/** The arguments of a {@link FlowBackfill}. */
export interface FlowBackfillArgs {
    /** The EMR project that owns the flow, `FP-` followed by 16 characters. Required. */
    projectId: pulumi.Input<string>;
    /** The flow to run, `F-` followed by 16 characters. Required. */
    flowId: pulumi.Input<string>;
    /**
     * The project's region. Default: stack config `alicloud:region`, then `ALIBABA_CLOUD_REGION`,
     * then `ALICLOUD_REGION` (as FlowSubmission).
     */
    regionId?: pulumi.Input<string | undefined> | undefined;
    /**
     * The first scheduled time, such as `"2026-11-01"` (midnight at `utcOffset`) or
     * `"2026-11-01T06:00"`. A plain value, not an Output. Required unless `cyctimes` is given.
     */
    from?: string | Date | undefined;
    /**
     * The last scheduled time, inclusive: the runs are `from`, `from + every`, ... up to and
     * including `to` when it falls on the schedule. A plain value. Required unless `cyctimes` is given.
     */
    to?: string | Date | undefined;
    /**
     * The interval between scheduled times: a whole number followed by `m` (minutes), `h` (hours)
     * or `d` (days), such as `"1d"`, `"6h"` or `"30m"`. Default: `"1d"`.
     */
    every?: string | undefined;
    /**
     * The scheduled times, instead of `from`/`to`/`every`: each a date, a local date and time, an
     * ISO-8601 string with a zone, a Date or epoch ms. Whole minutes only; no duplicates.
     */
    cyctimes?: BackfillTime[] | undefined;
    /**
     * The fixed offset from UTC at which dates without a zone are read and placeholders are filled,
     * such as `"+08:00"` for China Standard Time. No daylight saving. Default: `"+00:00"` (UTC).
     */
    utcOffset?: string | undefined;
    /**
     * Flow parameters sent with every run. Plain string values may hold placeholders, filled per
     * run from its scheduled time at `utcOffset`: `{yyyyMMdd}`, `{yyyy-MM-dd}`, `{yyyy}`, `{MM}`,
     * `{dd}`, `{HH}`, `{mm}`, and `{cyctime}` (epoch ms). `{{` and `}}` stand for literal braces.
     * Any other `{...}` is an error. Values that are Outputs are sent as they are, unfilled.
     * `cyctime` itself is set on every run and must not be given. Default: only `cyctime`.
     */
    conf?: Record<string, pulumi.Input<string>> | undefined;
    /**
     * How many runs may be in flight at once. Runs are put in this many lanes by scheduled time,
     * and each run waits for the one before it in its lane (`dependsOn`); with `waitFor:
     * "completion"` that bounds the runs going at once. Default: 1 (one after another).
     */
    maxConcurrent?: number | undefined;
    /**
     * What each run's deployment waits for: `"submission"`, `"start"` or `"completion"`. Only
     * `"completion"` makes `maxConcurrent` a bound on runs going in EMR; with the others it only
     * orders the submissions. Default: `"completion"`.
     */
    waitFor?: FlowSubmissionArgs["waitFor"];
    /** Each run's wait deadline, in seconds (as FlowSubmission's). Default: 3600. */
    timeoutSeconds?: FlowSubmissionArgs["timeoutSeconds"];
    /** Whether removing a run from the backfill stops it if unfinished (as FlowSubmission's). Default: false. */
    killOnDelete?: FlowSubmissionArgs["killOnDelete"];
    /** Any values; a change re-submits every run of the backfill (as FlowSubmission's). Default: none. */
    triggers?: FlowSubmissionArgs["triggers"];
}

/** One run of the schedule, as planned from the arguments. @internal */
export interface PlannedRun {
    /** `yyyy-MM-dd` at a local midnight, else `yyyy-MM-ddTHH:mm` (local to `utcOffset`). */
    key: string;
    /** The child resource's name: `<backfill name>-<key without ':'>`. */
    name: string;
    /** Epoch ms. */
    cyctime: number;
    /** The run's conf, placeholders filled, `cyctime` set (epoch ms as a string). */
    conf: Record<string, pulumi.Input<string>>;
    /** Index of the run it waits for (`dependsOn`), if any. */
    after?: number;
}

const MINUTE = 60_000;
const UNIT_MS: Record<string, number> = { m: MINUTE, h: 60 * MINUTE, d: 24 * 60 * MINUTE };

/** Collects every problem, so one preview shows them all (the habit of awsx's components). */
class Problems {
    readonly list: string[] = [];
    add(property: string, reason: string): void {
        this.list.push(`${property}: ${reason}`);
    }
}

/** Parses `"+08:00"`, `"-0530"`, `"Z"` into minutes east of UTC. */
function parseOffset(text: string, problems: Problems): number {
    if (text === "Z" || text === "z") return 0;
    const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
    if (!m || Number(m[2]) > 14 || Number(m[3]) > 59) {
        problems.add("utcOffset", `"${text}" is not an offset from UTC such as "+08:00" or "-05:00"`);
        return 0;
    }
    return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function parseTime(value: unknown, property: string, offsetMin: number, problems: Problems): number | undefined {
    if (pulumi.Output.isInstance(value) || (value && typeof (value as PromiseLike<unknown>).then === "function")) {
        problems.add(property, "must be a plain value known when the program runs, not an Output or a Promise: the runs (and so the resources) must be known before deployment");
        return undefined;
    }
    // The one parser of times, shared with FlowSubmission's cyctime: dates and local times are read at utcOffset.
    const { parseTime: parse } = require("../provider/runs/inputs") as typeof import("../provider/runs/inputs");
    const parsed = parse(value, offsetMin);
    if ("reason" in parsed) {
        problems.add(property, parsed.reason);
        return undefined;
    }
    const ms = parsed.ms;
    if (ms % MINUTE !== 0) {
        problems.add(property, `${String(value)} is not on a whole minute: scheduled times are named by their minute, so seconds would collide`);
        return undefined;
    }
    return ms;
}

function parseEvery(text: unknown, problems: Problems): number | undefined {
    const m = typeof text === "string" ? /^([1-9]\d{0,5})([mhd])$/.exec(text.trim()) : null;
    if (!m) {
        problems.add("every", `${JSON.stringify(text)} is not an interval: use a whole number and m, h or d, such as "1d", "6h" or "30m"`);
        return undefined;
    }
    return Number(m[1]) * UNIT_MS[m[2]];
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** The local calendar fields of `ms` at `offsetMin`. */
function fields(ms: number, offsetMin: number) {
    const local = new Date(ms + offsetMin * MINUTE);
    return {
        yyyy: pad(local.getUTCFullYear(), 4),
        MM: pad(local.getUTCMonth() + 1),
        dd: pad(local.getUTCDate()),
        HH: pad(local.getUTCHours()),
        mm: pad(local.getUTCMinutes()),
    };
}

/** The run's key: the local date at midnight, else date and time. Per run, so adding a 06:00 run never renames the midnight ones. */
export function backfillKey(ms: number, offsetMin: number): string {
    const f = fields(ms, offsetMin);
    const date = `${f.yyyy}-${f.MM}-${f.dd}`;
    return f.HH === "00" && f.mm === "00" ? date : `${date}T${f.HH}:${f.mm}`;
}

/** The placeholders in a template, in order, with `{{`/`}}` escapes skipped. */
function placeholdersOf(template: string): { names: string[]; stray: boolean } {
    const names: string[] = [];
    const rest = template.replace(/\{\{|\}\}/g, "").replace(/\{([^{}]*)\}/g, (_m, name: string) => {
        names.push(name);
        return "";
    });
    return { names, stray: /[{}]/.test(rest) };
}

/** Fills a template's placeholders for one scheduled time. */
export function fillPlaceholders(template: string, ms: number, offsetMin: number): string {
    const f = fields(ms, offsetMin);
    const values: Record<string, string> = {
        yyyyMMdd: `${f.yyyy}${f.MM}${f.dd}`,
        "yyyy-MM-dd": `${f.yyyy}-${f.MM}-${f.dd}`,
        yyyy: f.yyyy,
        MM: f.MM,
        dd: f.dd,
        HH: f.HH,
        mm: f.mm,
        cyctime: String(ms),
    };
    return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, name: string | undefined) => {
        if (match === "{{") return "{";
        if (match === "}}") return "}";
        return values[name as string] ?? match;
    });
}

/**
 * Works out the runs of a backfill from its arguments, or throws one Error listing every problem.
 *
 * @internal
 */
export function planBackfill(name: string, args: FlowBackfillArgs): PlannedRun[] {
    const problems = new Problems();
    if (!args || typeof args !== "object") throw new Error(`FlowBackfill "${name}": arguments are required`);
    const offsetMin = args.utcOffset === undefined ? 0 : parseOffset(String(args.utcOffset), problems);

    // IDs are checked here when they are plain strings, so a typo is one message, not one per run.
    const { checkId } = require("../provider/runs/inputs") as typeof import("../provider/runs/inputs");
    const project = typeof args.projectId === "string" ? checkId("project", args.projectId, "to find it by name, use getFlowProject({ name })") : undefined;
    if (project && !("id" in project)) problems.add("projectId", `"${args.projectId}" ${project.reason}`);
    if (args.projectId === undefined) problems.add("projectId", "is required");
    const flow = typeof args.flowId === "string" ? checkId("flow", args.flowId, "to find it by name, use getFlow({ projectId, name })") : undefined;
    if (flow && !("id" in flow)) problems.add("flowId", `"${args.flowId}" ${flow.reason}`);
    if (args.flowId === undefined) problems.add("flowId", "is required");

    const maxConcurrent = args.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    if (typeof maxConcurrent !== "number" || !Number.isInteger(maxConcurrent) || maxConcurrent < 1 || maxConcurrent > MAX_BACKFILL_RUNS) {
        problems.add("maxConcurrent", `${JSON.stringify(maxConcurrent)} must be a whole number from 1 to ${MAX_BACKFILL_RUNS}`);
    }

    let times: number[] = [];
    if (args.cyctimes !== undefined) {
        if (args.from !== undefined || args.to !== undefined || args.every !== undefined) {
            problems.add("cyctimes", "give either cyctimes or from/to/every, not both");
        }
        if (!Array.isArray(args.cyctimes)) {
            problems.add("cyctimes", "must be an array of scheduled times");
        } else if (args.cyctimes.length === 0) {
            problems.add("cyctimes", "is empty: a backfill needs at least one scheduled time");
        } else if (args.cyctimes.length > MAX_BACKFILL_RUNS) {
            problems.add("cyctimes", `has ${args.cyctimes.length} times; one FlowBackfill runs at most ${MAX_BACKFILL_RUNS}: split it into several`);
        } else {
            const seen = new Map<string, number>();
            args.cyctimes.forEach((value, i) => {
                const ms = parseTime(value, `cyctimes[${i}]`, offsetMin, problems);
                if (ms === undefined) return;
                const key = backfillKey(ms, offsetMin);
                if (seen.has(key)) problems.add(`cyctimes[${i}]`, `${key} is also cyctimes[${seen.get(key)}]: each scheduled time can run once`);
                else seen.set(key, i);
                times.push(ms);
            });
            times = [...new Set(times)].sort((a, b) => a - b);
        }
    } else {
        if (args.from === undefined) problems.add("from", 'is required (or give cyctimes): the first scheduled time, such as "2026-11-01"');
        if (args.to === undefined) problems.add("to", 'is required (or give cyctimes): the last scheduled time, inclusive, such as "2026-11-27"');
        const from = args.from === undefined ? undefined : parseTime(args.from, "from", offsetMin, problems);
        const to = args.to === undefined ? undefined : parseTime(args.to, "to", offsetMin, problems);
        const every = parseEvery(args.every ?? DEFAULT_EVERY, problems);
        if (from !== undefined && to !== undefined && every !== undefined) {
            if (from > to) {
                problems.add("from", `${backfillKey(from, offsetMin)} is after to (${backfillKey(to, offsetMin)}): the range is empty; swap them`);
            } else {
                const count = Math.floor((to - from) / every) + 1;
                if (count > MAX_BACKFILL_RUNS) {
                    problems.add("to", `the range ${backfillKey(from, offsetMin)}..${backfillKey(to, offsetMin)} every ${args.every ?? DEFAULT_EVERY} is ${count} runs; one FlowBackfill runs at most ${MAX_BACKFILL_RUNS}: split it into several or use a longer interval`);
                } else {
                    for (let i = 0; i < count; i++) times.push(from + i * every);
                }
            }
        }
    }

    const template: Record<string, pulumi.Input<string>> = {};
    for (const [key, value] of Object.entries(args.conf ?? {})) {
        if (key === "cyctime") {
            problems.add("conf.cyctime", "is set on every run from its scheduled time: remove it from conf (use {cyctime} in another value for the epoch ms)");
            continue;
        }
        if (typeof value === "string") {
            const { names, stray } = placeholdersOf(value);
            const unknown = names.filter((n) => !(BACKFILL_PLACEHOLDERS as readonly string[]).includes(n));
            if (unknown.length > 0) {
                problems.add(`conf.${key}`, `unknown placeholder${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `{${n}}`).join(", ")}: known are ${BACKFILL_PLACEHOLDERS.map((n) => `{${n}}`).join(", ")}; write {{ and }} for literal braces`);
            } else if (stray) {
                problems.add(`conf.${key}`, `"${value}" has an unmatched brace: write {{ and }} for literal braces`);
            }
        } else if (value === undefined || value === null || (typeof value !== "object" && typeof value !== "function")) {
            problems.add(`conf.${key}`, `conf values must be strings, got ${value === null ? "null" : typeof value}: convert it, e.g. String(value)`);
            continue;
        }
        template[key] = value;
    }

    if (problems.list.length > 0) {
        throw new Error(`FlowBackfill "${name}" is not valid:\n  - ${problems.list.join("\n  - ")}`);
    }

    return times.map((ms, i) => {
        const key = backfillKey(ms, offsetMin);
        const conf: Record<string, pulumi.Input<string>> = {};
        for (const [k, v] of Object.entries(template)) conf[k] = typeof v === "string" ? fillPlaceholders(v, ms, offsetMin) : v;
        conf.cyctime = String(ms);
        const run: PlannedRun = { key, name: `${name}-${key.replace(/:/g, "")}`, cyctime: ms, conf };
        if (i >= maxConcurrent) run.after = i - maxConcurrent;
        return run;
    });
}

/** Counts of runs by their last seen status, such as `{ SUCCEEDED: 26, FAILED: 1 }`. */
export function countStatuses(statuses: readonly (string | undefined)[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of statuses) {
        const key = s ?? "UNKNOWN";
        counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
}

/**
 * Runs a flow once per scheduled time over a range (a backfill), as one child
 * {@link FlowSubmission} per time with `cyctime` set, at most `maxConcurrent` at once.
 *
 * Children are named `<name>-<yyyy-MM-dd>` (or `<name>-<yyyy-MM-dd>T<HHmm>` off midnight), so
 * changing the range adds or removes only the runs that enter or leave it. A run that fails fails
 * the deployment and is kept in the stack (FlowSubmission's rules): the runs after it in its lane
 * wait, and the next `pulumi up` reruns its failed nodes, then carries on.
 *
 * @example
 * ```ts
 * const nov = new FlowBackfill("nov", {
 *     projectId, flowId, from: "2026-11-01", to: "2026-11-27",
 *     conf: { bizdate: "{yyyyMMdd}" }, maxConcurrent: 3,
 * });
 * export const runs = nov.instanceIds;
 * ```
 */
export class FlowBackfill extends pulumi.ComponentResource {
    /** The instance ID of each run, by scheduled time: `{ "2026-11-01": "FI-…", ... }`. */
    public readonly instanceIds: pulumi.Output<Record<string, string>>;
    /** How many runs ended (or were last seen) in each status, such as `{ SUCCEEDED: 27 }`. */
    public readonly statusCounts: pulumi.Output<Record<string, number>>;
    /** The child resources, by the same keys as `instanceIds`, for `dependsOn` or finer outputs. */
    public readonly runs: Readonly<Record<string, FlowSubmission>>;

    constructor(name: string, args: FlowBackfillArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before registering anything: a bad schedule must not leave a half-made component.
        const plan = planBackfill(name, args);
        super("emr-flow:index:FlowBackfill", name, {}, opts);

        const submissions: FlowSubmission[] = [];
        const runs: Record<string, FlowSubmission> = {};
        for (const run of plan) {
            // The component's own dependsOn holds for every run: "the backfill waits for X" means its runs do.
            const dependsOn: pulumi.Input<pulumi.Resource>[] = [];
            if (opts?.dependsOn !== undefined) dependsOn.push(...(Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn as pulumi.Input<pulumi.Resource>]));
            if (run.after !== undefined) dependsOn.push(submissions[run.after]);
            const submission = new FlowSubmission(
                run.name,
                {
                    projectId: args.projectId,
                    flowId: args.flowId,
                    regionId: args.regionId,
                    conf: run.conf,
                    waitFor: args.waitFor,
                    timeoutSeconds: args.timeoutSeconds,
                    killOnDelete: args.killOnDelete,
                    triggers: args.triggers,
                },
                { parent: this, dependsOn },
            );
            submissions.push(submission);
            runs[run.key] = submission;
        }
        this.runs = runs;
        this.instanceIds = pulumi.output(Object.fromEntries(plan.map((run, i) => [run.key, submissions[i].instanceId]))) as pulumi.Output<Record<string, string>>;
        this.statusCounts = pulumi.all(submissions.map((s) => s.status)).apply(countStatuses);
        this.registerOutputs({ instanceIds: this.instanceIds, statusCounts: this.statusCounts });
    }
}
