import * as pulumi from "@pulumi/pulumi";
import type { FlowSubmissionInputs, CheckedFlowSubmissionInputs as SchemaCheckedInputs, WaitFor as SchemaWaitFor } from "../provider/adapter/schema";
import type { NodeSummary } from "../provider/runs/instanceFields";
import type { CheckedFlowSubmissionInputs, ConfValue, FlowInstanceStatus, FlowSubmissionInputValues, WaitFor } from "./types";
import { confValue, mapInput, timeoutValue, triggerValue } from "./inputValues";

type ProviderModule = typeof import("../provider/adapter");

/**
 * What Pulumi serializes into `__provider` (and so into the state of every FlowSubmission): a
 * shim that loads the real provider by package name inside the dynamic provider host. It
 * captures nothing, so the state stays small and holds no code that could go stale, and
 * credentials never come near it: the host reads them from stack config in `configure`.
 *
 * One object for the whole process: Pulumi caches the serialized text per provider object.
 */
const providerShim: pulumi.dynamic.ResourceProvider = {
    configure: (req) => (require("pulumi-emr-flow/provider") as ProviderModule).flowSubmissionProvider.configure(req),
    check: (olds, news) => (require("pulumi-emr-flow/provider") as ProviderModule).flowSubmissionProvider.check(olds, news),
    diff: (id, olds, news) => (require("pulumi-emr-flow/provider") as ProviderModule).flowSubmissionProvider.diff(id, olds, news),
    create: (inputs) => (require("pulumi-emr-flow/provider") as ProviderModule).flowSubmissionProvider.create(inputs),
    read: (id, props) => (require("pulumi-emr-flow/provider") as ProviderModule).flowSubmissionProvider.read(id, props),
    update: (id, olds, news) => (require("pulumi-emr-flow/provider") as ProviderModule).flowSubmissionProvider.update(id, olds, news),
    delete: (id, props) => (require("pulumi-emr-flow/provider") as ProviderModule).flowSubmissionProvider.delete(id, props),
};

/**
 * The arguments of a {@link FlowSubmission}. Every field accepts a `pulumi.Input`, so it can
 * come from another resource's output.
 */
export interface FlowSubmissionArgs {
    /** The EMR project that owns the flow, `FP-` followed by 16 characters. Required. */
    projectId: pulumi.Input<string>;
    /** The flow (workflow) to run, `F-` followed by 16 characters. Required. */
    flowId: pulumi.Input<string>;
    /**
     * The region of the project, such as `cn-hangzhou`. Preview fails when no region is set
     * anywhere.
     * @default stack config `alicloud:region`, then `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`
     */
    regionId?: pulumi.Input<string | undefined> | undefined;
    /**
     * Flow parameters, sent as SubmitFlow's `Conf` JSON object of strings. `cyctime` (the
     * scheduled run time) takes a `Date`, epoch milliseconds or an ISO-8601 string and is sent as
     * epoch milliseconds; any other key takes a string, or a number (sent as its decimal string,
     * `3` as `"3"`) or a Date (sent as its ISO-8601 string in UTC). A value wrapped in `pulumi.secret()`
     * stays secret in the outputs. Changing `conf` submits a new run.
     * @default no parameters
     */
    conf?: pulumi.Input<Record<string, pulumi.Input<ConfValue>>> | undefined;
    /**
     * Any values; when one changes, the next `pulumi up` submits a new run even if nothing else
     * changed (the same rule as pulumi-command's `triggers`). Strings, numbers, booleans, null,
     * Dates (compared as ISO-8601 strings), resources, and lists and plain objects of these, also
     * inside Outputs and Promises. A value whose change could go unseen (a function, a Map or Set,
     * a class instance, undefined, NaN, a bigint) stops the program, naming it.
     * @default none
     */
    triggers?: pulumi.Input<pulumi.Input<unknown>[]> | undefined;
    /**
     * What `pulumi up` waits for after submitting: `"submission"` (return at once),
     * `"start"` (until the run leaves PREP) or `"completion"` (until it ends; a run that ends
     * FAILED or KILLED fails the deployment). Changing it never submits a new run.
     * @default "completion"
     */
    waitFor?: pulumi.Input<WaitFor> | undefined;
    /**
     * How long to wait, in seconds, before the deployment fails with the run kept in the stack
     * (the next `pulumi up` waits for the same run again). Pulumi's `customTimeouts` do not reach
     * dynamic providers, so this is the deadline. At most 604800 (seven days). Changing it never
     * submits a new run.
     * @default 3600 (one hour)
     */
    timeoutSeconds?: pulumi.Input<number> | undefined;
    /**
     * When true, deleting or replacing this resource stops a run that is still going (KillFlow)
     * and waits until it is KILLED (where the service has no KillFlow: suspends the run and kills
     * its running jobs, and reports what it stopped). When false, delete only removes the run from the stack.
     * Changing it never submits a new run.
     * @default false
     */
    killOnDelete?: pulumi.Input<boolean> | undefined;
}

/** The type token Pulumi gives a FlowSubmission (a dynamic resource's type carries the module and type names). */
const FLOW_SUBMISSION_TYPE = "pulumi-nodejs:dynamic/emr-flow:FlowSubmission";

/**
 * One run of an EMR flow, started by `pulumi up` with SubmitFlow. The flow instance ID
 * (`FI-…`) is the resource's ID. A change to `projectId`, `flowId`, `regionId`, `conf` or
 * `triggers` submits a new run; deleting the resource leaves the run alone unless
 * `killOnDelete` is set.
 *
 * @example
 * ```ts
 * const run = new FlowSubmission("nightly-etl", {
 *     projectId: "FP-0123456789ABCDEF", flowId: "F-0123456789ABCDEF", regionId: "cn-hangzhou",
 *     conf: { cyctime: new Date("2026-11-28T00:00:00Z"), bizdate: "20261127" },
 * });
 * export const instanceId = run.instanceId;
 * ```
 */
export class FlowSubmission extends pulumi.dynamic.Resource {
    /**
     * Whether `obj` is a FlowSubmission, even one created by another copy of this package (where
     * `instanceof` would say no), as Pulumi's generated resources do.
     */
    public static override isInstance(obj: unknown): obj is FlowSubmission {
        return typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === FLOW_SUBMISSION_TYPE;
    }

    /** The flow instance ID, `FI-…` (also the resource's `id`). */
    declare public readonly instanceId: pulumi.Output<string>;
    /** The RequestId of the SubmitFlow call, for Alibaba Cloud support. */
    declare public readonly requestId: pulumi.Output<string>;
    /** When the run was submitted, ISO-8601 (UTC). */
    declare public readonly submittedAt: pulumi.Output<string>;
    /**
     * The last status seen: `PREP`, `RUNNING`, `SUSPENDED`, `SUCCEEDED`, `FAILED`, `KILLED`
     * (or a newer value the service adds). `PREP` right after submission when `waitFor` is
     * `"submission"`; `pulumi refresh` reads the live value.
     */
    declare public readonly status: pulumi.Output<FlowInstanceStatus>;
    /** When the run started, ISO-8601; absent until it has. */
    declare public readonly startTime: pulumi.Output<string | undefined>;
    /** When the run ended, ISO-8601; absent until it has. */
    declare public readonly endTime: pulumi.Output<string | undefined>;
    /** How long the run took, in milliseconds; absent until known. */
    declare public readonly durationMs: pulumi.Output<number | undefined>;
    /** The run's nodes (name, job type, status, duration, retries, external ID) as last seen. */
    declare public readonly nodes: pulumi.Output<NodeSummary[] | undefined>;
    /** Nodes left out of `nodes`, which keeps at most 20 (those that did not succeed first); absent when none. */
    declare public readonly nodesOmitted: pulumi.Output<number | undefined>;
    /** The project ID, as given. */
    declare public readonly projectId: pulumi.Output<string>;
    /** The flow ID, as given. */
    declare public readonly flowId: pulumi.Output<string>;
    /** The region the run was submitted in (given, or the default the provider resolved). */
    declare public readonly regionId: pulumi.Output<string>;
    /** The parameters sent, with `cyctime` in epoch milliseconds; secret values stay secret. */
    declare public readonly conf: pulumi.Output<Record<string, string> | undefined>;
    /** The triggers, as given. */
    declare public readonly triggers: pulumi.Output<unknown[] | undefined>;
    /** What the deployment waits for, as given (default `"completion"`). */
    declare public readonly waitFor: pulumi.Output<WaitFor | undefined>;
    /** The wait's deadline in seconds, as given (default 3600). */
    declare public readonly timeoutSeconds: pulumi.Output<number | undefined>;
    /** Whether delete stops an unfinished run, as given (default false). */
    declare public readonly killOnDelete: pulumi.Output<boolean | undefined>;

    constructor(name: string, args: FlowSubmissionArgs, opts?: pulumi.CustomResourceOptions) {
        const refuse = (path: string, reason: string): never => {
            throw new Error(`FlowSubmission "${name}": ${path}: ${reason}`);
        };
        const props: pulumi.Inputs = {
            projectId: args.projectId,
            flowId: args.flowId,
            regionId: args.regionId,
            conf: args.conf === undefined ? undefined : normalizeConf(args.conf, refuse),
            triggers: args.triggers === undefined ? undefined : triggerValue(args.triggers, "triggers", refuse),
            waitFor: args.waitFor,
            timeoutSeconds: args.timeoutSeconds === undefined ? undefined : timeoutValue(args.timeoutSeconds, refuse),
            killOnDelete: args.killOnDelete,
            // Hidden: which stack this run belongs to, for the provider's submission record. The
            // engine tells a dynamic provider neither the stack nor the URN in `create`.
            __stack: stackIdentity(),
            // Outputs, declared so that Pulumi exposes them on the object.
            instanceId: undefined,
            requestId: undefined,
            submittedAt: undefined,
            status: undefined,
            startTime: undefined,
            endTime: undefined,
            durationMs: undefined,
            nodes: undefined,
            nodesOmitted: undefined,
        };
        super(providerShim, name, props, opts, "emr-flow", "FlowSubmission");
    }
}

/**
 * `<organization>/<project>/<stack>` of the program that declares the resource. Only the program
 * knows its stack: the engine starts the dynamic provider without it.
 */
function stackIdentity(): string {
    const meta = pulumi as unknown as { getOrganization?: () => string };
    let organization = "";
    try {
        organization = meta.getOrganization?.() ?? "";
    } catch {
        // An SDK without organizations: the project and stack still tell stacks apart.
    }
    return `${organization}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/**
 * A `Date` does not survive Pulumi's serialization of inputs, so Dates (and numbers) become the
 * strings and epoch milliseconds the provider checks (see `inputValues.ts`). Each value is handled
 * on its own, so a secret in `conf` keeps its own secretness.
 */
function normalizeConf(conf: pulumi.Input<Record<string, pulumi.Input<ConfValue>>>, refuse: (path: string, reason: string) => never): unknown {
    return mapInput(conf, (c) => {
        if (!c || typeof c !== "object" || Array.isArray(c)) return c;
        return Object.fromEntries(Object.entries(c as Record<string, unknown>).map(([key, value]) => [key, confValue(key, value, refuse)]));
    });
}

// The argument interface carries the TSDoc and is written out plainly (see
// `../provider/adapter/types.ts`); these lines keep it in step with the schema
// (`../provider/adapter/schema.ts`). Adding an input to the schema without documenting it here
// (or the reverse) fails to compile, and so does a plain input type that admits a value the
// schema's type does not, or a checked type or `WaitFor` that differs from the schema's in
// either direction. (The schema's input type takes any `conf` value, so that `check()` can say
// what was given; the plain type names what the program may write.) None of this reaches the
// declarations the package ships.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
type Admits<Wide, Narrow> = [Narrow] extends [Wide] ? true : never;
const argsMatchSchema: SameKeys<FlowSubmissionArgs, FlowSubmissionInputs> = true;
const valuesKeysMatchSchema: SameKeys<FlowSubmissionInputValues, FlowSubmissionInputs> = true;
const valuesAdmittedBySchema: Admits<FlowSubmissionInputs, FlowSubmissionInputValues> = true;
const checkedMatchSchema: Same<CheckedFlowSubmissionInputs, SchemaCheckedInputs> = true;
const waitForMatchesSchema: Same<WaitFor, SchemaWaitFor> = true;
void argsMatchSchema;
void valuesKeysMatchSchema;
void valuesAdmittedBySchema;
void checkedMatchSchema;
void waitForMatchesSchema;
