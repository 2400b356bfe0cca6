/**
 * What a run's identifiers and conf look like, and their limits: shared by FlowSubmission's input
 * schema, the command line's argument checks and the SDK's early checks, so all three accept and
 * reject the same values. No zod here: the SDK and the command line load it without the schema.
 */
import { stringify } from "querystring";

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

/**
 * The most bytes `Conf` may take as sent. Both signature versions send it in the URL's query string
 * (`@alicloud/openapi-client` encodes it with `querystring.stringify`), so a character outside
 * ASCII costs up to 9 bytes (`%E4%B8%AD`). Servers refuse a request line and headers over 16 KiB
 * (Node's default, answered with HTTP 431); this leaves 4 KiB for the rest of the request.
 */
export const MAX_CONF_ENCODED_BYTES = 12 * 1024;
/** The longest wait accepted, in seconds (seven days). */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

// Epoch milliseconds between 2000-01-01 and 2100-01-01: anything outside is a unit mistake
// (seconds instead of milliseconds, say), not a schedule.
const MIN_CYCTIME_MS = Date.UTC(2000, 0, 1);
const MAX_CYCTIME_MS = Date.UTC(2100, 0, 1);
/** The most fractional digits of seconds a time may have; those past the millisecond must be zero. */
export const MAX_FRACTION_DIGITS = 9;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;
const ACCEPTED = "a Date, epoch milliseconds, or an ISO-8601 string such as 2026-11-28 or 2026-11-28T06:00:00+08:00";

/**
 * Reads a time written as text: a date (`2026-11-28`, midnight) or a date and time
 * (`2026-11-28T06:00`, seconds and up to {@link MAX_FRACTION_DIGITS} fractional digits optional,
 * `T` or a space between) with a zone (`Z`, `+08:00`, `+0800`). Without a zone, the time is read at
 * `localOffsetMin` minutes east of UTC; when that is not given, a date is read at UTC and a date
 * and time is refused. Every field is checked: a date that does not exist (February 30) is
 * refused, never moved to another day. The one parser of FlowSubmission's `cyctime`,
 * `emr-flow submit --cyctime` and FlowBackfill's times.
 */
export function parseTimeText(text: string, localOffsetMin?: number): { ms: number } | { reason: string } {
    const shown = JSON.stringify(text);
    const date = DATE_ONLY.exec(text);
    const m = date ?? DATE_TIME.exec(text);
    if (!m) {
        if (/^\d{4}-\d{2}-\d{2}[T ]/.test(text)) return { reason: `${shown} is not a time: expected ${ACCEPTED}` };
        return { reason: `${shown} is not a time: use ${ACCEPTED}` };
    }
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const daysInMonth = mo >= 1 && mo <= 12 ? new Date(Date.UTC(y, mo, 0)).getUTCDate() : 0;
    if (mo < 1 || mo > 12) return { reason: `${shown} is not a date that exists: there is no month ${m[2]}` };
    if (d < 1 || d > daysInMonth) return { reason: `${shown} is not a date that exists: ${m[1]}-${m[2]} has ${daysInMonth} days` };
    let h = 0;
    let mi = 0;
    let s = 0;
    let frac = 0;
    let zone: string | undefined;
    if (!date) {
        [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
        if (h > 23) return { reason: `${shown} is not a time: hour ${m[4]} is not 00 to 23` };
        if (mi > 59) return { reason: `${shown} is not a time: minute ${m[5]} is not 00 to 59` };
        if (s > 59) return { reason: `${shown} is not a time: second ${m[6]} is not 00 to 59` };
        const digits = m[7] ?? "";
        if (digits.length > MAX_FRACTION_DIGITS) return { reason: `${shown} has ${digits.length} fractional digits: at most ${MAX_FRACTION_DIGITS} fractional digits are accepted` };
        if (/[1-9]/.test(digits.slice(3))) return { reason: `${shown} is finer than a millisecond: times are sent in whole epoch milliseconds, so use at most 3 non-zero fractional digits` };
        frac = Number(digits.slice(0, 3).padEnd(3, "0"));
        zone = m[8];
        if (zone === undefined && localOffsetMin === undefined) return { reason: `${shown} has no time zone: add "Z" or an offset such as "+08:00"` };
    }
    let offsetMin = localOffsetMin ?? 0;
    if (zone !== undefined && zone.toUpperCase() !== "Z") {
        const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone) as RegExpExecArray;
        if (Number(z[2]) > 14 || Number(z[3]) > 59) return { reason: `${shown} has the offset ${zone}, which is not an offset from UTC (they run from -12:00 to +14:00)` };
        offsetMin = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
    } else if (zone !== undefined) {
        offsetMin = 0;
    }
    return { ms: Date.UTC(y, mo - 1, d, h, mi, s, frac) - offsetMin * 60_000 };
}

/**
 * Turns a time given as a Date, epoch milliseconds (a number or a string of digits) or text (see
 * {@link parseTimeText}) into epoch milliseconds between 2000 and 2100, or says why it cannot,
 * quoting what was given.
 */
export function parseTime(value: unknown, localOffsetMin?: number): { ms: number } | { reason: string } {
    let ms: number;
    if (value instanceof Date) {
        ms = value.getTime();
        if (Number.isNaN(ms)) return { reason: `an invalid Date (its time is NaN, as from new Date("not a date")): expected ${ACCEPTED}` };
    } else if (typeof value === "number") {
        if (!Number.isFinite(value)) return { reason: `${String(value)} is not a time: expected ${ACCEPTED}` };
        if (!Number.isInteger(value)) return { reason: `${value} is not a whole number of epoch milliseconds: expected ${ACCEPTED}` };
        ms = value;
    } else if (typeof value === "string") {
        const text = value.trim();
        if (/^\d+$/.test(text)) {
            ms = Number(text);
        } else {
            const parsed = parseTimeText(text, localOffsetMin);
            if ("reason" in parsed) return parsed;
            ms = parsed.ms;
        }
    } else {
        return { reason: `expected ${ACCEPTED}, got ${describeValue(value)}` };
    }
    if (ms < MIN_CYCTIME_MS || ms > MAX_CYCTIME_MS) {
        return { reason: `${typeof value === "string" ? JSON.stringify(value) : String(ms)} is outside 2000-01-01..2100-01-01 (${ms} epoch milliseconds; seconds given instead of milliseconds?)` };
    }
    return { ms };
}

/** FlowSubmission's `cyctime` and `emr-flow submit --cyctime`: {@link parseTime} with dates at UTC midnight and zones required on times. */
export function parseCyctime(value: unknown): { ms: number } | { reason: string } {
    return parseTime(value);
}

/** The bytes `conf` takes in the request as sent: `Conf=` and its JSON, URL-encoded. */
export function confEncodedBytes(conf: Record<string, string>): number {
    return stringify({ Conf: JSON.stringify(conf) }).length;
}

/** Why `conf` is too large to send, or undefined when it fits. */
export function confTooLarge(conf: Record<string, string>): string | undefined {
    const bytes = confEncodedBytes(conf);
    if (bytes <= MAX_CONF_ENCODED_BYTES) return undefined;
    return (
        `conf takes ${bytes} bytes as sent (URL-encoded in the query string, where a character outside ASCII takes up to 9 bytes), over the limit of ${MAX_CONF_ENCODED_BYTES}: ` +
        "pass large values by reference (an OSS path, say)"
    );
}

/** What a value is, for messages: `true (a boolean)`, `null`, `"x" (a string)`, `a Date`, `an object`. */
export function describeValue(value: unknown): string {
    if (value === null) return "null";
    if (value === undefined) return "undefined";
    if (value instanceof Date) return "a Date";
    if (typeof value === "string") return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} (a string)`;
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${String(value)} (a ${typeof value})`;
    return describeType(value);
}

export function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
