/**
 * What a FlowSubmission keeps in Pulumi's state, and the small translations between that state,
 * the inputs and a run's live fields.
 */
import { runFields, type NodeSummary } from "../runs/instanceFields";
import type { FlowInstance } from "../client/responses";
import { DEFAULT_WAIT_FOR } from "./schema";
// The plain forms of the schema's types, so this module's declarations do not reach zod's.
import type { CheckedFlowSubmissionInputs, WaitFor } from "./types";

export type { NodeSummary } from "../runs/instanceFields";

/** The key under which the host keeps the serialized provider in inputs and state. */
export const PROVIDER_KEY = "__provider";

/**
 * The hidden input that names the stack a FlowSubmission belongs to, `<organization>/<project>/<stack>`,
 * set by the SDK from the program's own `pulumi.getOrganization()`, `getProject()` and `getStack()`.
 * The engine tells a dynamic provider neither the stack nor the resource's URN in `create`, so this
 * is how the submission record keeps two stacks of one project apart. It decides nothing about the
 * run: diff ignores it, it is not an output, and state written before it existed simply lacks it.
 */
export const STACK_KEY = "__stack";

/**
 * The value Pulumi sends for an input that is not known yet (during preview). Kept here rather
 * than beside `check` (`inputs.ts`), whose declarations name the zod schema, so that the
 * provider's public declarations, which re-export it, do not reach zod's.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * The most nodes a FlowSubmission keeps in its `nodes` output. Each node is about 250 bytes of
 * state; a resource without nodes is about 5 KB (mostly `__provider`, twice). Twenty nodes keep
 * the largest resource within about twice that, so a stack of a thousand runs of a wide flow
 * stays around 10 MB of state instead of growing with the flows' width. Nodes that did not
 * succeed come first (they are the ones a failure message names); `nodesOmitted` counts the rest,
 * and `getFlowInstance` or `emr-flow status` show every node.
 */
export const MAX_NODES_IN_STATE = 20;

/** Everything a FlowSubmission keeps in state. */
export interface FlowSubmissionState extends CheckedFlowSubmissionInputs {
    instanceId: string;
    requestId: string;
    submittedAt: string;
    status: string;
    startTime?: string;
    endTime?: string;
    durationMs?: number;
    nodes?: NodeSummary[];
    /** Nodes of the run left out of `nodes` (see {@link MAX_NODES_IN_STATE}); absent when none. */
    nodesOmitted?: number;
}

export const INPUT_KEYS = ["projectId", "flowId", "regionId", "conf", "triggers", "waitFor", "timeoutSeconds", "killOnDelete"];

export function waitForOf(inputs: { waitFor?: unknown }): WaitFor {
    const value = inputs.waitFor;
    return value === "submission" || value === "start" || value === "completion" ? value : (DEFAULT_WAIT_FOR as WaitFor);
}

/** Whether a run in `status` has done what `waitFor` asks of it. */
export function requirementMet(waitFor: WaitFor, status: string | undefined): boolean {
    if (waitFor === "submission") return true;
    if (status === undefined) return false;
    // A run that failed or was killed did not do what the stack waits for, whatever it waits for.
    if (waitFor === "start") return status === "RUNNING" || status === "SUSPENDED" || status === "SUCCEEDED";
    return status === "SUCCEEDED";
}

/** The run's live fields, clearing times an earlier attempt left (a rerun has not ended yet). */
export function liveFields(instance: FlowInstance): Partial<FlowSubmissionState> {
    const fields = runFields(instance);
    return { startTime: undefined, endTime: undefined, durationMs: undefined, nodesOmitted: undefined, ...fields, ...boundedNodes(fields.nodes) };
}

/** At most {@link MAX_NODES_IN_STATE} nodes, those that did not succeed first, in run order otherwise. */
export function boundedNodes(nodes: NodeSummary[]): { nodes: NodeSummary[]; nodesOmitted?: number } {
    if (nodes.length <= MAX_NODES_IN_STATE) return { nodes };
    const keep = new Set<NodeSummary>();
    for (const n of nodes) if (keep.size < MAX_NODES_IN_STATE && n.status !== "SUCCESS") keep.add(n);
    for (const n of nodes) if (keep.size < MAX_NODES_IN_STATE) keep.add(n);
    return { nodes: nodes.filter((n) => keep.has(n)), nodesOmitted: nodes.length - keep.size };
}

/** The inputs among state or inputs (no outputs, no `__provider`, no `__stack`). */
export function inputsOf(props: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of INPUT_KEYS) if (props[key] !== undefined) out[key] = props[key];
    return out;
}

export function stripProvider(props: Record<string, unknown>): Record<string, unknown> {
    const { [PROVIDER_KEY]: _ignored, [STACK_KEY]: _stack, ...rest } = props;
    return rest;
}

/** Pulumi's Struct encoding fails on `undefined` anywhere: drop such keys, deeply. */
export function stripUndefined<T>(value: T): Record<string, unknown> {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
