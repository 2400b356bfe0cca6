/**
 * `getFlowProject`: an EMR project's ID from its name (ListFlowProject), so a program names the
 * project it runs flows in rather than pasting `FP-…` strings. Given a `projectId` instead, it
 * checks that the project exists and returns its name.
 *
 * Like `getFlowInstance` it runs in the program's own process with the provider's settings, in
 * preview too, and under `pulumi.runtime.setMocks` it is an invoke of
 * {@link GET_FLOW_PROJECT_TOKEN} that the test's `mocks.call` answers (see `lookupRuntime.ts`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { FlowProjectDetails } from "./flowCatalogDetails";

export type { FlowProjectDetails } from "./flowCatalogDetails";

/** The arguments of {@link getFlowProject}: a `name` or a `projectId`, not both. */
export interface GetFlowProjectArgs {
    /** The project's name, matched exactly (case included). */
    name?: string | undefined;
    /** The project's ID, `FP-` followed by 16 characters (the `FP-` may be left out). */
    projectId?: string | undefined;
    /**
     * The project's region, such as `cn-hangzhou`.
     * Default: stack config `alicloud:region`, then `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`.
     */
    regionId?: string | undefined;
}

/** The arguments of {@link getFlowProjectOutput}: the same as {@link GetFlowProjectArgs}, each an Input. */
export interface GetFlowProjectOutputArgs {
    /** The project's name, matched exactly. */
    name?: pulumi.Input<string | undefined>;
    /** The project's ID, `FP-…`. */
    projectId?: pulumi.Input<string | undefined>;
    /** The project's region. Default: stack config `alicloud:region`, then `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`. */
    regionId?: pulumi.Input<string | undefined>;
}

/**
 * The token under which {@link getFlowProject} reaches `mocks.call` under
 * `pulumi.runtime.setMocks`. The call's `inputs` are the arguments as given (`name` or
 * `projectId`, and `regionId` when set); whatever the mock returns is the result.
 */
export const GET_FLOW_PROJECT_TOKEN = "pulumi-emr-flow:index:getFlowProject";

type InputsModule = typeof import("../provider/runs/inputs");
type LookupModule = typeof import("../provider/runs/lookup");
type LookupRuntimeModule = typeof import("./lookupRuntime");
type DetailsModule = typeof import("./flowCatalogDetails");

/**
 * Finds one project by its name (or checks one by its ID) and returns its ID, name and times.
 *
 * Rejects when no project has that name, listing the names the service's filter let through, and
 * when more than one has it, listing their IDs (pass the one you mean as `projectId`); also with
 * the client's error for credentials, network or API failures.
 *
 * @example
 * ```ts
 * const project = await getFlowProject({ name: "data-platform" });
 * new FlowSubmission("nightly", { projectId: project.projectId, flowId: "F-0123456789ABCDEF" });
 * ```
 */
export async function getFlowProject(args: GetFlowProjectArgs): Promise<FlowProjectDetails> {
    const { checkId } = require("../provider/runs/inputs") as InputsModule;
    const problems: string[] = [];
    const given = (v: unknown) => v !== undefined && v !== null;
    if (given(args?.name) === given(args?.projectId)) {
        problems.push(given(args?.name) ? "pass either name or projectId, not both" : "pass the project's name (or its projectId)");
    } else if (given(args.name) && (typeof args.name !== "string" || args.name.trim() === "")) {
        problems.push(`name must be a project's name, got ${JSON.stringify(args.name)}`);
    } else if (given(args.projectId)) {
        const checked = checkId("project", args.projectId, "to find a project by name, pass name instead");
        if (!("id" in checked)) problems.push(`projectId ${JSON.stringify(args.projectId)} ${checked.reason}`);
    }
    if (args?.regionId !== undefined && typeof args.regionId !== "string") problems.push("regionId must be a string such as cn-hangzhou");
    if (problems.length > 0) throw new Error(`emr-flow: getFlowProject: ${problems.join("; ")}`);

    const { lookupOrInvoke } = require("./lookupRuntime") as LookupRuntimeModule;
    return lookupOrInvoke(GET_FLOW_PROJECT_TOKEN, { name: args.name, projectId: args.projectId, regionId: args.regionId }, () => lookupFlowProject(args));
}

/**
 * The lookup itself: ListFlowProject with the settings the provider reads. Arguments are already
 * checked.
 *
 * @internal
 */
export async function lookupFlowProject(args: GetFlowProjectArgs): Promise<FlowProjectDetails> {
    const { checkId } = require("../provider/runs/inputs") as InputsModule;
    const { findProject, LookupError } = require("../provider/runs/lookup") as LookupModule;
    const { programClient } = require("./lookupRuntime") as LookupRuntimeModule;
    const { toFlowProjectDetails } = require("./flowCatalogDetails") as DetailsModule;
    const { client, regionId } = programClient(args.regionId);
    const checked = args.projectId === undefined ? undefined : checkId("project", args.projectId);
    const projectId = checked && "id" in checked ? checked.id : undefined;
    try {
        const project = await findProject(client, { regionId: args.regionId ?? (regionId || undefined), name: projectId ? undefined : args.name, projectId });
        return toFlowProjectDetails(project, regionId);
    } catch (err) {
        if (LookupError.isInstance(err)) throw new LookupError(err.code, `emr-flow: getFlowProject: ${err.message}`, err.kind, err.matches);
        throw err;
    }
}

/**
 * {@link getFlowProject} for Inputs: each argument may be an Output, and the result is an Output
 * (unknown while an argument is).
 *
 * @example
 * ```ts
 * const project = getFlowProjectOutput({ name: config.require("project") });
 * new FlowSubmission("nightly", { projectId: project.projectId, flowId });
 * ```
 */
export function getFlowProjectOutput(args: GetFlowProjectOutputArgs): pulumi.Output<FlowProjectDetails> {
    return pulumi
        .output(args)
        .apply((a) => getFlowProject({ name: a.name ?? undefined, projectId: a.projectId ?? undefined, regionId: a.regionId ?? undefined }));
}
