import * as pulumi from "@pulumi/pulumi";
import { FlowSubmission, getFlowOutput, getFlowProjectOutput } from "pulumi-emr-flow";

// The defaults are the local emulator's demo project (`npm run emulator`); set
// `pulumi config set project <name>` and `flow <name>` to run one of your own flows.
const config = new pulumi.Config();
const regionId = config.get("regionId");

// Names in, IDs out: ListFlowProject finds the project, ListFlow the flow within it. A name that
// matches nothing, or more than one project or flow, fails the preview with the candidates listed.
const project = getFlowProjectOutput({ name: config.get("project") ?? "emulator-demo", regionId });
const flow = getFlowOutput({ projectId: project.projectId, name: config.get("flow") ?? "nightly-etl", regionId });

const run = new FlowSubmission("nightly", {
    projectId: flow.projectId,
    flowId: flow.flowId,
    regionId,
    conf: { cyctime: new Date("2026-11-28T00:00:00Z"), bizdate: "20261127" },
    waitFor: config.get("waitFor") as "submission" | "start" | "completion" | undefined,
});

export const projectId = project.projectId;
export const flowId = flow.flowId;
export const instanceId = run.instanceId;
export const status = run.status;
