/**
 * The errors of the EMR flow client (what `classify.ts` turns whatever the HTTP stack threw into).
 *
 * Every error has a stable `code`, says whether retrying can help (`retryable`), and carries the
 * request ID when the service gave one. Messages say what happened, to which project, flow or
 * instance, and what the user can do. No error built here holds an AccessKey secret or an STS
 * token, in its message or in any property: text from the client is scrubbed (see `redact.ts`)
 * and the original error is kept only as a scrubbed copy.
 */
import { scrubText } from "./redact";

const BRAND = Symbol.for("pulumi-emr-flow:EmrFlowError");

/** Options every {@link EmrFlowError} accepts. */
export interface EmrFlowErrorOptions {
    statusCode?: number;
    requestId?: string;
    retryable?: boolean;
    cause?: Error;
    /** How many attempts were made before giving up (set by the retry loop). */
    attempts?: number;
}

/**
 * The base of every error this package's client throws. Use {@link EmrFlowError.isInstance}
 * rather than `instanceof`: two copies of the package (say one under the program and one under
 * the provider host) each have their own class.
 */
export class EmrFlowError extends Error {
    /** A stable, machine-readable code: the API's `Code` for service errors, else this package's. */
    readonly code: string;
    /** The HTTP status of the answer, when there was one. */
    declare readonly statusCode?: number;
    /** The service's request ID, when it gave one: quote it to Alibaba Cloud support. */
    declare readonly requestId?: string;
    /** Whether the same call may succeed if made again later (throttling, 5xx, network). */
    readonly retryable: boolean;
    /** How many attempts were made, when the call was retried. */
    declare attempts?: number;
    /** The error this one was made from, scrubbed of secrets. */
    declare readonly cause?: Error;

    constructor(code: string, message: string, options: EmrFlowErrorOptions = {}) {
        super(message);
        this.name = new.target.name;
        this.code = code;
        this.retryable = options.retryable ?? false;
        if (options.statusCode !== undefined) this.statusCode = options.statusCode;
        if (options.requestId !== undefined) this.requestId = options.requestId;
        if (options.attempts !== undefined) this.attempts = options.attempts;
        if (options.cause !== undefined) {
            // Not enumerable: keeps JSON output short; util.inspect still shows it.
            Object.defineProperty(this, "cause", { value: options.cause, enumerable: false, writable: false, configurable: true });
        }
        Object.defineProperty(this, BRAND, { value: true, enumerable: false });
    }

    /** True for an error made by any copy of this package. */
    static isInstance(value: unknown): value is EmrFlowError {
        return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
    }
}

/** The service answered with an error body (`Code`, `Message`, `RequestId`...). */
export class EmrApiError extends EmrFlowError {
    /** The service's `Message`, scrubbed. */
    declare readonly apiMessage?: string;
    /** The service's `Recommend` (a diagnosis URL), when given. */
    declare readonly recommend?: string;
    declare readonly hostId?: string;

    constructor(code: string, message: string, options: EmrFlowErrorOptions & { apiMessage?: string; recommend?: string; hostId?: string }) {
        super(code, message, options);
        if (options.apiMessage !== undefined) this.apiMessage = options.apiMessage;
        if (options.recommend !== undefined) this.recommend = options.recommend;
        if (options.hostId !== undefined) this.hostId = options.hostId;
    }

    static override isInstance(value: unknown): value is EmrApiError {
        return EmrFlowError.isInstance(value) && value.name === "EmrApiError";
    }
}

/** Where in the exchange a network error happened, as far as the client can tell. */
export type NetworkPhase = "dns" | "connect" | "send-or-wait" | "response";

/**
 * The request did not get an answer: connection refused, reset, timed out, DNS failure...
 * `requestMayHaveBeenSent` is false only when the request provably never left (the connection
 * was never made), which is what decides whether a non-idempotent call may be retried.
 */
export class EmrNetworkError extends EmrFlowError {
    readonly phase: NetworkPhase;
    readonly requestMayHaveBeenSent: boolean;

    constructor(code: string, message: string, options: EmrFlowErrorOptions & { phase: NetworkPhase; requestMayHaveBeenSent: boolean }) {
        super(code, message, options);
        this.phase = options.phase;
        this.requestMayHaveBeenSent = options.requestMayHaveBeenSent;
    }

    static override isInstance(value: unknown): value is EmrNetworkError {
        return EmrFlowError.isInstance(value) && value.name === "EmrNetworkError";
    }
}

/** Codes of {@link EmrResponseError}. */
export type EmrResponseErrorCode = "NonJsonResponse" | "UnexpectedResponse";

/**
 * An answer came back but could not be used: not JSON (an HTML page from a proxy, say), or JSON
 * that does not have the shape the API documents.
 */
export class EmrResponseError extends EmrFlowError {
    constructor(code: EmrResponseErrorCode, message: string, options: EmrFlowErrorOptions = {}) {
        super(code, message, options);
    }

    static override isInstance(value: unknown): value is EmrResponseError {
        return EmrFlowError.isInstance(value) && value.name === "EmrResponseError";
    }
}

/**
 * A SubmitFlow whose outcome is unknown: the request may have reached the service, which may have
 * started an instance. SubmitFlow has no idempotency token, so this is never retried: submitting
 * again could start a second run.
 */
export class SubmissionOutcomeUnknownError extends EmrFlowError {
    readonly regionId: string;
    readonly projectId: string;
    readonly flowId: string;
    /** Epoch ms: an instance started by this submission was created no earlier than this... */
    readonly windowStart: number;
    /** ...and no later than this. */
    readonly windowEnd: number;

    constructor(options: { regionId: string; projectId: string; flowId: string; windowStart: number; windowEnd: number; reason: string; cause?: Error; attempts?: number }) {
        const from = new Date(options.windowStart).toISOString();
        const to = new Date(options.windowEnd).toISOString();
        super(
            "SubmissionOutcomeUnknown",
            `SubmitFlow of flow ${options.flowId} in project ${options.projectId} (region ${options.regionId}) may or may not have started a flow instance: ${options.reason}. ` +
                `It was not retried, because submitting again could start a second run. ` +
                `Before retrying, look for an instance of ${options.flowId} created between ${from} and ${to} ` +
                `(ListFlowInstance with ProjectId=${options.projectId} and FlowId=${options.flowId}, or the EMR console's Operation Center for the project).`,
            { retryable: false, cause: options.cause, attempts: options.attempts },
        );
        this.regionId = options.regionId;
        this.projectId = options.projectId;
        this.flowId = options.flowId;
        this.windowStart = options.windowStart;
        this.windowEnd = options.windowEnd;
    }

    static override isInstance(value: unknown): value is SubmissionOutcomeUnknownError {
        return EmrFlowError.isInstance(value) && value.name === "SubmissionOutcomeUnknownError";
    }
}

/** Codes of {@link CredentialsError}. */
export type CredentialsErrorCode = "CredentialsNotFound" | "CredentialsIncomplete" | "CredentialsUnavailable";

/**
 * No usable credentials. The message lists every place that was looked at, by name only: it
 * never contains a secret.
 */
export class CredentialsError extends EmrFlowError {
    /** The places looked at, in order (names of settings, variables and files; never values). */
    readonly lookedAt: readonly string[];

    constructor(code: CredentialsErrorCode, message: string, lookedAt: readonly string[], options: EmrFlowErrorOptions = {}) {
        super(code, message, { ...options, retryable: false });
        this.lookedAt = [...lookedAt];
    }

    static override isInstance(value: unknown): value is CredentialsError {
        return EmrFlowError.isInstance(value) && value.name === "CredentialsError";
    }
}

/** Codes of {@link EmrConfigError}. */
export type EmrConfigErrorCode = "InvalidEndpoint" | "MissingRegion" | "InvalidRegion" | "InvalidSetting";

/** A setting (endpoint, region, timeout, signature version) is missing or malformed. */
export class EmrConfigError extends EmrFlowError {
    /** The setting at fault, e.g. `emr-flow:endpoint` or `ALIBABA_CLOUD_ENDPOINT_EMR`. */
    declare readonly setting?: string;

    constructor(code: EmrConfigErrorCode, message: string, setting?: string) {
        super(code, message, { retryable: false });
        if (setting !== undefined) this.setting = setting;
    }

    static override isInstance(value: unknown): value is EmrConfigError {
        return EmrFlowError.isInstance(value) && value.name === "EmrConfigError";
    }
}

/** Scrubs free text with the secret patterns (for callers outside this module). */
export { scrubText };

/**
 * Whether `err` says the project, flow or instance does not exist (as opposed to an AccessKey
 * that does not: `InvalidAccessKeyId.NotFound` is not this). EMR has no documented code list for
 * this; the documented sample answers with the message "project not exist" ("not exists" and "not
 * found" occur too), so the message is checked as well as the code and the HTTP status.
 */
export function isNotFoundError(err: unknown): boolean {
    if (!EmrApiError.isInstance(err)) return false;
    if (/^(InvalidAccessKeyId|InvalidSecurityToken)/.test(err.code)) return false;
    if (/^Invalid(Action|Api)\b/.test(err.code)) return false;
    if (/NotFound|NotExist|NonExist/i.test(err.code)) return true;
    if (err.apiMessage !== undefined && /\bnot (exists?|found)\b|does ?n[o']t exists?\b|no such/i.test(err.apiMessage)) return true;
    return err.statusCode === 404;
}
