// The EMR API client: typed actions, parsed answers, typed errors, retry, rate limit, settings and credentials (what `pulumi-emr-flow/client` exports).
/**
 * `pulumi-emr-flow/client`: the typed EMR flow API client, for scripts and programs that call
 * the API directly. It is the same client, settings and error types FlowSubmission uses.
 *
 * A separate entry point from `pulumi-emr-flow/provider` on purpose: the provider host loads
 * that one for every resource call, and `check()` at preview needs none of the HTTP stack.
 */
export { EmrFlowClient, EMR_API_VERSION } from "./emrFlowClient";
export type { EmrFlowClientDeps, InstanceRef, SubmitFlowParams, ListFlowInstancesParams, ListFlowInstancesResult, ControlResult } from "./emrFlowClient";
export { resolveSettings, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_READ_TIMEOUT_MS, CONFIG_KEYS, ENV_VARS } from "./settings";
export type { ClientSettings, ExplicitSettings, SettingsSources } from "./settings";
export {
    EmrFlowError,
    EmrApiError,
    EmrNetworkError,
    EmrResponseError,
    SubmissionOutcomeUnknownError,
    CredentialsError,
    EmrConfigError,
    isNotFoundError,
} from "./errors";
export { isFinalFlowStatus, isFinalNodeStatus, FLOW_STATUSES, NODE_STATUSES } from "./responses";
export type { FlowInstance, FlowInstanceSummary, NodeInstance, FlowStatus, NodeStatus } from "./responses";
export { endpointForRegion, KNOWN_REGIONS } from "./endpoint";
export { DEFAULT_RETRY_POLICY } from "./retry";
export type { RetryPolicy } from "./retry";
