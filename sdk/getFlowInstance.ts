/**
 * `getFlowInstance`: the live details of any flow instance, including runs this stack did not
 * start. Pulumi cannot import dynamic resources (pulumi/pulumi#16175), so this lookup is how a
 * stack depends on, or reports, a run started elsewhere (by the EMR scheduler, the console, the
 * `emr-flow` command line or another stack).
 *
 * It is not a provider invoke: dynamic providers have none. It runs in the program's own process
 * and calls DescribeFlowInstance directly, with the same settings the provider reads (stack config
 * `alicloud:*` and `emr-flow:*`, then the environment, then Alibaba's credential chain). It is
 * read-only, so it runs during preview as well as during `pulumi up`: a preview already shows the
 * real status, and a wrong ID fails the preview rather than the deployment.
 *
 * Under `pulumi.runtime.setMocks` (a user's unit tests) it calls out to nothing: the lookup becomes
 * an invoke of {@link GET_FLOW_INSTANCE_TOKEN}, which the test's `mocks.call` answers, and neither
 * Alibaba's client nor its credential chain is loaded.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FlowInstanceDetails } from "./flowInstanceDetails";

export type { FlowInstanceDetails } from "./flowInstanceDetails";

/** The arguments of {@link getFlowInstance}. */
export interface GetFlowInstanceArgs {
    /** The flow instance to look up, `FI-` followed by 16 characters. Required. */
    instanceId: string;
    /** The project that owns the instance, `FP-` followed by 16 characters (the `FP-` may be left out). Required (the API needs it). */
    projectId: string;
    /**
     * The project's region, such as `cn-hangzhou`.
     * @default stack config `alicloud:region`, then `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`
     */
    regionId?: string | undefined;
}

/** The arguments of {@link getFlowInstanceOutput}: the same as {@link GetFlowInstanceArgs}, each an Input. */
export interface GetFlowInstanceOutputArgs {
    /** The flow instance to look up, `FI-…`; may be another resource's output. Required. */
    instanceId: pulumi.Input<string>;
    /** The project that owns the instance, `FP-…`. Required. */
    projectId: pulumi.Input<string>;
    /**
     * The project's region.
     * @default stack config `alicloud:region`, then `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`
     */
    regionId?: pulumi.Input<string | undefined> | undefined;
}

/**
 * The token under which {@link getFlowInstance} reaches `mocks.call` when the program runs under
 * `pulumi.runtime.setMocks`. The call's `inputs` are the arguments as given (`instanceId`,
 * `projectId`, and `regionId` when set); whatever the mock returns is the result.
 */
export const GET_FLOW_INSTANCE_TOKEN = "pulumi-emr-flow:index:getFlowInstance";

type InputsModule = typeof import("../provider/runs/inputs");
type LookupRuntimeModule = typeof import("./lookupRuntime");
type ErrorsModule = typeof import("../provider/client/errors");
type DetailsModule = typeof import("./flowInstanceDetails");

/**
 * Looks up one flow instance and returns its live status, times and nodes. Like every Pulumi
 * `get` function it returns a Promise; use {@link getFlowInstanceOutput} to pass Outputs in and
 * get an Output back.
 *
 * Rejects with an error that names the instance and the project when the instance does not
 * exist, and with the client's error (which says what to do) for credentials, network or API
 * failures. Runs in preview too (see the module comment). Under `pulumi.runtime.setMocks` it
 * calls nothing: the test's `mocks.call` answers it, with the token {@link GET_FLOW_INSTANCE_TOKEN}.
 *
 * @example
 * ```ts
 * const run = await getFlowInstance({ instanceId: "FI-0123456789ABCDEF", projectId: "FP-0123456789ABCDEF" });
 * export const status = run.status;
 * ```
 */
export async function getFlowInstance(args: GetFlowInstanceArgs): Promise<FlowInstanceDetails> {
    // Required here rather than at the top: every program loads the SDK, and only the programs
    // that look runs up should pay for these modules. The ID checks are plain code; Alibaba's
    // client (and zod, which parses its answers) is loaded by lookupRuntime only when the lookup
    // really calls EMR, never under mocks.
    const { INSTANCE_ID_PATTERN, checkId } = require("../provider/runs/inputs") as InputsModule;
    const problems: string[] = [];
    if (typeof args?.instanceId !== "string" || !INSTANCE_ID_PATTERN.test(args.instanceId)) {
        problems.push(`instanceId ${JSON.stringify(args?.instanceId)} is not a flow instance ID such as FI-0123456789ABCDEF`);
    }
    const project = checkId("project", args?.projectId, "to find it by name, use getFlowProject({ name })");
    if (!("id" in project)) problems.push(`projectId ${JSON.stringify(args?.projectId)} ${project.reason}`);
    if (args?.regionId !== undefined && typeof args.regionId !== "string") {
        problems.push(`regionId must be a string such as cn-hangzhou`);
    }
    if (problems.length > 0) throw new Error(`emr-flow: getFlowInstance: ${problems.join("; ")}`);

    const { lookupOrInvoke } = require("./lookupRuntime") as LookupRuntimeModule;
    return lookupOrInvoke(GET_FLOW_INSTANCE_TOKEN, { instanceId: args.instanceId, projectId: args.projectId, regionId: args.regionId }, () => lookupFlowInstance(args));
}

/**
 * The lookup itself: DescribeFlowInstance with the settings the provider reads. Arguments are
 * already checked.
 *
 * @internal
 */
export async function lookupFlowInstance(args: GetFlowInstanceArgs): Promise<FlowInstanceDetails> {
    const { isNotFoundError } = require("../provider/client/errors") as ErrorsModule;
    const { toFlowInstanceDetails } = require("./flowInstanceDetails") as DetailsModule;
    const { programClient } = require("./lookupRuntime") as LookupRuntimeModule;
    const { checkId } = require("../provider/runs/inputs") as InputsModule;
    const project = checkId("project", args.projectId);
    const projectId = "id" in project ? project.id : args.projectId;
    const { client, regionId } = programClient(args.regionId);
    try {
        const instance = await client.describeFlowInstance({ regionId: args.regionId, projectId, instanceId: args.instanceId });
        return toFlowInstanceDetails(instance, regionId);
    } catch (err) {
        if (isNotFoundError(err)) {
            throw new Error(
                `emr-flow: flow instance ${args.instanceId} was not found in project ${projectId}${regionId ? ` (region ${regionId})` : ""}. ` +
                    `Check the instance ID, and that it belongs to this project and region.`,
            );
        }
        throw err;
    }
}

/**
 * {@link getFlowInstance} for Inputs: each argument may be an Output (say a FlowSubmission's
 * `instanceId`), and the result is an Output. While an argument is unknown (a preview of a run not
 * submitted yet) the result is unknown too.
 *
 * @example
 * ```ts
 * const upstream = getFlowInstanceOutput({ instanceId: config.require("upstreamRun"), projectId });
 * export const upstreamStatus = upstream.status;
 * ```
 */
export function getFlowInstanceOutput(args: GetFlowInstanceOutputArgs): pulumi.Output<FlowInstanceDetails> {
    return pulumi.output(args).apply((a) => getFlowInstance({ instanceId: a.instanceId, projectId: a.projectId, regionId: a.regionId ?? undefined }));
}
