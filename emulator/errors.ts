/**
 * API errors as Alibaba Cloud returns them. Every error the emulator answers goes through
 * `ApiError`, so the body shape (`RequestId`, `HostId`, `Code`, `Message`, `Recommend`) and the
 * HTTP status stay consistent across signature checks, parameter checks, faults and lifecycle.
 */
export class ApiError extends Error {
    constructor(
        public readonly status: number,
        public readonly code: string,
        message: string,
    ) {
        super(message);
        this.name = "ApiError";
    }
}

/** Error constructors, one per code, so a code is spelled in exactly one place. */
export const Errors = {
    missingParameter: (name: string) => new ApiError(400, "MissingParameter", `The input parameter "${name}" that is mandatory for processing this request is not supplied.`),
    invalidParameter: (name: string, why: string) => new ApiError(400, "InvalidParameter", `The specified parameter "${name}" is not valid: ${why}`),
    incompleteSignature: (why: string) => new ApiError(400, "IncompleteSignature", `The request signature does not conform to Aliyun standards: ${why}`),
    signatureDoesNotMatch: (why: string) => new ApiError(400, "SignatureDoesNotMatch", `Specified signature is not matched with our calculation. ${why}`),
    accessKeyNotFound: () => new ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
    timestampExpired: (value: string) => new ApiError(400, "InvalidTimeStamp.Expired", `Specified time stamp or date value is expired: ${value}`),
    timestampFormat: (value: string) => new ApiError(400, "InvalidTimeStamp.Format", `Specified time stamp or date value is not well formatted: ${value}`),
    nonceUsed: () => new ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already."),
    securityTokenMismatch: () => new ApiError(400, "InvalidSecurityToken.MismatchWithAccessKey", "The security token does not match the AccessKey ID."),
    unknownAction: (action: string) => new ApiError(404, "InvalidAction.NotFound", `Specified api is not found, please check your url and method: ${action}`),
    invalidVersion: (version: string) => new ApiError(400, "InvalidVersion", `Specified parameter Version is not valid: ${version}`),
    unsupportedMethod: (method: string) => new ApiError(400, "UnsupportedHTTPMethod", `This http method is not supported: ${method}`),
    requestTooLarge: (limit: number) => new ApiError(413, "RequestTooLarge", `The request body is larger than ${limit} bytes.`),
    badRequest: (why: string) => new ApiError(400, "InvalidRequest", why),
    throttled: () => new ApiError(400, "Throttling.User", "Request was denied due to user flow control."),
    internalError: () => new ApiError(500, "InternalError", "The request processing has failed due to some unknown error, exception or failure."),
    serviceUnavailable: () => new ApiError(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."),
    projectNotFound: () => new ApiError(404, "EMR.Project.NotFound", "project not exist"),
    flowNotFound: () => new ApiError(404, "EMR.Flow.NotFound", "flow not exist"),
    instanceNotFound: () => new ApiError(404, "EMR.FlowInstance.NotFound", "flow instance not exist"),
    nodeInstanceNotFound: () => new ApiError(404, "EMR.NodeInstance.NotFound", "node instance not exist"),
    nodeInvalidStatus: (id: string, status: string) =>
        new ApiError(400, "EMR.NodeInstance.InvalidStatus", `node instance ${id} is ${status}; only a running node instance can be killed`),
    invalidStatus: (id: string, status: string, wanted: string) =>
        new ApiError(400, "EMR.FlowInstance.InvalidStatus", `flow instance ${id} is ${status}; this operation needs it to be ${wanted}`),
} as const;
