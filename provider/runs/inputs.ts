/**
 * What a run's identifiers and conf look like, and their limits: shared by FlowSubmission's input
 * schema, the command line's argument checks and the SDK's early checks, so all three accept and
 * reject the same values. No zod here: the SDK and the command line load it without the schema.
 */

/** Project IDs look like `FP-` followed by 16 upper-case characters (hex in every documented example). */
export const PROJECT_ID_PATTERN = /^FP-[0-9A-Z]{16}$/;
/** Flow IDs look like `F-` followed by 16 upper-case characters. */
export const FLOW_ID_PATTERN = /^F-[0-9A-Z]{16}$/;
/** Flow instance IDs look like `FI-` followed by 16 upper-case characters. */
export const INSTANCE_ID_PATTERN = /^FI-[0-9A-Z]{16}$/;
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
