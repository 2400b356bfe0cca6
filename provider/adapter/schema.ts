/**
 * The one schema of FlowSubmission's inputs. `check()` validates with it, and `create` trusts
 * what it produced. The plain types the package declares (`types.ts`) are written out by hand, so
 * no shipped declaration reaches zod's; the SDK checks them against this schema at compile time,
 * so they cannot drift.
 *
 * This module is only ever loaded inside the dynamic provider host (by package name) or by
 * tests: the Pulumi closure serializer cannot serialize zod 4 objects, so the SDK imports types
 * from here and nothing else.
 */
import * as z from "zod/mini";
import {
    CONF_KEY_PATTERN,
    ID_KINDS,
    MAX_TIMEOUT_SECONDS,
    REGION_ID_PATTERN,
    checkId,
    confTooLarge,
    describeType,
    describeValue,
    parseCyctime,
    type IdKind,
} from "../runs/inputs";

/** How long a FlowSubmission waits by default, in seconds (one hour). */
export const DEFAULT_TIMEOUT_SECONDS = 3600;
/** What a FlowSubmission waits for unless told otherwise. */
export const DEFAULT_WAIT_FOR = "completion";

/** Inputs whose change submits a new run (the resource is replaced). */
export const REPLACE_ON_CHANGE = ["projectId", "flowId", "regionId", "conf", "triggers"] as const;
/** Inputs that change how the provider behaves but never submit a new run. */
export const UPDATE_IN_PLACE = ["waitFor", "timeoutSeconds", "killOnDelete"] as const;

/**
 * An ID input: rejected only when it cannot be an ID of its kind (see `checkId`), with the lookup
 * that finds one by name; a project ID given without `FP-` is stored with it, so both spellings
 * of one project are the same input.
 */
function idSchema(kind: IdKind) {
    const { what, lookup } = ID_KINDS[kind];
    return z.pipe(
        z.string({ error: (issue) => `${what} must be a string, got ${describeType(issue.input)}` }).check(z.minLength(1, { error: `${what} must not be empty` })),
        z.transform((value: string, ctx) => {
            const checked = checkId(kind, value, `to find one by name, use ${lookup}`);
            if ("id" in checked) return checked.id;
            ctx.issues.push({ code: "custom", message: `"${value}" ${checked.reason}`, input: value });
            return z.NEVER;
        }),
    );
}

/**
 * Builds the schema. A region is checked for its shape only: Alibaba adds regions, and one this
 * package does not list works through the `emr.<region>.aliyuncs.com` rule or an endpoint override
 * (`create` says so when it uses one).
 */
export function flowSubmissionSchema() {
    const conf = z
        .pipe(
            z
                .record(z.string(), z.unknown(), {
                    error: (issue) => `conf must be a map of strings, got ${describeType(issue.input)}`,
                })
                .check(
                    z.superRefine((value, ctx) => {
                        for (const [key, v] of Object.entries(value)) {
                            if (!CONF_KEY_PATTERN.test(key)) {
                                ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is not a valid conf key: use letters, digits, "_", "." or "-", starting with a letter or "_", at most 128 characters` });
                            } else if (key === "cyctime") {
                                const parsed = parseCyctime(v);
                                if ("reason" in parsed) ctx.addIssue({ code: "custom", path: [key], message: `cyctime ${parsed.reason}` });
                            } else if (typeof v !== "string") {
                                ctx.addIssue({ code: "custom", path: [key], message: `got ${describeValue(v)}; conf values must be strings (only cyctime also takes a Date or epoch milliseconds): convert it, e.g. String(value)` });
                            }
                        }
                    }),
                ),
            z.transform((value: Record<string, unknown>): Record<string, string> => {
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
            }),
        )
        .check(
            z.superRefine((value, ctx) => {
                const tooLarge = confTooLarge(value);
                if (tooLarge) ctx.addIssue({ code: "custom", message: tooLarge });
            }),
        );

    const timeoutRange = `a whole number of seconds, at least 1 and at most ${MAX_TIMEOUT_SECONDS} (seven days)`;
    const timeoutGot = (input: unknown): string => `timeoutSeconds: got ${describeValue(input)}; expected ${timeoutRange}`;
    return z.strictObject({
        projectId: idSchema("project"),
        flowId: idSchema("flow"),
        regionId: z.optional(
            z
                .string({ error: (issue) => `regionId must be a string, got ${describeType(issue.input)}` })
                .check(z.regex(REGION_ID_PATTERN, { error: (issue) => `"${String(issue.input)}" is not a region ID such as cn-hangzhou` })),
        ),
        conf: z.optional(conf),
        triggers: z.optional(
            z.array(z.unknown(), { error: (issue) => `triggers must be an array, got ${describeType(issue.input)}` }).check(
                z.superRefine((list, ctx) => {
                    // An empty object compares equal to every other one: as a trigger it can never start a
                    // run. It is what Pulumi makes of a Date, Map or Set that went through pulumi.output().
                    const walk = (value: unknown, path: (string | number)[]): void => {
                        if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
                        else if (value && typeof value === "object") {
                            const entries = Object.entries(value);
                            if (entries.length === 0) {
                                ctx.addIssue({
                                    code: "custom",
                                    path,
                                    message: "an empty object never changes, so it can never start a new run. A Date, Map or Set passed through pulumi.output() arrives so: give date.toISOString() (or another string) instead",
                                });
                            }
                            for (const [k, v] of entries) walk(v, [...path, k]);
                        }
                    };
                    list.forEach((v, i) => walk(v, [i]));
                }),
            ),
        ),
        waitFor: z.optional(z.enum(["submission", "start", "completion"], { error: (issue) => `waitFor must be "submission", "start" or "completion", got ${JSON.stringify(issue.input)}` })),
        timeoutSeconds: z.optional(
            z
                .number({ error: (issue) => timeoutGot(issue.input) })
                .check(
                    z.int({ error: (issue) => timeoutGot(issue.input) }),
                    z.minimum(1, { error: (issue) => timeoutGot(issue.input) }),
                    z.maximum(MAX_TIMEOUT_SECONDS, { error: (issue) => timeoutGot(issue.input) }),
                ),
        ),
        killOnDelete: z.optional(z.boolean({ error: (issue) => `killOnDelete must be true or false, got ${describeType(issue.input)}` })),
    });
}

export type FlowSubmissionSchema = ReturnType<typeof flowSubmissionSchema>;
/** The inputs as a program may write them (before normalization). */
export type FlowSubmissionInputs = z.input<FlowSubmissionSchema>;
/** The inputs after `check()`: `cyctime` in epoch milliseconds, every `conf` value a string. */
export type CheckedFlowSubmissionInputs = z.output<FlowSubmissionSchema>;
export type WaitFor = NonNullable<CheckedFlowSubmissionInputs["waitFor"]>;
