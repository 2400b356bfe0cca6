/**
 * The one schema of FlowSubmission's inputs. `check()` validates with it, `create` trusts what
 * it produced, and the SDK derives its argument types from it (`z.input`), so there is no second
 * hand-kept interface to drift.
 *
 * This module is only ever loaded inside the dynamic provider host (by package name) or by
 * tests: the Pulumi closure serializer cannot serialize zod 4 objects, so the SDK imports types
 * from here and nothing else.
 */
import { z } from "zod";

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
/** How long a FlowSubmission waits by default, in seconds (one hour). */
export const DEFAULT_TIMEOUT_SECONDS = 3600;
/** The longest wait accepted, in seconds (seven days). */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
/** What a FlowSubmission waits for unless told otherwise. */
export const DEFAULT_WAIT_FOR = "completion";

/** Inputs whose change submits a new run (the resource is replaced). */
export const REPLACE_ON_CHANGE = ["projectId", "flowId", "regionId", "conf", "triggers"] as const;
/** Inputs that change how the provider behaves but never submit a new run. */
export const UPDATE_IN_PLACE = ["waitFor", "timeoutSeconds", "killOnDelete"] as const;

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

function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function idSchema(what: string, pattern: RegExp, example: string) {
    return z
        .string({ error: (issue) => `${what} must be a string, got ${describeType(issue.input)}` })
        .min(1, { error: `${what} must not be empty` })
        .regex(pattern, { error: (issue) => `"${String(issue.input)}" is not a ${what}: expected the shape ${example}` });
}

/**
 * Builds the schema. `knownRegions` is passed in so the schema's notion of which regions exist
 * stays with the endpoint table.
 */
export function flowSubmissionSchema(knownRegions: ReadonlySet<string>) {
    const conf = z
        .record(z.string(), z.union([z.string(), z.number(), z.date()]), {
            error: (issue) => `conf must be a map of strings, got ${describeType(issue.input)}`,
        })
        .superRefine((value, ctx) => {
            for (const [key, v] of Object.entries(value)) {
                if (!CONF_KEY_PATTERN.test(key)) {
                    ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is not a valid conf key: use letters, digits, "_", "." or "-", starting with a letter or "_", at most 128 characters` });
                } else if (key === "cyctime") {
                    const parsed = parseCyctime(v);
                    if ("reason" in parsed) ctx.addIssue({ code: "custom", path: [key], message: `cyctime ${parsed.reason}` });
                } else if (typeof v !== "string") {
                    ctx.addIssue({ code: "custom", path: [key], message: `conf values must be strings, got ${describeType(v)}: convert it, e.g. String(value)` });
                }
            }
        })
        .transform((value): Record<string, string> => {
            const out: Record<string, string> = {};
            for (const [key, v] of Object.entries(value)) {
                if (key === "cyctime") {
                    const parsed = parseCyctime(v);
                    out[key] = "ms" in parsed ? String(parsed.ms) : String(v);
                } else {
                    out[key] = String(v);
                }
            }
            return out;
        })
        .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_CONF_JSON_BYTES, {
            error: `conf is larger than ${MAX_CONF_JSON_BYTES} bytes once serialized: pass large values by reference (an OSS path, say)`,
        });

    return z
        .object({
            projectId: idSchema("project ID", PROJECT_ID_PATTERN, "FP-0123456789ABCDEF"),
            flowId: idSchema("flow ID", FLOW_ID_PATTERN, "F-0123456789ABCDEF"),
            regionId: z
                .string({ error: (issue) => `regionId must be a string, got ${describeType(issue.input)}` })
                .regex(REGION_ID_PATTERN, { error: (issue) => `"${String(issue.input)}" is not a region ID such as cn-hangzhou` })
                .refine((r) => knownRegions.has(r), { error: (issue) => `"${String(issue.input)}" is not an Alibaba Cloud region this package knows` })
                .optional(),
            conf: conf.optional(),
            triggers: z.array(z.unknown(), { error: (issue) => `triggers must be an array, got ${describeType(issue.input)}` }).optional(),
            waitFor: z
                .enum(["submission", "start", "completion"], { error: (issue) => `waitFor must be "submission", "start" or "completion", got ${JSON.stringify(issue.input)}` })
                .optional(),
            timeoutSeconds: z
                .number({ error: (issue) => `timeoutSeconds must be a number, got ${describeType(issue.input)}` })
                .int({ error: "timeoutSeconds must be a whole number of seconds" })
                .min(1, { error: "timeoutSeconds must be at least 1" })
                .max(MAX_TIMEOUT_SECONDS, { error: `timeoutSeconds must be at most ${MAX_TIMEOUT_SECONDS} (seven days)` })
                .optional(),
            killOnDelete: z.boolean({ error: (issue) => `killOnDelete must be true or false, got ${describeType(issue.input)}` }).optional(),
        })
        .strict();
}

export type FlowSubmissionSchema = ReturnType<typeof flowSubmissionSchema>;
/** The inputs as a program may write them (before normalization). */
export type FlowSubmissionInputs = z.input<FlowSubmissionSchema>;
/** The inputs after `check()`: `cyctime` in epoch milliseconds, every `conf` value a string. */
export type CheckedFlowSubmissionInputs = z.output<FlowSubmissionSchema>;
export type WaitFor = NonNullable<CheckedFlowSubmissionInputs["waitFor"]>;
