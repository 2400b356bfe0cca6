// The Pulumi adapter: what the dynamic provider host loads, by package name (`pulumi-emr-flow/provider`), for every FlowSubmission.
/**
 * The typed EMR flow client for direct use is `pulumi-emr-flow/client` (`../client`); the
 * operations on runs the adapter translates Pulumi's calls into are in `../runs`.
 */
import { FlowSubmissionProvider } from "./dynamicProvider";

/** The provider every FlowSubmission in this process shares (one client, one configuration). */
export const flowSubmissionProvider = new FlowSubmissionProvider();

export { FlowSubmissionProvider } from "./dynamicProvider";
export type { FlowSubmissionState, NodeSummary, ProviderDeps } from "./dynamicProvider";
