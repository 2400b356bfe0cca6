/** Human-readable output of the command line. `--json` output does not come through here. */
import type { FlowInstanceDetails } from "../sdk/flowInstanceDetails";
import type { FlowInstanceSummary } from "../provider/client/responses";
import { formatElapsed } from "../provider/runs/waiter";

/** ISO-8601 without milliseconds: the service's times are whole seconds anyway. */
export function shortTime(iso: string | undefined): string {
    return iso ? iso.replace(/\.\d{3}Z$/, "Z") : "-";
}

function shortMs(ms: number | undefined): string {
    return ms ? shortTime(new Date(ms).toISOString()) : "-";
}

/** Pads columns to their widest cell, two spaces apart. */
export function table(rows: string[][]): string {
    const widths: number[] = [];
    for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
    return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")).join("\n");
}

/** `status`'s human output. */
export function describeDetails(d: FlowInstanceDetails): string {
    const finished = d.nodes.filter((n) => ["SUCCESS", "FAILED", "FAIL", "KILL_SUCCESS", "KILL_FAILED", "KILL_FAIL"].includes(n.status)).length;
    const head = table([
        ["instance", `${d.instanceId}  ${d.status}`],
        ["flow", `${d.flowId ?? "-"}${d.flowName ? ` (${d.flowName})` : ""}`],
        ["project", `${d.projectId} (${d.regionId})`],
        ["scheduled", shortTime(d.scheduleTime)],
        ["started", shortTime(d.startTime)],
        ["ended", shortTime(d.endTime)],
        ["duration", d.durationMs ? formatElapsed(d.durationMs) : "-"],
        ["nodes", `${finished}/${d.nodes.length} finished${d.hasNodeFailed ? ", a node failed" : ""}`],
    ]);
    if (d.nodes.length === 0) return head;
    const nodes = table(
        d.nodes.map((n) => [
            `  ${n.name}`,
            n.jobType ?? "-",
            n.status,
            n.durationMs ? formatElapsed(n.durationMs) : "-",
            [n.externalId, n.externalStatus].filter(Boolean).join(" ") || "",
        ]),
    );
    return `${head}\n${nodes}`;
}

/** The failed nodes of a run, for the line after a failure: what failed, in which job and engine job. */
export function failedNodes(d: FlowInstanceDetails): string | undefined {
    const failed = d.nodes.filter((n) => ["FAILED", "FAIL", "KILL_FAILED", "KILL_FAIL"].includes(n.status));
    if (failed.length === 0) return undefined;
    return failed.map((n) => `${n.name} (${[n.jobType, n.jobId, n.externalId, n.externalStatus].filter(Boolean).join(" ")})`).join("; ");
}

/** `list`'s human output. */
export function listTable(instances: FlowInstanceSummary[]): string {
    const rows = [["INSTANCE", "STATUS", "FLOW", "CREATED", "STARTED", "DURATION"]];
    for (const i of instances) {
        const duration = i.duration || (i.startTime && i.endTime ? i.endTime - i.startTime : undefined);
        rows.push([i.id, i.status, i.flowId ?? "-", shortMs(i.gmtCreate), shortMs(i.startTime), duration ? formatElapsed(duration) : "-"]);
    }
    return table(rows);
}
