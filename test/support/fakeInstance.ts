import type { FlowInstance, NodeInstance } from "../../provider/client/responses";

/** A FlowInstance as the client returns it, with defaults for what a test does not care about. */
export function fakeInstance(overrides: Partial<Omit<FlowInstance, "nodes">> & { nodes?: Partial<NodeInstance>[] } = {}): FlowInstance {
    const { nodes = [], ...rest } = overrides;
    return {
        id: "FI-0000000000000001",
        status: "RUNNING",
        projectId: "FP-0123456789ABCDEF",
        flowId: "F-0123456789ABCDEF",
        hasNodeFailed: false,
        parentFlows: [],
        ...rest,
        nodes: nodes.map((n, i) => ({ id: `FNI-${String(i).padStart(16, "0")}`, status: "RUNNING", ...n })),
    };
}
