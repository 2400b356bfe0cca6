// The program of the end-to-end tests: one FlowSubmission per entry of the stack config `runs`,
// each described by the same fields FlowSubmission takes, so a test changes a run by changing
// config. `secretConf` (set with `pulumi config set --secret`) adds a conf value that is secret.
import * as pulumi from "@pulumi/pulumi";
import { FlowSubmission, type FlowSubmissionArgs } from "pulumi-emr-flow";

interface RunConfig {
    flowId: string;
    conf?: Record<string, string>;
    triggers?: unknown[];
    waitFor?: FlowSubmissionArgs["waitFor"];
    timeoutSeconds?: number;
    killOnDelete?: boolean;
    /** Adds `conf.password` from the secret config `secretConf`. */
    withSecret?: boolean;
}

const config = new pulumi.Config();
const projectId = config.get("projectId") ?? "FP-D3M0000000000001";
const runs = config.requireObject<Record<string, RunConfig>>("runs");
const secretConf = config.getSecret("secretConf");

export const instanceIds: Record<string, pulumi.Output<string>> = {};
export const statuses: Record<string, pulumi.Output<string>> = {};
for (const [name, run] of Object.entries(runs)) {
    const conf: Record<string, pulumi.Input<string>> = { ...run.conf };
    if (run.withSecret && secretConf) conf.password = pulumi.secret(secretConf);
    const submission = new FlowSubmission(name, {
        projectId,
        flowId: run.flowId,
        conf,
        triggers: run.triggers,
        waitFor: run.waitFor,
        timeoutSeconds: run.timeoutSeconds,
        killOnDelete: run.killOnDelete,
    });
    instanceIds[name] = submission.instanceId;
    statuses[name] = submission.status;
}
