/**
 * pulumi-emr-flow: run Alibaba Cloud E-MapReduce (EMR) flows as Pulumi resources.
 *
 * The public API. Everything else in the package is internal.
 */
export { FlowSubmission } from "./flowSubmission";
export type { FlowSubmissionArgs } from "./flowSubmission";
export type { NodeSummary } from "../provider/runs/instanceFields";
export type { ConfValue, WaitFor, FlowInstanceStatus } from "./types";
export { FlowBackfill, MAX_BACKFILL_RUNS, BACKFILL_PLACEHOLDERS } from "./flowBackfill";
export type { FlowBackfillArgs, BackfillTime } from "./flowBackfill";
export { getFlowInstance, getFlowInstanceOutput, GET_FLOW_INSTANCE_TOKEN } from "./getFlowInstance";
export type { GetFlowInstanceArgs, GetFlowInstanceOutputArgs, FlowInstanceDetails } from "./getFlowInstance";
export { getFlowProject, getFlowProjectOutput, GET_FLOW_PROJECT_TOKEN } from "./getFlowProject";
export type { GetFlowProjectArgs, GetFlowProjectOutputArgs, FlowProjectDetails } from "./getFlowProject";
export { getFlow, getFlowOutput, GET_FLOW_TOKEN } from "./getFlow";
export type { GetFlowArgs, GetFlowOutputArgs, FlowDetails } from "./getFlow";
