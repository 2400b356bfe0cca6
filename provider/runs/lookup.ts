/**
 * Finding the IDs a run needs from the names people know: a project by its name (ListFlowProject)
 * and a flow by its name within a project (ListFlow), or either by its ID. Shared by the SDK's
 * `getFlowProject` / `getFlow` and the command line's `projects`, `flows` and `--project <name>`.
 *
 * Alibaba does not document whether the service's `Name` filter matches a whole name or a part of
 * one, so the filter is only a first cut: every page it lets through is read, and a name matches
 * when it is equal, case included. The result is the same under either behaviour.
 */
import type { EmrFlowClient } from "../client/emrFlowClient";
import { EmrFlowError, isNotFoundError } from "../client/errors";
import type { FlowProject, FlowSummary, Page } from "../client/responses";

/** Items asked for per page while reading every page of a list. */
export const LOOKUP_PAGE_SIZE = 100;
/** The most pages read for one lookup (10,000 items): a bound against a service that never says it is done. */
export const MAX_LOOKUP_PAGES = 100;
/** How many near names a "no match" error shows. */
const MAX_NEAR_SHOWN = 5;

/** Why a lookup found nothing, or more than one. */
export type LookupErrorCode = "NoMatch" | "ManyMatches";

/**
 * A lookup that did not find exactly one project or flow. `matches` holds what it found: the
 * several matches (ManyMatches) or the near names the service's filter let through (NoMatch).
 */
export class LookupError extends EmrFlowError {
    declare readonly code: LookupErrorCode;
    constructor(
        code: LookupErrorCode,
        message: string,
        readonly kind: "project" | "flow",
        readonly matches: { id: string; name: string }[],
    ) {
        super(code, message);
    }

    static override isInstance(value: unknown): value is LookupError {
        return EmrFlowError.isInstance(value) && value.name === "LookupError";
    }
}

/**
 * Every item of a paged list, read page by page until the total is reached, a page comes back
 * short or empty, or a page brings nothing new (a service that ignores `PageNumber`).
 */
export async function allPages<T extends { id: string }>(fetch: (pageNumber: number, pageSize: number) => Promise<Page<T>>): Promise<T[]> {
    const byId = new Map<string, T>();
    for (let pageNumber = 1; pageNumber <= MAX_LOOKUP_PAGES; pageNumber++) {
        const page = await fetch(pageNumber, LOOKUP_PAGE_SIZE);
        const before = byId.size;
        for (const item of page.items) if (!byId.has(item.id)) byId.set(item.id, item);
        if (page.items.length === 0 || byId.size === before || byId.size >= page.total || page.items.length < Math.min(page.pageSize, LOOKUP_PAGE_SIZE)) break;
    }
    return [...byId.values()];
}

const where = (regionId: string | undefined) => (regionId ? ` in region ${regionId}` : "");

function listed(items: { id: string; name: string }[]): string {
    return items.map((i) => `${i.id} ("${i.name}")`).join(", ");
}

/** The projects the credentials can see in the region; with `name`, only those named exactly that. */
export async function listProjects(client: EmrFlowClient, q: { regionId?: string; name?: string }): Promise<FlowProject[]> {
    const seen = await allPages((pageNumber, pageSize) => client.listFlowProjects({ regionId: q.regionId, name: q.name, pageNumber, pageSize }));
    return q.name === undefined ? seen : seen.filter((p) => p.name === q.name);
}

/** The flows of a project; with `name`, only those named exactly that. */
export async function listFlows(client: EmrFlowClient, q: { regionId?: string; projectId: string; name?: string }): Promise<FlowSummary[]> {
    const seen = await allPages((pageNumber, pageSize) => client.listFlows({ regionId: q.regionId, projectId: q.projectId, name: q.name, pageNumber, pageSize }));
    // A flow of another project never matches, whatever the service's filter did.
    const own = seen.filter((f) => f.projectId === undefined || f.projectId === q.projectId);
    return q.name === undefined ? own : own.filter((f) => f.name === q.name);
}

/**
 * The one project named `name`, or the project `projectId` (in its canonical `FP-` form).
 * Throws {@link LookupError} when none or more than one matches, listing what it found.
 */
export async function findProject(client: EmrFlowClient, q: { regionId?: string; name?: string; projectId?: string }): Promise<FlowProject> {
    if (q.projectId !== undefined) {
        const id = q.projectId;
        const seen = await allPages((pageNumber, pageSize) => client.listFlowProjects({ regionId: q.regionId, projectId: id, pageNumber, pageSize }));
        const found = seen.find((p) => p.id === id);
        if (found) return found;
        throw new LookupError(
            "NoMatch",
            `no project ${id}${where(q.regionId)} that these credentials can see. Check the ID and the region; list the projects with: emr-flow projects`,
            "project",
            [],
        );
    }
    const name = q.name ?? "";
    const seen = await allPages((pageNumber, pageSize) => client.listFlowProjects({ regionId: q.regionId, name, pageNumber, pageSize }));
    const matches = seen.filter((p) => p.name === name);
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) {
        throw new LookupError(
            "ManyMatches",
            `${matches.length} projects are named "${name}"${where(q.regionId)}: ${listed(matches)}. Pass the ID of the one you mean instead of the name.`,
            "project",
            matches.map((p) => ({ id: p.id, name: p.name })),
        );
    }
    const near = seen.slice(0, MAX_NEAR_SHOWN);
    throw new LookupError(
        "NoMatch",
        `no project is named "${name}"${where(q.regionId)}` +
            (near.length > 0 ? `; names that come close: ${listed(near)}${seen.length > near.length ? ` and ${seen.length - near.length} more` : ""}` : "") +
            `. Names match exactly, case included. Check the name, the region and that these credentials can see the project; list the projects with: emr-flow projects`,
        "project",
        near.map((p) => ({ id: p.id, name: p.name })),
    );
}

/**
 * The one flow named `name` in the project, or the flow `flowId` (DescribeFlow). Throws
 * {@link LookupError} when none or more than one matches, listing what it found.
 */
export async function findFlow(client: EmrFlowClient, q: { regionId?: string; projectId: string; name?: string; flowId?: string }): Promise<FlowSummary> {
    if (q.flowId !== undefined) {
        try {
            const { requestId: _requestId, namespace: _n, lifecycle: _l, logArchiveLocation: _a, graph: _g, parentFlows: _p, ...flow } = await client.describeFlow({
                regionId: q.regionId,
                projectId: q.projectId,
                flowId: q.flowId,
            });
            return { ...flow, projectId: flow.projectId ?? q.projectId };
        } catch (err) {
            if (!isNotFoundError(err)) throw err;
            throw new LookupError(
                "NoMatch",
                `no flow ${q.flowId} in project ${q.projectId}${where(q.regionId)} (${(err as EmrFlowError).code}). Check the flow ID and that it belongs to this project; list the project's flows with: emr-flow flows --project ${q.projectId}`,
                "flow",
                [],
            );
        }
    }
    const name = q.name ?? "";
    const seen = await allPages((pageNumber, pageSize) => client.listFlows({ regionId: q.regionId, projectId: q.projectId, name, pageNumber, pageSize }));
    const own = seen.filter((f) => f.projectId === undefined || f.projectId === q.projectId);
    const matches = own.filter((f) => f.name === name);
    if (matches.length === 1) return { ...matches[0], projectId: matches[0].projectId ?? q.projectId };
    if (matches.length > 1) {
        throw new LookupError(
            "ManyMatches",
            `${matches.length} flows are named "${name}" in project ${q.projectId}: ${listed(matches)}. Pass the ID of the one you mean instead of the name.`,
            "flow",
            matches.map((f) => ({ id: f.id, name: f.name })),
        );
    }
    const near = own.slice(0, MAX_NEAR_SHOWN);
    throw new LookupError(
        "NoMatch",
        `no flow is named "${name}" in project ${q.projectId}${where(q.regionId)}` +
            (near.length > 0 ? `; names that come close: ${listed(near)}${own.length > near.length ? ` and ${own.length - near.length} more` : ""}` : "") +
            `. Names match exactly, case included. List the project's flows with: emr-flow flows --project ${q.projectId}`,
        "flow",
        near.map((f) => ({ id: f.id, name: f.name })),
    );
}
