import * as pulumi from "@pulumi/pulumi";
import { FlowSubmission } from "pulumi-emr-flow";

// The defaults are the local emulator's demo project (`npm run emulator`); set
// `pulumi config set projectId FP-…` and `flowId F-…` to run one of your own flows.
const config = new pulumi.Config();

const run = new FlowSubmission("nightly-etl", {
    projectId: config.get("projectId") ?? "FP-D3M0000000000001",
    flowId: config.get("flowId") ?? "F-D3M0000000000001",
    // regionId falls back to `alicloud:region` / ALIBABA_CLOUD_REGION when not given.
    regionId: config.get("regionId"),
    conf: {
        cyctime: new Date("2026-11-28T00:00:00Z"),
        bizdate: "20261127",
    },
    waitFor: config.get("waitFor") as "submission" | "start" | "completion" | undefined,
});

export const instanceId = run.instanceId;
export const status = run.status;
