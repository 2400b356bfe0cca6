/**
 * After a create or update has its run: wait as `waitFor` asks, then answer Pulumi with the
 * outputs, or with a partial failure that keeps the run in the stack and says what the next
 * `pulumi up` does.
 */
import type { EmrFlowClient } from "../client/emrFlowClient";
import { waitForInstance, type WaitClock, type WaitResult } from "../runs/waiter";
import { DEFAULT_TIMEOUT_SECONDS } from "./schema";
import { PROVIDER_KEY, liveFields, stripUndefined, waitForOf, type FlowSubmissionState } from "./state";

/** An error Pulumi turns into a partial failure: the resource stays in state with this id. */
export class ResourceInitError extends Error {
    constructor(
        message: string,
        public readonly id: string,
        public readonly properties: Record<string, unknown>,
        public readonly reasons: string[],
    ) {
        super(message);
        this.name = "ResourceInitError";
    }
}

export interface ReportDeps {
    client(): EmrFlowClient;
    clock: WaitClock;
    print(line: string): void;
}

/**
 * Waits as `waitFor` asks, then returns the outputs or throws a partial failure that keeps the
 * instance. The partial failure's properties become the state as they are (the host adds
 * `__provider` only to successful results), and refresh and destroy load the provider from
 * the state: so they carry `__provider` themselves.
 */
export async function waitAndReport(
    d: ReportDeps,
    state: FlowSubmissionState,
    startedAtMs: number,
    phase: "create" | "update",
    providerCode: unknown,
): Promise<Record<string, unknown>> {
    const keep = (outs: Record<string, unknown>) => (typeof providerCode === "string" ? { ...outs, [PROVIDER_KEY]: providerCode } : outs);
    const waitFor = waitForOf(state);
    if (waitFor === "submission") return stripUndefined(state);
    const timeoutSeconds = state.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const client = d.client();
    let result: WaitResult;
    try {
        result = await waitForInstance({
            instanceId: state.instanceId,
            until: waitFor,
            startedAt: startedAtMs,
            deadline: startedAtMs + timeoutSeconds * 1000,
            describe: ({ deadline }) => client.describeFlowInstance({ regionId: state.regionId, projectId: state.projectId, instanceId: state.instanceId }, { deadline }),
            clock: d.clock,
            progress: (line) => d.print(line),
        });
    } catch (err) {
        // Whatever went wrong while waiting, the instance exists: keep it in state.
        const reason = err instanceof Error ? err.message : String(err);
        throw new ResourceInitError(
            `emr-flow: ${state.instanceId} was submitted but waiting for it failed: ${reason}. It is kept in the stack; the next \`pulumi up\` waits for it again.`,
            state.instanceId,
            keep(stripUndefined(state)),
            [reason],
        );
    }
    if (result.instance) Object.assign(state, liveFields(result.instance));
    const outs = stripUndefined(state);
    if (result.outcome === "timeout") {
        const message =
            `emr-flow: ${state.instanceId} did not reach "${waitFor}" within timeoutSeconds=${timeoutSeconds} (last status ${state.status}` +
            `${result.lastError ? `; last error: ${result.lastError.message}` : ""}). ` +
            `It is kept in the stack and still running; the next \`pulumi up\` waits for the same instance again. Raise timeoutSeconds to wait longer.`;
        throw new ResourceInitError(message, state.instanceId, keep(outs), [message]);
    }
    if (state.status === "FAILED" || state.status === "KILLED") {
        const failedNodes = (state.nodes ?? []).filter((n) => ["FAILED", "FAIL", "KILL_FAILED", "KILL_FAIL"].includes(n.status));
        const nodes = failedNodes.length
            ? ` Failed nodes: ${failedNodes.map((n) => `${n.name} (${n.jobType ?? "job"} ${n.jobId ?? ""}${n.externalId ? `, ${n.externalId}` : ""}${n.externalStatus ? ` ${n.externalStatus}` : ""})`.replace(/ \)/g, ")").replace(/ ,/g, ",")).join("; ")}.`
            : "";
        const next =
            state.status === "FAILED"
                ? "The next `pulumi up` reruns its failed nodes (RerunFlow) on the same instance."
                : "The next `pulumi up` submits a new run.";
        const message = `emr-flow: ${state.instanceId} ended ${state.status} during ${phase}.${nodes} It is kept in the stack. ${next}`;
        throw new ResourceInitError(message, state.instanceId, keep(outs), [message]);
    }
    return outs;
}
