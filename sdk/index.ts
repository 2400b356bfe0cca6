/**
 * pulumi-emr-flow: run Alibaba Cloud E-MapReduce (EMR) flows as Pulumi resources.
 *
 * The public API. Everything else in the package is internal.
 */
export { FlowSubmission } from "./flowSubmission";
export type { FlowSubmissionArgs } from "./flowSubmission";
export type { NodeSummary } from "../provider/dynamicProvider";
