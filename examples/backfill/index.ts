import * as pulumi from "@pulumi/pulumi";
import { FlowBackfill, getFlowInstanceOutput } from "pulumi-emr-flow";

// The defaults are the local emulator's demo project (`npm run emulator`); set
// `pulumi config set projectId FP-…` and `flowId F-…` to backfill one of your own flows.
const config = new pulumi.Config();
const projectId = config.get("projectId") ?? "FP-D3M0000000000001";
const regionId = config.get("regionId");

// One run per day from `from` to `to` (both included), each with its own cyctime and bizdate,
// at most `maxConcurrent` at once. Widen or narrow the range and `pulumi up` submits only the
// days that were added: the others keep their runs.
const backfill = new FlowBackfill("nov", {
    projectId,
    regionId,
    flowId: config.get("flowId") ?? "F-D3M0000000000001",
    from: config.get("from") ?? "2026-11-01",
    to: config.get("to") ?? "2026-11-07",
    every: "1d",
    // Dates are read, and placeholders filled, at this offset: midnight in Beijing.
    utcOffset: "+08:00",
    conf: { bizdate: "{yyyyMMdd}", partition: "dt={yyyy-MM-dd}" },
    maxConcurrent: config.getNumber("maxConcurrent") ?? 3,
});

export const runs = backfill.instanceIds;
export const statusCounts = backfill.statusCounts;

// A run this stack did not start (the EMR scheduler's, say): looked up, not managed.
const upstreamRun = config.get("upstreamRun");
export const upstreamStatus = upstreamRun ? getFlowInstanceOutput({ instanceId: upstreamRun, projectId, regionId }).status : undefined;
