/**
 * Classifying what a call through `@alicloud/openapi-client` (or Node's HTTP stack under it)
 * threw: one function turns it into one of the client's errors (`errors.ts`), deciding
 * `retryable` by the API's `Code` and whether the request may have reached the service. Text
 * from the client is scrubbed (see `redact.ts`), and the original error is kept only as a
 * scrubbed copy.
 */
import { EmrFlowError, EmrApiError, EmrNetworkError, EmrResponseError } from "./errors";
import { Redactor } from "./redact";

/**
 * Throttling codes: the service did not run the call; retry after a pause. `ThrottlingException`
 * is the Tea SDKs' name for a throttled answer, not a documented wire code, but a gateway that
 * speaks it means the same.
 */
export const THROTTLING_CODES: ReadonlySet<string> = new Set(["Throttling", "Throttling.User", "Throttling.Api", "Rejected.Throttling", "ThrottlingException"]);

/** Codes retried besides throttling and any 5xx. */
export const OTHER_RETRYABLE_CODES: ReadonlySet<string> = new Set([
    "ServiceUnavailable",
    "InternalError",
    // The nonce was seen before: a new attempt gets a new nonce (the client makes one per call).
    "SignatureNonceUsed",
]);

/** Codes that retrying can never fix, whatever their HTTP status. */
export const NEVER_RETRY_CODES: ReadonlySet<string> = new Set([
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "InvalidSecurityToken.Expired",
    "InvalidSecurityToken.Malformed",
    "InvalidSecurityToken.MismatchWithAccessKey",
    "InvalidTimeStamp.Expired",
    "InvalidTimeStamp.Format",
    "MissingParameter",
    "InvalidParameter",
    "Forbidden",
    "Forbidden.RAM",
    "NoPermission",
]);

/** What the client knows about the call that failed; used for messages only. */
export interface ErrorContext {
    /** The API action, e.g. `SubmitFlow`. */
    action: string;
    regionId?: string;
    projectId?: string;
    flowId?: string;
    instanceId?: string;
    /** `host[:port]` the call went to. */
    endpoint?: string;
    /** Where the credentials came from, e.g. `stack config alicloud:accessKey`. */
    credentialSource?: string;
    /** HTTP status and content type seen on the wire, when the client error itself lacks them. */
    statusCode?: number;
    contentType?: string;
    /**
     * Whether a TCP connection was made for the request, when known. `false` proves the request
     * was never sent, whatever the error's name says.
     */
    connected?: boolean;
    /** Scrubs known secret values; patterns alone are used when absent. */
    redactor?: Redactor;
}

/** Whether an API error code (with its HTTP status) is worth retrying. */
export function isRetryableCode(code: string, statusCode?: number): boolean {
    if (NEVER_RETRY_CODES.has(code)) return false;
    if (THROTTLING_CODES.has(code) || OTHER_RETRYABLE_CODES.has(code)) return true;
    // Any other code beginning with "Throttling" is throttling too (the service adds suffixes).
    if (/^Throttling\b/.test(code)) return true;
    // 429 Too Many Requests is throttling whatever the code says.
    if (statusCode === 429) return true;
    if (statusCode === 403) return false;
    return statusCode !== undefined && statusCode >= 500 && statusCode <= 599;
}

function target(ctx: ErrorContext): string {
    const parts: string[] = [];
    if (ctx.instanceId) parts.push(`instance ${ctx.instanceId}`);
    if (ctx.flowId) parts.push(`flow ${ctx.flowId}`);
    if (ctx.projectId) parts.push(`project ${ctx.projectId}`);
    if (ctx.regionId) parts.push(`region ${ctx.regionId}`);
    return parts.length > 0 ? ` for ${parts.join(", ")}` : "";
}

/** What a 404 answer's message advises; the command line puts its own, which names its options, in its place. */
export const NOT_FOUND_ADVICE = "Check that the project, flow or instance exists in this region and that the endpoint is right.";

function adviceFor(code: string, statusCode: number | undefined, ctx: ErrorContext, recommend: string | undefined): string {
    const creds = ctx.credentialSource ? ` (credentials from ${ctx.credentialSource})` : "";
    if (isThrottlingAnswer(code, statusCode)) {
        return "The service is throttling requests: wait and try again, or run fewer submissions at once.";
    }
    switch (code) {
        case "SignatureDoesNotMatch":
        case "IncompleteSignature":
            return `The request signature was rejected: check that the AccessKey secret matches the AccessKey ID${creds}. If a proxy rewrites requests, try signatureVersion "v2".`;
        case "InvalidAccessKeyId.NotFound":
        case "InvalidAccessKeyId.Inactive":
            return `The AccessKey ID does not exist or is disabled${creds}: check it in the RAM console.`;
        case "InvalidSecurityToken.Expired":
        case "InvalidSecurityToken.Malformed":
        case "InvalidSecurityToken.MismatchWithAccessKey":
            return `The STS token is expired or does not match the AccessKey ID${creds}: obtain fresh STS credentials.`;
        case "InvalidTimeStamp.Expired":
        case "InvalidTimeStamp.Format":
            return "The request time was rejected: check that this machine's clock is correct (UTC).";
        case "MissingParameter":
        case "InvalidParameter":
            return "Check the project, flow and instance IDs and the flow's conf values.";
        case "SignatureNonceUsed":
            return "The request nonce was reused; a new attempt uses a new one.";
        case "ServiceUnavailable":
        case "InternalError":
            return "The EMR service had a temporary problem: try again later.";
        default:
            break;
    }
    if (/^Invalid(Action|Api)\.NotFound$/.test(code)) {
        // The endpoint does not know the action at all: no ID is at fault.
        const where = ctx.endpoint ? `${ctx.endpoint} does` : "The endpoint does";
        return `${where} not offer ${ctx.action}: the service has dropped or never had this action, or the endpoint is not the EMR 2016-04-08 API. No project, flow or instance ID is at fault; check the endpoint setting.`;
    }
    if (statusCode === 403 || /^Forbidden|NoPermission/.test(code)) {
        return `The caller${creds} lacks permission for emr:${ctx.action}: grant it in RAM (for example the AliyunEMRFullAccess policy) or use other credentials.`;
    }
    if (statusCode === 404) return NOT_FOUND_ADVICE;
    if (statusCode !== undefined && statusCode >= 500) return "The EMR service had a temporary problem: try again later.";
    return recommend ? `See ${recommend} for a diagnosis.` : "Check the inputs named above.";
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
    if (typeof value === "string" && value !== "" && value !== "undefined") return value;
    if (typeof value === "number") return String(value);
    return undefined;
}

/** A copy of an error that is safe to print: scrubbed name, message, code and stack, nothing else. */
export class ScrubbedError extends Error {
    declare readonly code?: string;
    constructor(original: unknown, redactor: Redactor) {
        const rec = asRecord(original);
        const message = original instanceof Error ? original.message : typeof original === "string" ? original : safeStringify(original);
        super(redactor.scrub(message));
        const name = original instanceof Error ? original.name : "Error";
        this.name = redactor.scrub(name);
        const code = rec ? str(rec["code"]) : undefined;
        if (code !== undefined) this.code = redactor.scrub(code);
        const stack = original instanceof Error && typeof original.stack === "string" ? original.stack : undefined;
        if (stack !== undefined) this.stack = redactor.scrub(stack);
    }
}

function safeStringify(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}

// Node's system error codes that mean the connection was never made: nothing was sent.
const NOT_CONNECTED_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);
const DNS_CODES: ReadonlySet<string> = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);
const AMBIGUOUS_CODES: ReadonlySet<string> = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE"]);

function networkAdvice(ctx: ErrorContext): string {
    return `Check that ${ctx.endpoint ?? "the endpoint"} is reachable from this machine (proxy, firewall, DNS) and that the endpoint setting is right.`;
}

/**
 * Turns anything thrown by a call through `@alicloud/openapi-client` into an
 * {@link EmrFlowError}. Decides `retryable` by the API's `Code` (not the HTTP status alone):
 * throttling, `ServiceUnavailable`, `InternalError`, `SignatureNonceUsed` and any other 5xx are
 * retryable; signature, AccessKey, timestamp, parameter and permission errors are not. Network
 * errors are retryable; non-JSON answers are retryable when their status is 5xx or unknown.
 * Whether a retryable error is actually retried also depends on the call (see `retry.ts`).
 */
export function classifyError(raw: unknown, ctx: ErrorContext): EmrFlowError {
    if (EmrFlowError.isInstance(raw)) return raw;
    const redactor = ctx.redactor ?? new Redactor();
    const scrub = (s: string): string => redactor.scrub(s);
    const cause = new ScrubbedError(raw, redactor);
    const rec = asRecord(raw) ?? {};
    const name = raw instanceof Error ? raw.name : "";
    const rawMessage = raw instanceof Error ? raw.message : typeof raw === "string" ? raw : "";
    const where = target(ctx);

    // 1. The service answered with an error body: openapi-client's ResponseError carries the body
    //    as `data` (with `statusCode` added) and the API's Code as `code`.
    const data = asRecord(rec["data"]);
    const statusFromData = data ? Number(data["statusCode"]) : NaN;
    const statusCode = typeof rec["statusCode"] === "number" ? rec["statusCode"] : Number.isFinite(statusFromData) ? statusFromData : ctx.statusCode;
    // 0. The server refused the request as too large (HTTP 413, 414, 431), whatever its body: it
    //    stopped at the request line or headers, so nothing was accepted and nothing was started.
    if (statusCode === 413 || statusCode === 414 || statusCode === 431) {
        const requestId = data ? (str(data["RequestId"]) ?? str(data["requestId"])) : undefined;
        const message =
            `EMR ${ctx.action}${where} was refused as too large (HTTP ${statusCode}) by ${ctx.endpoint ?? "the endpoint"}: the request was not accepted, so nothing was started. ` +
            "Its parameters (the conf above all) travel in the URL's query string: shorten them, or pass large values by reference (an OSS path, say)." +
            (requestId ? ` Request ID: ${requestId}.` : "");
        return new EmrApiError("RequestTooLarge", message, { statusCode, requestId, retryable: false, cause });
    }
    if (data && statusCode !== undefined && (str(data["Code"]) ?? str(data["code"]) ?? str(rec["code"])) !== undefined) {
        const code = scrub(str(data["Code"]) ?? str(data["code"]) ?? str(rec["code"]) ?? "Unknown");
        const apiMessageRaw = str(data["Message"]) ?? str(data["message"]);
        const apiMessage = apiMessageRaw !== undefined ? scrub(apiMessageRaw) : undefined;
        const requestId = str(data["RequestId"]) ?? str(data["requestId"]);
        const recommendRaw = str(data["Recommend"]) ?? str(data["recommend"]);
        const recommend = recommendRaw !== undefined ? redactor.scrub(recommendRaw, { keepQueries: true }) : undefined;
        const hostId = str(data["HostId"]) ?? str(data["hostId"]);
        const retryable = isRetryableCode(code, statusCode);
        const message =
            `EMR ${ctx.action}${where} failed with ${code} (HTTP ${statusCode})` +
            (apiMessage ? `: ${apiMessage}` : "") +
            `. ${adviceFor(code, statusCode, ctx, recommend)}` +
            (requestId ? ` Request ID: ${requestId}.` : "");
        return new EmrApiError(code, message, { statusCode, requestId, retryable, cause, apiMessage, recommend, hostId });
    }

    // 2. The answer was not JSON: openapi-client's JSON.parse threw. The status, if known, came
    //    from the wire (the SyntaxError itself has none).
    if (raw instanceof SyntaxError || name === "SyntaxError") {
        const status = ctx.statusCode;
        const retryable = status === undefined || (status >= 500 && status <= 599) || status === 429;
        const kind = ctx.contentType ? ` (${ctx.contentType.split(";")[0]})` : "";
        const message =
            `EMR ${ctx.action}${where} got an answer that is not JSON${status !== undefined ? ` with HTTP ${status}` : ""}${kind} from ${ctx.endpoint ?? "the endpoint"}. ` +
            (retryable
                ? "This usually comes from a proxy or gateway in front of the service and is often temporary."
                : "Check that the endpoint points at the EMR API and not at a web page or a proxy's login page.");
        return new EmrResponseError("NonJsonResponse", message, { statusCode: status, retryable, cause });
    }

    // 3. Network errors from Node or from the transport (httpx).
    const sysCode = str(rec["code"]);
    if (name === "RequestTimeoutError" || /^RequestTimeout/.test(name)) {
        // httpx names both timeouts so; "ConnectTimeout" is really a socket idle timer that also
        // runs while waiting for the answer, so neither proves the request was not sent.
        const neverConnected = ctx.connected === false;
        const code = /ConnectTimeout/.test(rawMessage) ? "ConnectTimeout" : "ReadTimeout";
        const message = neverConnected
            ? `EMR ${ctx.action}${where} could not connect to ${ctx.endpoint ?? "the endpoint"} within the connect timeout; nothing was sent. ${networkAdvice(ctx)}`
            : `EMR ${ctx.action}${where} timed out waiting for an answer from ${ctx.endpoint ?? "the endpoint"}. ` +
              `Raise emr-flow:readTimeoutMs if the service is slow, or check the network between this machine and the endpoint.`;
        return new EmrNetworkError(code, message, {
            retryable: true,
            cause,
            phase: neverConnected ? "connect" : "send-or-wait",
            requestMayHaveBeenSent: !neverConnected,
        });
    }
    if (sysCode && NOT_CONNECTED_CODES.has(sysCode)) {
        const message = `EMR ${ctx.action}${where} could not connect to ${ctx.endpoint ?? "the endpoint"} (${sysCode}); nothing was sent. ${networkAdvice(ctx)}`;
        return new EmrNetworkError(sysCode, message, { retryable: true, cause, phase: "connect", requestMayHaveBeenSent: false });
    }
    if (sysCode && DNS_CODES.has(sysCode)) {
        const message = `EMR ${ctx.action}${where} could not resolve ${ctx.endpoint ?? "the endpoint"} (${sysCode}); nothing was sent. ${networkAdvice(ctx)}`;
        return new EmrNetworkError(sysCode, message, { retryable: true, cause, phase: "dns", requestMayHaveBeenSent: false });
    }
    if ((sysCode && AMBIGUOUS_CODES.has(sysCode)) || /socket hang up/i.test(rawMessage)) {
        const code = /socket hang up/i.test(rawMessage) ? "SocketHangUp" : (sysCode ?? "SocketHangUp");
        const neverConnected = ctx.connected === false;
        const message = neverConnected
            ? `EMR ${ctx.action}${where} could not connect to ${ctx.endpoint ?? "the endpoint"} (${code}); nothing was sent. ${networkAdvice(ctx)}`
            : `EMR ${ctx.action}${where}: the connection to ${ctx.endpoint ?? "the endpoint"} was closed before an answer arrived (${code}). ${networkAdvice(ctx)}`;
        return new EmrNetworkError(code, message, {
            retryable: true,
            cause,
            phase: neverConnected ? "connect" : "send-or-wait",
            requestMayHaveBeenSent: !neverConnected,
        });
    }
    if (sysCode && /^(E[A-Z]+|ERR_[A-Z_]+)$/.test(sysCode)) {
        // Some other system error (TLS, protocol...): whether anything was sent is unknown.
        const message = `EMR ${ctx.action}${where} failed talking to ${ctx.endpoint ?? "the endpoint"}: ${sysCode} ${scrub(rawMessage)}. ${networkAdvice(ctx)}`;
        return new EmrNetworkError(sysCode, message, { retryable: false, cause, phase: "send-or-wait", requestMayHaveBeenSent: true });
    }

    // 4. Anything else (a bug, an unexpected throw from the SDK): not retried.
    const message = `EMR ${ctx.action}${where} failed unexpectedly: ${scrub(rawMessage || safeStringify(raw))}`;
    return new EmrFlowError(sysCode ? scrub(sysCode) : "UnexpectedError", message, { retryable: false, cause });
}

// ----- what an error answer proves about a request that is not idempotent -----

/**
 * Codes of a failure inside the service: it may have carried out the request before failing (a
 * backend that created a run and then failed to answer), so they prove nothing about its effect.
 */
export const SERVER_FAILURE_CODES: ReadonlySet<string> = new Set([
    "InternalError",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceTimeout",
    "UnknownError",
    "Timeout",
]);

/** Whether an error answer is throttling: a throttling code, or HTTP 429. */
export function isThrottlingAnswer(code: string, statusCode?: number): boolean {
    return THROTTLING_CODES.has(code) || /^Throttling\b/.test(code) || statusCode === 429;
}

/**
 * Whether an error answer proves that the service did not carry out the request. Only two kinds
 * do: throttling (the gateway turned the call away before it reached the backend), and the
 * service rejecting the request itself (a 4xx: bad signature, unknown AccessKey, missing or
 * invalid parameter, project or flow not found, no permission). A 5xx, an answer without a
 * status, a 408, or a server-failure code under any status proves nothing: the backend may have
 * acted before it failed.
 */
export function answerProvesNotAccepted(code: string, statusCode?: number): boolean {
    if (isThrottlingAnswer(code, statusCode)) return true;
    if (SERVER_FAILURE_CODES.has(code)) return false;
    return statusCode !== undefined && statusCode >= 400 && statusCode <= 499 && statusCode !== 408;
}
