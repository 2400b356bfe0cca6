/**
 * Running a finished run again on the same instance (RerunFlow): all its nodes, or only the
 * failed ones. The provider's update of a failed run and the command line's `rerun` both start
 * it here; waiting for it is `waiter.ts`'s.
 */
import type { ControlResult, EmrFlowClient, InstanceRef } from "../client/emrFlowClient";

export function rerunRun(client: EmrFlowClient, ref: InstanceRef, opts: { failedOnly: boolean }): Promise<ControlResult> {
    return client.rerunFlow({ ...ref, failedOnly: opts.failedOnly });
}
