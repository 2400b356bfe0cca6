/**
 * `check` and `diff` on inputs: every problem as `{property, reason}` (values not known yet at
 * preview are checked again when they are), and which changes replace the run.
 */
import type * as pulumi from "@pulumi/pulumi";
import { REPLACE_ON_CHANGE, UPDATE_IN_PLACE, type FlowSubmissionSchema } from "./schema";
// The plain form of the schema's output, so this module's declarations do not reach zod's.
import type { CheckedFlowSubmissionInputs } from "./types";
import { PROVIDER_KEY, STACK_KEY, UNKNOWN, inputsOf, requirementMet, stripUndefined, waitForOf } from "./state";

/** Validates `news`, the region defaulted by `defaultRegion`; never throws. */
export function checkInputs(schema: FlowSubmissionSchema, news: Record<string, unknown>, defaultRegion: () => string | undefined): pulumi.dynamic.CheckResult {
    const candidate: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(news)) {
        if (key !== PROVIDER_KEY && key !== STACK_KEY && value !== undefined) candidate[key] = value;
    }
    // The stack's name travels with the inputs (see STACK_KEY); it is passed through as it is.
    const hidden: Record<string, unknown> = { [PROVIDER_KEY]: news[PROVIDER_KEY] };
    if (news[STACK_KEY] !== undefined) hidden[STACK_KEY] = news[STACK_KEY];
    if (candidate.regionId === undefined) {
        const region = defaultRegion();
        if (region) candidate.regionId = region;
    }

    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (hidden[STACK_KEY] !== undefined && hidden[STACK_KEY] !== UNKNOWN && typeof hidden[STACK_KEY] !== "string") {
        failures.push({ property: STACK_KEY, reason: `${STACK_KEY} is set by FlowSubmission itself and must be a string "<organization>/<project>/<stack>"` });
    }
    if (candidate.regionId === undefined) {
        failures.push({
            property: "regionId",
            reason: "no region: set regionId on the resource, or stack config alicloud:region, or the environment variable ALIBABA_CLOUD_REGION (or ALICLOUD_REGION)",
        });
    }

    const parsed = schema.safeParse(candidate);
    if (parsed.success) {
        if (failures.length > 0) return { inputs: news, failures };
        return { inputs: { ...stripUndefined(parsed.data), ...hidden }, failures };
    }
    for (const issue of parsed.error.issues) {
        // A value that is not known yet (preview) is checked again when it is.
        if (pathTouchesUnknown(candidate, issue.path)) continue;
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                failures.push({ property: key, reason: `"${key}" is not a FlowSubmission input (known: projectId, flowId, regionId, conf, triggers, waitFor, timeoutSeconds, killOnDelete)` });
            }
            continue;
        }
        const property = propertyPath(issue.path);
        // One reason per property: the first is the most basic ("must not be empty" before
        // "is not a project ID").
        if (!failures.some((f) => f.property === property)) failures.push({ property, reason: issue.message });
    }
    // Inputs that only failed on unknown values pass through untouched until they are known.
    return { inputs: { ...candidate, ...hidden }, failures };
}

/** Inputs `check` accepted, as `create` and `update` get them; throws (nothing submitted) otherwise. */
export function parseChecked(schema: FlowSubmissionSchema, inputs: Record<string, unknown>): CheckedFlowSubmissionInputs & { regionId: string } {
    const parsed = schema.safeParse(inputsOf(inputs));
    if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${propertyPath(i.path)}: ${i.message}`).join("; ");
        throw new Error(`emr-flow: invalid FlowSubmission inputs: ${detail}. Nothing was submitted; fix them in the program (\`pulumi preview\` lists every problem) and run \`pulumi up\` again.`);
    }
    if (!parsed.data.regionId) throw new Error("emr-flow: no region: set regionId, stack config alicloud:region, or ALIBABA_CLOUD_REGION");
    return parsed.data as CheckedFlowSubmissionInputs & { regionId: string };
}

export function diffInputs(olds: Record<string, unknown>, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
    const replaces: string[] = [];
    const changed: string[] = [];
    for (const key of REPLACE_ON_CHANGE) {
        if (!sameValue(olds[key], news[key])) replaces.push(key);
    }
    for (const key of UPDATE_IN_PLACE) {
        if (!sameValue(olds[key], news[key])) changed.push(key);
    }
    // A run that was killed before it did what the stack waits for cannot be continued:
    // the next deployment submits a new one, which is a replacement.
    if (replaces.length === 0 && olds.status === "KILLED" && !requirementMet(waitForOf(news), "KILLED")) {
        replaces.push("status");
    }
    return {
        changes: replaces.length + changed.length > 0,
        replaces,
        stables: replaces.length === 0 ? ["instanceId", "requestId", "submittedAt"] : [],
        deleteBeforeReplace: false,
    };
}

function sameValue(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
    if (value === undefined) return "undefined";
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v,
    );
}

function propertyPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out ? `.${String(part)}` : String(part);
    }
    return out || "inputs";
}

function pathTouchesUnknown(root: unknown, path: readonly PropertyKey[]): boolean {
    let cursor: unknown = root;
    if (cursor === UNKNOWN) return true;
    for (const part of path) {
        if (cursor === null || typeof cursor !== "object") return false;
        cursor = (cursor as Record<PropertyKey, unknown>)[part as string];
        if (cursor === UNKNOWN) return true;
    }
    return containsUnknown(cursor);
}

function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}
