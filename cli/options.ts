/**
 * The command line's arguments: each parser names the value and what a right one looks like, on
 * the same shapes and limits as FlowSubmission's inputs (`provider/runs/inputs.ts`).
 */
import { InvalidArgumentError, Option } from "commander";
import { parseEndpointOverride } from "../provider/client/endpoint";
import { FLOW_STATUSES } from "../provider/client/responses";
import { CONF_KEY_PATTERN, FLOW_ID_PATTERN, INSTANCE_ID_PATTERN, MAX_TIMEOUT_SECONDS, PROJECT_ID_PATTERN, confTooLarge, parseCyctime } from "../provider/runs/inputs";
import { usageError } from "./exit";

/** How long `wait`, `submit --wait` and `rerun --wait` wait by default, in seconds. */
export const DEFAULT_WAIT_SECONDS = 3600;
/** How many instances `list` shows by default. */
export const DEFAULT_LIST_LIMIT = 20;
/** Where a script can keep its project instead of repeating `--project`. */
export const PROJECT_ENV_VAR = "EMR_FLOW_PROJECT";

function idParser(what: string, pattern: RegExp, example: string) {
    return (value: string): string => {
        const v = value.trim();
        if (!pattern.test(v)) throw new InvalidArgumentError(`"${value}" is not a ${what}: expected the shape ${example}.`);
        return v;
    };
}
export const parseInstanceId = idParser("flow instance ID", INSTANCE_ID_PATTERN, "FI-0123456789ABCDEF");
const parseProjectIdStrict = idParser("project ID", PROJECT_ID_PATTERN, "FP-0123456789ABCDEF");
/** An empty value (an exported but blank EMR_FLOW_PROJECT, say) counts as not given, as in `resolveSettings`. */
const parseProjectId = (value: string): string => (value.trim() === "" ? (undefined as unknown as string) : parseProjectIdStrict(value));
export const parseFlowId = idParser("flow ID", FLOW_ID_PATTERN, "F-0123456789ABCDEF");

export function parseRegion(value: string): string {
    if (!/^[a-z]{2,}(-[a-z0-9]+){1,3}$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a region ID such as cn-hangzhou.`);
    return value;
}

export function parseEndpoint(value: string): string {
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

export function parseLimit(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < 1 || n > 10_000) throw new InvalidArgumentError(`"${value}" is not a limit: use a whole number from 1 to 10000.`);
    return n;
}

export function collectConf(value: string, previous: string[] = []): string[] {
    return [...previous, value];
}

export function collectStatuses(value: string, previous: string[] = []): string[] {
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
export function buildConf(pairs: string[], cyctime: string | undefined): Record<string, string> | undefined {
    const conf: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw usageError(`--conf "${pair}" is not key=value: write it as --conf bizdate=20261127.`);
        const key = pair.slice(0, eq);
        if (!CONF_KEY_PATTERN.test(key)) throw usageError(`--conf key "${key}" is not a flow variable name: use letters, digits, _ . - (starting with a letter or _).`);
        if (key in conf) throw usageError(`--conf ${key} is given twice: give each key once.`);
        conf[key] = pair.slice(eq + 1);
    }
    // Errors quote the option the user typed.
    let typed = "--cyctime";
    if ("cyctime" in conf) {
        if (cyctime !== undefined) throw usageError("cyctime is given both as --cyctime and as --conf cyctime=…: give it once.");
        cyctime = conf.cyctime;
        typed = `--conf cyctime=${cyctime}:`;
    }
    if (cyctime !== undefined) {
        const parsed = parseCyctime(cyctime);
        if ("reason" in parsed) throw usageError(`${typed} ${parsed.reason}.`);
        conf.cyctime = String(parsed.ms);
    }
    const tooLarge = confTooLarge(conf);
    if (tooLarge) throw usageError(`${tooLarge.replace(/^conf/, "the --conf values")}.`);
    return Object.keys(conf).length > 0 ? conf : undefined;
}

export function requireProject(project: string | undefined, command: string, instanceId?: string): string {
    if (project) return project;
    const what = instanceId ? `the project that owns ${instanceId}` : "a project";
    throw usageError(`${command} needs ${what}: pass --project FP-… (or set ${PROJECT_ENV_VAR}). The EMR API finds instances only within their project.`, "MissingProject");
}

export function projectOption(): Option {
    return new Option("-p, --project <id>", "the EMR project, FP-…").env(PROJECT_ENV_VAR).argParser(parseProjectId);
}

export function timeoutOption(): Option {
    return new Option("--timeout <seconds>", "how long to wait before giving up (exit 3); the run itself goes on").argParser(parseTimeout).default(DEFAULT_WAIT_SECONDS);
}

