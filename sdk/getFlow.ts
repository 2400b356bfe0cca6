/**
 * `getFlow`: a flow's ID from its name within a project (ListFlow), so a program names the flow
 * it runs rather than pasting `F-…` strings. Given a `flowId` instead, it checks that the flow
 * exists in the project (DescribeFlow) and returns its name.
 *
 * Like `getFlowInstance` it runs in the program's own process with the provider's settings, in
 * preview too, and under `pulumi.runtime.setMocks` it is an invoke of {@link GET_FLOW_TOKEN} that
 * the test's `mocks.call` answers (see `lookupRuntime.ts`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { FlowDetails } from "./flowCatalogDetails";

export type { FlowDetails } from "./flowCatalogDetails";

/** The arguments of {@link getFlow}: the project, and a `name` or a `flowId`, not both. */
export interface GetFlowArgs {
    /** The project that holds the flow, `FP-…` (the `FP-` may be left out); `getFlowProject` finds it by name. Required. */
    projectId: string;
    /** The flow's name, matched exactly (case included). */
    name?: string | undefined;
    /** The flow's ID, `F-` followed by 16 characters. */
    flowId?: string | undefined;
    /**
     * The project's region, such as `cn-hangzhou`.
     * Default: stack config `alicloud:region`, then `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`.
     */
    regionId?: string | undefined;
}

/** The arguments of {@link getFlowOutput}: the same as {@link GetFlowArgs}, each an Input. */
export interface GetFlowOutputArgs {
    /** The project that holds the flow; may be `getFlowProjectOutput(...).projectId`. Required. */
    projectId: pulumi.Input<string>;
    /** The flow's name, matched exactly. */
    name?: pulumi.Input<string | undefined>;
    /** The flow's ID, `F-…`. */
    flowId?: pulumi.Input<string | undefined>;
    /** The project's region. Default: stack config `alicloud:region`, then `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`. */
    regionId?: pulumi.Input<string | undefined>;
}

/**
 * The token under which {@link getFlow} reaches `mocks.call` under `pulumi.runtime.setMocks`.
 * The call's `inputs` are the arguments as given (`projectId`, `name` or `flowId`, and
 * `regionId` when set); whatever the mock returns is the result.
 */
export const GET_FLOW_TOKEN = "pulumi-emr-flow:index:getFlow";

type InputsModule = typeof import("../provider/runs/inputs");
type LookupModule = typeof import("../provider/runs/lookup");
type LookupRuntimeModule = typeof import("./lookupRuntime");
type DetailsModule = typeof import("./flowCatalogDetails");

/**
 * Finds one flow of a project by its name (or checks one by its ID) and returns its ID, name and
 * schedule.
 *
 * Rejects when no flow of the project has that name, listing the names the service's filter let
 * through, and when more than one has it, listing their IDs (pass the one you mean as `flowId`);
 * also with the client's error for credentials, network or API failures.
 *
 * @example
 * ```ts
 * const flow = await getFlow({ projectId: "FP-0123456789ABCDEF", name: "nightly-etl" });
 * new FlowSubmission("nightly", { projectId: flow.projectId, flowId: flow.flowId });
 * ```
 */
export async function getFlow(args: GetFlowArgs): Promise<FlowDetails> {
    const { checkId } = require("../provider/runs/inputs") as InputsModule;
    const problems: string[] = [];
    const given = (v: unknown) => v !== undefined && v !== null;
    const project = checkId("project", args?.projectId, "to find it by name, use getFlowProject({ name })");
    if (!("id" in project)) problems.push(`projectId ${JSON.stringify(args?.projectId)} ${project.reason}`);
    if (given(args?.name) === given(args?.flowId)) {
        problems.push(given(args?.name) ? "pass either name or flowId, not both" : "pass the flow's name (or its flowId)");
    } else if (given(args.name) && (typeof args.name !== "string" || args.name.trim() === "")) {
        problems.push(`name must be a flow's name, got ${JSON.stringify(args.name)}`);
    } else if (given(args.flowId)) {
        const checked = checkId("flow", args.flowId, "to find a flow by name, pass name instead");
        if (!("id" in checked)) problems.push(`flowId ${JSON.stringify(args.flowId)} ${checked.reason}`);
    }
    if (args?.regionId !== undefined && typeof args.regionId !== "string") problems.push("regionId must be a string such as cn-hangzhou");
    if (problems.length > 0) throw new Error(`emr-flow: getFlow: ${problems.join("; ")}`);

    const { lookupOrInvoke } = require("./lookupRuntime") as LookupRuntimeModule;
    return lookupOrInvoke(GET_FLOW_TOKEN, { projectId: args.projectId, name: args.name, flowId: args.flowId, regionId: args.regionId }, () => lookupFlow(args));
}

/**
 * The lookup itself: ListFlow (by name) or DescribeFlow (by ID) with the settings the provider
 * reads. Arguments are already checked.
 *
 * @internal
 */
export async function lookupFlow(args: GetFlowArgs): Promise<FlowDetails> {
    const { checkId } = require("../provider/runs/inputs") as InputsModule;
    const { findFlow, LookupError } = require("../provider/runs/lookup") as LookupModule;
    const { programClient } = require("./lookupRuntime") as LookupRuntimeModule;
    const { toFlowDetails } = require("./flowCatalogDetails") as DetailsModule;
    const checked = checkId("project", args.projectId);
    const projectId = "id" in checked ? checked.id : args.projectId;
    const { client, regionId } = programClient(args.regionId);
    try {
        const flow = await findFlow(client, { regionId: args.regionId ?? (regionId || undefined), projectId, name: args.flowId === undefined ? args.name : undefined, flowId: args.flowId });
        return toFlowDetails(flow, projectId, regionId);
    } catch (err) {
        if (LookupError.isInstance(err)) throw new LookupError(err.code, `emr-flow: getFlow: ${err.message}`, err.kind, err.matches);
        throw err;
    }
}

/**
 * {@link getFlow} for Inputs: each argument may be an Output (say `getFlowProjectOutput`'s
 * `projectId`), and the result is an Output (unknown while an argument is).
 *
 * @example
 * ```ts
 * const project = getFlowProjectOutput({ name: "data-platform" });
 * const flow = getFlowOutput({ projectId: project.projectId, name: "nightly-etl" });
 * new FlowSubmission("nightly", { projectId: flow.projectId, flowId: flow.flowId });
 * ```
 */
export function getFlowOutput(args: GetFlowOutputArgs): pulumi.Output<FlowDetails> {
    return pulumi
        .output(args)
        .apply((a) => getFlow({ projectId: a.projectId, name: a.name ?? undefined, flowId: a.flowId ?? undefined, regionId: a.regionId ?? undefined }));
}
