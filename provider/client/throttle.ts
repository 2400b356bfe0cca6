/**
 * A client-side rate limit shared by every EMR call of the process.
 *
 * Pulumi runs the creates of a stack in parallel (ten at a time by default, more with
 * `--parallel`), and the dynamic provider host serves every FlowSubmission of the stack from one
 * process. Without a limit, a stack of a hundred runs starts a hundred SubmitFlow calls and then
 * a hundred polls in the same instant; the service throttles most of them, they all back off,
 * and they come back in clumps. Throttling answers are retried safely, but each one costs a
 * backoff of seconds, and a retry budget that runs out fails the deployment. A token bucket in
 * front of every attempt spreads the calls instead: the service sees a steady rate it accepts,
 * and the throttling retry stays for what the bucket cannot know (other processes, other users
 * of the same AccessKey).
 *
 * The bucket is process-wide on purpose: clients built with the same settings (the provider
 * rebuilds its client after `configure`, a program may build its own) must share one budget,
 * because the service counts per AccessKey, not per client object.
 */

/**
 * Calls per second when nothing is set. Alibaba Cloud publishes no quota for the EMR flow API;
 * its OpenAPI gateways commonly allow tens of calls per second per API and AccessKey. Ten keeps
 * a large stack well inside that while a hundred submissions still start within ten seconds.
 */
export const DEFAULT_MAX_REQUESTS_PER_SECOND = 10;

/**
 * How many calls may go at once after a quiet spell, as a share of the rate. A burst of the full
 * rate would let a window of one second see twice the rate (the burst, then the refill); half
 * keeps any one-second window within 1.5 times the rate and still lets a single deployment's
 * first few calls go without waiting.
 */
const BURST_SHARE = 0.5;

export interface LimiterClock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

const realClock: LimiterClock = {
    now: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket with a first-come, first-served queue: a call waits for a token, and calls are
 * served in the order they asked, so a burst of polls cannot starve a submission that asked
 * first.
 */
export class RateLimiter {
    private ratePerSecond: number;
    private capacity: number;
    private tokens: number;
    private last: number;
    // The tail of the queue: each acquire chains on the previous one.
    private tail: Promise<void> = Promise.resolve();
    private waiting = 0;

    constructor(
        ratePerSecond: number,
        private readonly clock: LimiterClock = realClock,
    ) {
        this.ratePerSecond = checkRate(ratePerSecond);
        this.capacity = burstFor(this.ratePerSecond);
        this.tokens = this.capacity;
        this.last = clock.now();
    }

    /** The calls per second allowed. */
    get rate(): number {
        return this.ratePerSecond;
    }

    /** Calls waiting for a token now. */
    get queued(): number {
        return this.waiting;
    }

    /** Changes the rate; calls already waiting are served at the new rate. */
    setRate(ratePerSecond: number): void {
        this.refill();
        this.ratePerSecond = checkRate(ratePerSecond);
        this.capacity = burstFor(this.ratePerSecond);
        this.tokens = Math.min(this.tokens, this.capacity);
    }

    /** Resolves when the caller may make one call. */
    acquire(): Promise<void> {
        this.waiting += 1;
        const turn = this.tail.then(() => this.takeOne());
        // A failure cannot happen in takeOne, but a broken chain would block every later call.
        this.tail = turn.catch(() => undefined);
        return turn.finally(() => {
            this.waiting -= 1;
        });
    }

    private async takeOne(): Promise<void> {
        for (;;) {
            this.refill();
            if (this.tokens >= 1) {
                this.tokens -= 1;
                return;
            }
            await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
        }
    }

    private refill(): void {
        const now = this.clock.now();
        this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
        this.last = now;
    }
}

function checkRate(rate: number): number {
    if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`a rate limit must be a positive number of calls per second, got ${rate}`);
    return rate;
}

function burstFor(rate: number): number {
    return Math.max(1, Math.floor(rate * BURST_SHARE));
}

let shared: RateLimiter | undefined;

/**
 * The limiter of this process, set to `ratePerSecond`. Every client shares it; the last rate
 * asked for wins (in the provider host there is one configuration, so one rate).
 */
export function processRateLimiter(ratePerSecond: number = DEFAULT_MAX_REQUESTS_PER_SECOND): RateLimiter {
    if (!shared) shared = new RateLimiter(ratePerSecond);
    else if (shared.rate !== ratePerSecond) shared.setRate(ratePerSecond);
    return shared;
}
