import * as pulumi from "@pulumi/pulumi";
import { FlowSubmission } from "pulumi-emr-flow";

const config = new pulumi.Config();
const projectId = config.get("projectId") ?? "FP-D3M0000000000001";
const regionId = config.get("regionId");
const waitFor = config.get("waitFor") as "submission" | "start" | "completion" | undefined;

// Load: runs first. With the default waitFor ("completion") the deployment moves on only once
// it has succeeded.
const load = new FlowSubmission("load", {
    projectId,
    regionId,
    flowId: config.get("loadFlowId") ?? "F-D3M0000000000001",
    conf: { bizdate: "20261127" },
    waitFor,
});

// Report: its conf holds the load run's instance ID, so Pulumi submits it after the load run
// and a new load run (a new ID) submits a new report run too.
const report = new FlowSubmission("report", {
    projectId,
    regionId,
    flowId: config.get("reportFlowId") ?? "F-D3M0000000000001",
    conf: { bizdate: "20261127", upstreamInstanceId: load.instanceId },
    waitFor,
});

export const loadInstanceId = load.instanceId;
export const reportInstanceId = report.instanceId;
export const reportStatus = report.status;
