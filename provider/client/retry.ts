/**
 * The retry policy of the EMR flow client, in one place.
 *
 * Whether an error is worth retrying at all is the classifier's call (`retryable`, decided by
 * the API's `Code`, see `errors.ts`). Whether it is *safe* to retry depends on the call:
 *
 * - Reads (DescribeFlowInstance, ListFlowInstance) change nothing: every retryable error is
 *   retried.
 * - SubmitFlow has no idempotency token: a second attempt after a request that reached the
 *   service can start a second run. It is retried only when the service provably did not accept
 *   it: it answered with an error (throttling or 5xx), or the connection was never made
 *   (connection refused, DNS failure). After a timeout, a reset connection or an answer that
 *   could not be read, it throws `SubmissionOutcomeUnknownError` instead.
 * - Kill/Suspend/Resume/RerunFlow: treated like SubmitFlow (the safe choice). RerunFlow is not
 *   idempotent (a second rerun reruns again), and for the others a second attempt after an
 *   ambiguous failure mostly turns into a confusing state error ("already killed"); the caller
 *   can look at the instance and decide.
 *
 * Delays grow exponentially from {@link DEFAULT_BASE_DELAY_MS}, are capped at
 * {@link DEFAULT_MAX_DELAY_MS}, and are jittered ("equal jitter": half fixed, half random) so
 * that parallel deployments throttled together do not retry in lockstep while each delay still
 * grows.
 */
import { EmrApiError, EmrFlowError, EmrNetworkError, SubmissionOutcomeUnknownError } from "./errors";
import { classifyError, type ErrorContext } from "./classify";

/** Attempts in all (the first call included) before giving up. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** The delay before the first retry, before jitter, in ms. */
export const DEFAULT_BASE_DELAY_MS = 500;
/** No single delay exceeds this, in ms. */
export const DEFAULT_MAX_DELAY_MS = 10_000;
/** No retry starts later than this after the first attempt began, in ms. */
export const DEFAULT_MAX_TOTAL_MS = 60_000;

/** Limits of the retry loop; every field has the default named beside it. */
export interface RetryPolicy {
    /** Attempts in all, the first included. Default {@link DEFAULT_MAX_ATTEMPTS} (5); 1 turns retries off. */
    maxAttempts: number;
    /** Delay before the first retry, before jitter. Default {@link DEFAULT_BASE_DELAY_MS} (500 ms). */
    baseDelayMs: number;
    /** Cap of any single delay. Default {@link DEFAULT_MAX_DELAY_MS} (10 s). */
    maxDelayMs: number;
    /** No retry starts later than this after the first attempt. Default {@link DEFAULT_MAX_TOTAL_MS} (60 s). */
    maxTotalMs: number;
}

/** The default policy. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    baseDelayMs: DEFAULT_BASE_DELAY_MS,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
    maxTotalMs: DEFAULT_MAX_TOTAL_MS,
});

/** Fills the gaps of a partial policy with the defaults; rejects nonsense values. */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
    const policy = { ...DEFAULT_RETRY_POLICY };
    for (const key of Object.keys(DEFAULT_RETRY_POLICY) as (keyof RetryPolicy)[]) {
        const value = overrides[key];
        if (value === undefined) continue;
        if (!Number.isFinite(value) || value < (key === "maxAttempts" ? 1 : 0)) {
            throw new RangeError(`retry.${key} must be a number ${key === "maxAttempts" ? ">= 1" : ">= 0"}, got ${value}`);
        }
        policy[key] = key === "maxAttempts" ? Math.floor(value) : value;
    }
    return policy;
}

/**
 * The delay before retry number `retry` (1 for the first retry): exponential from
 * `baseDelayMs`, capped at `maxDelayMs`, then equal jitter: between half and all of it.
 * `random` returns a number in [0, 1).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
    const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
    const half = exponential / 2;
    return Math.round(half + half * Math.min(Math.max(random(), 0), 1));
}

/** How a call may be retried. */
export type CallKind = "read" | "submit" | "mutation";

/**
 * True when the service provably did not act on the request: it answered with an error, or no
 * connection was ever made.
 */
export function provablyNotAccepted(err: EmrFlowError): boolean {
    if (EmrApiError.isInstance(err)) return true;
    if (EmrNetworkError.isInstance(err)) return !err.requestMayHaveBeenSent;
    return false;
}

/** Whether `err`, met by a call of `kind`, is retried. */
export function shouldRetry(err: EmrFlowError, kind: CallKind): boolean {
    if (!err.retryable) return false;
    return kind === "read" ? true : provablyNotAccepted(err);
}

/** Time and randomness, injectable so that tests run without waiting. */
export interface RetryDeps {
    sleep(ms: number): Promise<void>;
    now(): number;
    random(): number;
}

/** Real time. */
export const systemRetryDeps: RetryDeps = {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    random: () => Math.random(),
};

/** What {@link withRetry} needs besides the operation. */
export interface RetryOptions {
    kind: CallKind;
    policy: RetryPolicy;
    deps: RetryDeps;
    /** Describes the call for error messages; `submit` calls need projectId and flowId. */
    context: ErrorContext;
    /** Epoch ms (by `deps.now`) after which no retry starts. */
    deadline?: number;
    /** Called before each retry's sleep (for logs and tests). */
    onRetry?(info: { attempt: number; delayMs: number; error: EmrFlowError }): void;
}

/**
 * Runs `operation` until it succeeds, fails with an error that is not retried, or the policy's
 * limits are reached; always throws an {@link EmrFlowError}. For `submit` calls, a failure after
 * which the request may have reached the service becomes a
 * {@link SubmissionOutcomeUnknownError}.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
    const { policy, deps, kind, context } = options;
    const start = deps.now();
    for (let attempt = 1; ; attempt++) {
        let error: EmrFlowError;
        try {
            return await operation(attempt);
        } catch (raw) {
            error = classifyError(raw, context);
        }
        if (kind === "submit" && !provablyNotAccepted(error) && mayHaveReachedService(error)) {
            throw new SubmissionOutcomeUnknownError({
                regionId: context.regionId ?? "unknown",
                projectId: context.projectId ?? "unknown",
                flowId: context.flowId ?? "unknown",
                windowStart: start,
                windowEnd: deps.now(),
                reason: `${describeFailure(error)}${attempt > 1 ? ` (attempt ${attempt})` : ""}`,
                cause: error,
                attempts: attempt,
            });
        }
        if (!shouldRetry(error, kind) || attempt >= policy.maxAttempts) {
            if (attempt > 1) error.attempts = attempt;
            throw error;
        }
        const delayMs = backoffDelay(attempt, policy, deps.random);
        if (deps.now() + delayMs - start > policy.maxTotalMs || (options.deadline !== undefined && deps.now() + delayMs >= options.deadline)) {
            error.attempts = attempt;
            throw error;
        }
        options.onRetry?.({ attempt, delayMs, error });
        await deps.sleep(delayMs);
    }
}

// Errors of our own making before any request (bad settings, missing credentials) did not reach
// the service: they are reported as they are, not as an unknown outcome.
function mayHaveReachedService(err: EmrFlowError): boolean {
    return !(err.name === "CredentialsError" || err.name === "EmrConfigError");
}

function describeFailure(err: EmrFlowError): string {
    if (EmrNetworkError.isInstance(err)) {
        if (err.code === "ReadTimeout" || err.code === "ConnectTimeout") return `the request timed out after it may have been sent (${err.code})`;
        return `the connection was lost before an answer arrived (${err.code})`;
    }
    if (err.name === "EmrResponseError") {
        return `the answer could not be read (${err.code}${err.statusCode !== undefined ? `, HTTP ${err.statusCode}` : ""})`;
    }
    return `the call failed in an unexpected way (${err.code})`;
}
