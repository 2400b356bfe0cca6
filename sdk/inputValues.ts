/**
 * FlowSubmission's inputs as the program gives them, made into values Pulumi carries faithfully.
 *
 * Pulumi serializes an input by its own enumerable fields: a `Date`, `Map` or `Set` becomes `{}`,
 * a class instance loses what is not an own field, `undefined` in a list becomes `null`, and a
 * number that is not finite cannot be sent. So `triggers` that change from one Date to another
 * would compare equal and never start a new run. Here each value becomes what the user meant
 * (a Date its ISO-8601 string, including inside Outputs and Promises, whose own value Pulumi's
 * `output()` would flatten), or the program stops with the element named and the reason.
 */
import * as pulumi from "@pulumi/pulumi";

type Refuse = (path: string, reason: string) => never;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
    return !!value && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * Applies `fix` to a value, or to what an Output or a Promise resolves to, keeping an Output's
 * secretness and dependencies. A Promise is resolved before `pulumi.output()` sees it: `output()`
 * would flatten a Date inside it to `{}`.
 */
export function mapInput<T>(value: unknown, fix: (v: unknown) => T): unknown {
    if (pulumi.Output.isInstance(value)) return (value as pulumi.Output<unknown>).apply((v) => mapInput(v, fix));
    if (isPromiseLike(value)) return Promise.resolve(value).then((v) => mapInput(v, fix));
    return fix(value);
}

/** A value of `triggers` (at `path`) Pulumi can carry and compare, or a refusal naming it. */
export function triggerValue(value: unknown, path: string, refuse: Refuse): unknown {
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (pulumi.Output.isInstance(value) || isPromiseLike(value)) return mapInput(value, (v) => triggerValue(v, path, refuse));
    switch (typeof value) {
        case "number":
            if (!Number.isFinite(value)) refuse(path, `${value} cannot be stored in the stack's state: use a finite number or a string`);
            return value;
        case "undefined":
            return refuse(path, "undefined is stored as null or dropped, so a change to or from it would go unseen: use null or a string");
        case "bigint":
            return refuse(path, `a bigint (${value}n) cannot be stored in the stack's state: use its string, String(value)`);
        case "function":
            return refuse(path, "a function cannot be compared between deployments: use the value it gives, or a version string");
        case "symbol":
            return refuse(path, "a symbol cannot be stored in the stack's state: use a string");
        default:
            break;
    }
    return objectTriggerValue(value as object, path, refuse);
}

function objectTriggerValue(value: object, path: string, refuse: Refuse): unknown {
    if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) refuse(path, "an invalid Date (its time is NaN): give a valid Date or a string");
        return value.toISOString();
    }
    // Resources, assets and archives have a serialized form that changes when they do.
    if (pulumi.Resource.isInstance(value) || pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return value;
    return plainTriggerValue(value, path, refuse);
}

function plainTriggerValue(value: unknown, path: string, refuse: Refuse): unknown {
    if (Array.isArray(value)) return value.map((v, i) => triggerValue(v, `${path}[${i}]`, refuse));
    if (value instanceof Map) return refuse(path, "a Map is stored as {} whatever it holds, so a change would go unseen: use Object.fromEntries(map)");
    if (value instanceof Set) return refuse(path, "a Set is stored as {} whatever it holds, so a change would go unseen: use [...set]");
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    if (proto !== Object.prototype && proto !== null) {
        const name = proto.constructor?.name || "class";
        return refuse(path, `a ${name} instance is stored by its own fields only, so a change to anything else would go unseen: use a plain value, such as String(value) or the version it stands for`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        // A field set to undefined is a field not given: Pulumi drops it, and so does this.
        if (v !== undefined) out[key] = triggerValue(v, `${path}.${key}`, refuse);
    }
    return out;
}

/**
 * A `conf` value: strings as they are; `cyctime` as a Date or epoch milliseconds becomes epoch
 * milliseconds (checked here, as Pulumi cannot carry NaN); any other key's number becomes its
 * decimal string and its Date its ISO-8601 string (UTC), as the argument type allows.
 */
export function confValue(key: string, value: unknown, refuse: Refuse): unknown {
    return mapInput(value, (v) => {
        if (key === "cyctime") {
            if (!(v instanceof Date) && typeof v !== "number") return v;
            const { parseCyctime } = require("../provider/runs/inputs") as typeof import("../provider/runs/inputs");
            const parsed = parseCyctime(v);
            return "ms" in parsed ? parsed.ms : refuse(`conf.${key}`, parsed.reason);
        }
        if (typeof v === "number") return Number.isFinite(v) ? String(v) : refuse(`conf.${key}`, `${v} is not a value to send: use a string`);
        if (v instanceof Date) return Number.isNaN(v.getTime()) ? refuse(`conf.${key}`, "an invalid Date (its time is NaN): give a valid Date or a string") : v.toISOString();
        return v;
    });
}

/** `timeoutSeconds`: a number that is not finite cannot be sent, so it is refused here with what is accepted. */
export function timeoutValue(value: unknown, refuse: Refuse): unknown {
    return mapInput(value, (v) => {
        if (typeof v === "number" && !Number.isFinite(v)) {
            const { MAX_TIMEOUT_SECONDS } = require("../provider/runs/inputs") as typeof import("../provider/runs/inputs");
            return refuse("timeoutSeconds", `got ${v} (a number); expected a whole number of seconds, at least 1 and at most ${MAX_TIMEOUT_SECONDS} (seven days)`);
        }
        return v;
    });
}
