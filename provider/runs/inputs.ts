/**
 * What a run's identifiers and conf look like, and their limits: shared by FlowSubmission's input
 * schema, the command line's argument checks and the SDK's early checks, so all three accept and
 * reject the same values. No zod here: the SDK and the command line load it without the schema.
 */

/**
 * Project IDs look like `FP-` followed by 16 upper-case characters (hex in every documented
 * example). This is the form the service answers with and the form this package sends.
 */
export const PROJECT_ID_PATTERN = /^FP-[0-9A-Z]{16}$/;
/**
 * The same 16 characters without `FP-`: the form of SubmitFlow's documented sample request
 * (`ProjectId=257A173659F5****`). Accepted as input and sent with the prefix, the form every
 * other document and every answer of the service uses.
 */
export const BARE_PROJECT_ID_PATTERN = /^[0-9A-Z]{16}$/;
/** Flow IDs look like `F-` followed by 16 upper-case characters. */
export const FLOW_ID_PATTERN = /^F-[0-9A-Z]{16}$/;
/** Flow instance IDs look like `FI-` followed by 16 upper-case characters. */
export const INSTANCE_ID_PATTERN = /^FI-[0-9A-Z]{16}$/;
/** The ID kinds a user passes: what each is called and the lookup that finds one by name. */
export const ID_KINDS = {
    project: { what: "project ID", pattern: PROJECT_ID_PATTERN, example: "FP-0123456789ABCDEF", lookup: "getFlowProject({ name })", command: "emr-flow projects" },
    flow: { what: "flow ID", pattern: FLOW_ID_PATTERN, example: "F-0123456789ABCDEF", lookup: "getFlow({ projectId, name })", command: "emr-flow flows --project …" },
    instance: { what: "flow instance ID", pattern: INSTANCE_ID_PATTERN, example: "FI-0123456789ABCDEF", lookup: "getFlowInstance", command: "emr-flow list --project …" },
} as const;
export type IdKind = keyof typeof ID_KINDS;

/**
 * Every prefix the EMR flow API gives its IDs (longest first, so `FI-` is not read as `F-`), with
 * what it names. Used to tell a user that the ID they passed is of another kind.
 */
const ID_PREFIXES: readonly (readonly [string, string])[] = [
    ["FNI-", "a node instance ID"],
    ["FJI-", "a job instance ID"],
    ["FP-", "a project ID"],
    ["FI-", "a flow instance ID"],
    ["FJ-", "a job ID"],
    ["FC-", "a flow category ID"],
    ["CT-", "a cluster template ID"],
    ["F-", "a flow ID"],
    ["C-", "a cluster ID"],
    ["rg-", "a resource group ID"],
];

/** Why a value is not an ID of a kind; `problem` says which rule it broke. */
export interface IdProblem {
    problem: "type" | "empty" | "space" | "otherKind" | "shape";
    /** Reads after the quoted value: `"F-…" is a flow ID, not a project ID: …`. */
    reason: string;
}

/**
 * Whether `value` can be an ID of `kind`, in the canonical form this package sends (a project
 * ID given without `FP-` gets it). Rejects only what cannot be one: not a string, empty, white
 * space, an ID of another kind, or another shape. `hint` (say, the lookup to use) is appended to
 * the reason when the value may be a name or another ID.
 */
export function checkId(kind: IdKind, value: unknown, hint?: string): { id: string } | IdProblem {
    const k = ID_KINDS[kind];
    if (typeof value !== "string") return { problem: "type", reason: `must be a string, got ${describeType(value)}` };
    if (value === "") return { problem: "empty", reason: "must not be empty" };
    if (k.pattern.test(value)) return { id: value };
    if (kind === "project" && BARE_PROJECT_ID_PATTERN.test(value)) return { id: `FP-${value}` };
    const more = hint ? `; ${hint}` : "";
    if (/\s/.test(value)) {
        const rest = value.trim();
        const fixed = rest !== "" && !/\s/.test(rest) && checkId(kind, rest);
        return {
            problem: "space",
            reason: fixed && "id" in fixed ? `has white space around it: remove it (${rest})` : `is not a ${k.what}: an ID has no white space in it${more}`,
        };
    }
    const other = ID_PREFIXES.find(([prefix]) => value.toUpperCase().startsWith(prefix.toUpperCase()));
    if (other && other[1] !== `a ${k.what}`) {
        return { problem: "otherKind", reason: `is ${other[1]}, not a ${k.what} (${k.example})${more}` };
    }
    return { problem: "shape", reason: `is not a ${k.what}: expected the shape ${k.example}${kind === "project" ? " (or its 16 characters without FP-)" : ""}${more}` };
}

/** Region IDs: lower-case words joined by dashes, such as `cn-hangzhou` or `ap-southeast-1`. */
export const REGION_ID_PATTERN = /^[a-z]{2,}(-[a-z0-9]+){1,3}$/;
/** Conf keys are identifiers; the service treats them as variable names inside the flow. */
export const CONF_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** The serialized `Conf` parameter travels in the query string: keep it well under URL limits. */
export const MAX_CONF_JSON_BYTES = 16 * 1024;
/** The longest wait accepted, in seconds (seven days). */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

// Epoch milliseconds between 2000-01-01 and 2100-01-01: anything outside is a unit mistake
// (seconds instead of milliseconds, say), not a schedule.
const MIN_CYCTIME_MS = Date.UTC(2000, 0, 1);
const MAX_CYCTIME_MS = Date.UTC(2100, 0, 1);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Turns a `cyctime` given as a Date, epoch milliseconds (number or digit string) or an ISO-8601
 * string into epoch milliseconds, or explains why it cannot.
 */
export function parseCyctime(value: unknown): { ms: number } | { reason: string } {
    let ms: number;
    if (value instanceof Date) {
        ms = value.getTime();
    } else if (typeof value === "number") {
        ms = value;
    } else if (typeof value === "string") {
        const text = value.trim();
        if (/^\d+$/.test(text)) {
            ms = Number(text);
        } else if (ISO_DATE.test(text) || ISO_DATE_TIME_WITH_ZONE.test(text)) {
            ms = Date.parse(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text);
        } else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
            return { reason: `"${text}" has no time zone: add "Z" or an offset such as "+08:00"` };
        } else {
            return { reason: `"${text}" is not a time: use a Date, epoch milliseconds, or an ISO-8601 string` };
        }
    } else {
        return { reason: `expected a Date, epoch milliseconds, or an ISO-8601 string, got ${describeType(value)}` };
    }
    if (!Number.isInteger(ms) || Number.isNaN(ms)) {
        return { reason: "is not a valid point in time (epoch milliseconds must be a whole number)" };
    }
    if (ms < MIN_CYCTIME_MS || ms > MAX_CYCTIME_MS) {
        return { reason: `${ms} is outside 2000-01-01..2100-01-01 in epoch milliseconds (seconds given instead of milliseconds?)` };
    }
    return { ms };
}

export function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
