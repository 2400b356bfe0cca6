/**
 * The client-side rate of every EMR call of the process: full speed until the service throttles,
 * then a rate that adapts to what the service accepts.
 *
 * Pulumi runs the creates of a stack in parallel (without a limit by default), and the dynamic
 * provider host serves every FlowSubmission of the stack from one process. A fixed, cautious
 * client-side limit slows every deployment down, including the ones the service would have
 * taken at full speed; no limit at all lets a large stack meet throttling over and over, each
 * throttled call costing a backoff of seconds and a retry budget that can run out. So, like the
 * AWS SDK's adaptive retry mode:
 *
 * - Until the first throttling answer, calls are not delayed at all.
 * - A throttling answer turns on a token bucket. Its rate drops to 0.7 times the rate the service
 *   accepted from this process in the last second (the rate at which it started throttling), and
 *   then grows back along a cubic curve (CUBIC, as TCP uses): fast at first, flat around the rate
 *   that was throttled, then faster again to probe for more. Each further throttling answer cuts
 *   it again. So the rate settles just under what the service accepts, and climbs back once it
 *   stops throttling (other users of the AccessKey went away, the quota was raised).
 * - Calls that were already on their way when the rate was cut are throttled too; they do not cut
 *   it again (one cut per throttling episode, as TCP cuts once per lost window). The AWS SDK cuts
 *   on each, which, with a hundred calls in flight, drops the rate to its floor.
 * - The first throttling answer means the service's window is full of the calls it took in the
 *   last second: until they have all left it, a call goes only when one more fits in that window
 *   (those calls and the ones sent since), no sooner and no later.
 *   A later one (the calls are paced) means the window is full at its edge: every caller pauses
 *   one interval of the new rate. Once on, the bucket lets no burst through: calls are spaced
 *   evenly, so that no second holds more than the rate.
 * - The rate never grows beyond twice the rate the process actually sent in the last second (or
 *   the rate last throttled, if higher): a limit that was never tried is not trusted.
 *
 * `emr-flow:maxRequestsPerSecond`, when set, is a hard cap on top of all this: at most that many
 * calls in any one-second window, each counted from its start to its answer (the service counts
 * it in between), whether or not the service throttles. No cap by default.
 *
 * The limiter is process-wide on purpose: clients built with the same settings (the provider
 * rebuilds its client after `configure`, a program may build its own) must share one budget,
 * because the service counts per AccessKey, not per client object. Throttling answers are still
 * retried with backoff (`retry.ts`): the limiter spaces the calls, the retry handles what it
 * cannot know (other processes, other users of the same AccessKey).
 */

/** The multiplicative decrease on throttling (the AWS SDK's and CUBIC's beta). */
export const BETA = 0.7;
/** CUBIC's scaling constant: how steep the recovery is (the AWS SDK's value). */
export const SCALE_CONSTANT = 0.4;
/** The lowest rate the bucket goes to, in calls per second. */
export const MIN_RATE = 0.5;
/** The window over which the sent and accepted rates are measured, in ms. */
const MEASURE_WINDOW_MS = 1000;

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
 * first. The adaptive limiter's bucket, once the service has throttled.
 */
export class RateLimiter {
    private ratePerSecond: number;
    private capacity: number;
    private readonly burstShare: number;
    private tokens: number;
    private last: number;
    // The tail of the queue: each acquire chains on the previous one.
    private tail: Promise<void> = Promise.resolve();

    constructor(
        ratePerSecond: number,
        private readonly clock: LimiterClock = realClock,
        options: { burstShare?: number } = {},
    ) {
        this.ratePerSecond = checkRate(ratePerSecond);
        this.burstShare = options.burstShare ?? BURST_SHARE;
        this.capacity = burstFor(this.ratePerSecond, this.burstShare);
        this.tokens = this.capacity;
        this.last = clock.now();
    }

    /** The calls per second allowed. */
    get rate(): number {
        return this.ratePerSecond;
    }


    /** Changes the rate; calls already waiting are served at the new rate. */
    setRate(ratePerSecond: number): void {
        this.refill();
        this.ratePerSecond = checkRate(ratePerSecond);
        this.capacity = burstFor(this.ratePerSecond, this.burstShare);
        this.tokens = Math.min(this.tokens, this.capacity);
    }

    /** Takes tokens away so that at most `tokens` (possibly fewer than zero: a debt) are left. */
    limitTokens(tokens: number): void {
        this.refill();
        this.tokens = Math.min(this.tokens, tokens);
    }

    /** Resolves when the caller may make one call. */
    acquire(): Promise<void> {
        const turn = this.tail.then(() => this.takeOne());
        // A failure cannot happen in takeOne, but a broken chain would block every later call.
        this.tail = turn.catch(() => undefined);
        return turn;
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

function burstFor(rate: number, share: number): number {
    return Math.max(1, Math.floor(rate * share));
}

/**
 * A hard cap: at most `limit` calls in any window of one second (a rolling window, as services
 * count; a fractional cap is kept on average), first come, first served. A burst up to the cap
 * goes at once. A call holds its place in the window from its start until one second after its
 * answer, when it is told of one ({@link WindowLimiter.answered}): the service counts a call when
 * it arrives, somewhere between the two, so a cap equal to the service's rate is never throttled
 * however long the way there takes.
 */
export class WindowLimiter {
    // When each call of the window started, or was answered once it has been.
    private starts: number[] = [];
    private tail: Promise<void> = Promise.resolve();

    constructor(
        private limitPerSecond: number,
        private readonly clock: LimiterClock = realClock,
    ) {
        checkRate(limitPerSecond);
    }

    get limit(): number {
        return this.limitPerSecond;
    }

    setLimit(limitPerSecond: number): void {
        this.limitPerSecond = checkRate(limitPerSecond);
    }

    /** Resolves, with the time the call may start, when it may. */
    acquire(): Promise<number> {
        const turn = this.tail.then(() => this.takeOne());
        this.tail = turn.then(
            () => undefined,
            () => undefined,
        );
        return turn;
    }

    /** Counts a call this limiter did not let through (one the service took before it was set up). */
    note(at: number): void {
        this.starts.push(at);
    }

    /** The call started at `startedAt` was answered: it holds its place until one second from now. */
    answered(startedAt: number): void {
        const i = this.starts.indexOf(startedAt);
        if (i >= 0) this.starts[i] = Math.max(startedAt, this.clock.now());
    }

    private async takeOne(): Promise<number> {
        // A whole cap N: N calls per second. A fraction: floor(N) (at least one) calls per window
        // stretched to keep the average, e.g. one call per 2 s for 0.5.
        const perWindow = Math.max(1, Math.floor(this.limitPerSecond));
        const windowMs = (1000 * perWindow) / this.limitPerSecond;
        for (;;) {
            const now = this.clock.now();
            this.starts = this.starts.filter((t) => t > now - windowMs).sort((a, b) => a - b);
            if (this.starts.length < perWindow) {
                this.starts.push(now);
                return now;
            }
            await this.clock.sleep(Math.max(1, Math.ceil(this.starts[this.starts.length - perWindow]! + windowMs - now)));
        }
    }
}

/** What the limiter needs to hear of every attempt it let through. */
export interface RateFeedback {
    /** When the attempt was let through, from {@link AdaptiveRateLimiter.acquire}. */
    sentAt: number;
    /** The service answered with a throttling error. */
    throttled: boolean;
}

/** What the limiter knows, for tests, the bench and messages. */
export interface AdaptiveState {
    /** The bucket is on: the service has throttled this process. */
    adapting: boolean;
    /** The bucket's rate, when on, in calls per second. */
    bucketRate?: number;
    /** The rate at which the service last throttled, in calls per second. */
    lastThrottledRate?: number;
    /** The hard cap, when set. */
    cap?: number;
    /** Throttling answers heard, and how many of them cut the rate. */
    throttles: number;
    cuts: number;
}

/**
 * Full speed until the service throttles, then a token bucket at a CUBIC-adapted rate; an
 * optional hard cap in front (see the top of this file).
 */
export class AdaptiveRateLimiter {
    private readonly clock: LimiterClock;
    private cap?: WindowLimiter;
    private bucket?: RateLimiter;
    // After the first cut, until the calls the service took before it have left its window: the
    // room left in that window (see record).
    private resume?: WindowLimiter;
    private resumeUntil = 0;
    // Answers (throttled or not) and accepted answers of the last measure window.
    private readonly answers: number[] = [];
    private readonly accepted: number[] = [];
    private lastMaxRate = 0;
    private lastThrottleAt = 0;
    private timeWindowS = 0;
    private lastCutAt = -Infinity;
    // The tail of the queue of callers (see acquire).
    private tail: Promise<void> = Promise.resolve();
    private throttles = 0;
    private cuts = 0;

    constructor(options: { maxRequestsPerSecond?: number; clock?: LimiterClock } = {}) {
        this.clock = options.clock ?? realClock;
        this.setCap(options.maxRequestsPerSecond);
    }

    /** The calls per second allowed now: the cap and the bucket's rate, whichever is lower; Infinity for none. */
    get rate(): number {
        return Math.min(this.cap?.limit ?? Infinity, this.bucket?.rate ?? Infinity);
    }

    /** The hard cap, or undefined for none. */
    get maxRequestsPerSecond(): number | undefined {
        return this.cap?.limit;
    }

    /** Sets or removes (undefined) the hard cap; calls already waiting see the new cap. */
    setCap(maxRequestsPerSecond: number | undefined): void {
        if (maxRequestsPerSecond === undefined) {
            this.cap = undefined;
        } else if (this.cap) {
            this.cap.setLimit(maxRequestsPerSecond);
        } else {
            this.cap = new WindowLimiter(maxRequestsPerSecond, this.clock);
        }
        if (this.bucket && this.cap && this.bucket.rate > this.cap.limit) this.bucket.setRate(this.cap.limit);
    }

    state(): AdaptiveState {
        return {
            adapting: this.bucket !== undefined,
            ...(this.bucket && { bucketRate: this.bucket.rate, lastThrottledRate: this.lastMaxRate }),
            ...(this.cap && { cap: this.cap.limit }),
            throttles: this.throttles,
            cuts: this.cuts,
        };
    }

    /**
     * Resolves when the caller may make one call, with the time it may (pass it to {@link record}).
     * First come, first served through every stage: a call that asks later never goes first,
     * even when the stage that held an earlier one has ended meanwhile.
     */
    acquire(): Promise<number> {
        const turn = this.tail.then(() => this.takeTurn());
        this.tail = turn.then(
            () => undefined,
            () => undefined,
        );
        return turn;
    }

    private async takeTurn(): Promise<number> {
        // Room in the service's window first, then the bucket's pace: calls held for room wait
        // without tokens, so they do not all go at once when it frees.
        if (this.resume) {
            if (this.clock.now() > this.resumeUntil) this.resume = undefined;
            else await this.resume.acquire();
        }
        if (this.bucket) await this.bucket.acquire();
        // The cap last: the time it counts is the time the call goes.
        return this.cap ? this.cap.acquire() : this.clock.now();
    }

    /** What became of an attempt: a throttling answer cuts the rate, any other answer lets it grow. */
    record(feedback: RateFeedback): void {
        const now = this.clock.now();
        this.cap?.answered(feedback.sentAt);
        this.resume?.answered(feedback.sentAt);
        this.trim(now);
        this.answers.push(now);
        if (feedback.throttled) {
            this.throttles += 1;
            // Sent before the last cut: it tells nothing about the rate since.
            if (feedback.sentAt < this.lastCutAt) return;
            const accepted = this.accepted.length;
            const rateToUse = this.bucket ? Math.min(accepted, this.bucket.rate) : accepted;
            this.lastMaxRate = rateToUse;
            this.timeWindowS = Math.cbrt((this.lastMaxRate * (1 - BETA)) / SCALE_CONSTANT);
            this.lastThrottleAt = now;
            this.lastCutAt = now;
            this.cuts += 1;
            if (this.bucket) {
                this.setBucketRate(rateToUse * BETA);
                // Paced, the window is full only at its edge: no token saved up goes into it
                // (a pause of one interval for every caller), then the new rate.
                this.bucket.limitTokens(0);
            } else {
                // The first time, the calls went unpaced: the service's window is full of what it
                // took in the last second, spread over it in any way. Until the last of those has
                // left the window, a call goes only when the window has room for it (counting
                // those and the ones sent since), so the first calls go as soon as the oldest
                // leave it, not into a full window (which would cut the rate again), nor later
                // than they need to. (Calls on their way at the cut that the service takes add
                // one to the window and one to what it holds: no room either way.) No burst after that: the rate is near what the service
                // takes, and a burst on top of it, in the same second, is what it throttles.
                this.bucket = new RateLimiter(this.bounded(rateToUse * BETA), this.clock, { burstShare: 0 });
                this.resume = new WindowLimiter(Math.max(1, accepted), this.clock);
                for (const at of this.accepted) this.resume.note(at);
                this.resumeUntil = now + MEASURE_WINDOW_MS;
            }
            return;
        }
        this.accepted.push(now);
        if (!this.bucket) return;
        const t = (now - this.lastThrottleAt) / 1000;
        const cubic = SCALE_CONSTANT * (t - this.timeWindowS) ** 3 + this.lastMaxRate;
        // Never more than twice what was sent in the last second, unless the last throttled rate is higher.
        this.setBucketRate(Math.min(cubic, Math.max(2 * this.answers.length, this.lastMaxRate)));
    }

    /** `rate` within the floor and the cap. */
    private bounded(rate: number): number {
        return Math.min(Math.max(rate, MIN_RATE), this.cap?.limit ?? Infinity);
    }

    private setBucketRate(rate: number): void {
        this.bucket!.setRate(this.bounded(rate));
    }

    private trim(now: number): void {
        for (const list of [this.answers, this.accepted]) {
            while (list.length > 0 && list[0]! <= now - MEASURE_WINDOW_MS) list.shift();
        }
    }
}

let shared: AdaptiveRateLimiter | undefined;

/**
 * The limiter of this process, with the hard cap `maxRequestsPerSecond` (undefined: none). Every
 * client shares it; the last cap asked for wins (in the provider host there is one
 * configuration, so one cap). What it learned of the service's rate is kept across caps.
 */
export function processRateLimiter(maxRequestsPerSecond?: number): AdaptiveRateLimiter {
    if (!shared) shared = new AdaptiveRateLimiter({ maxRequestsPerSecond });
    else if (shared.maxRequestsPerSecond !== maxRequestsPerSecond) shared.setCap(maxRequestsPerSecond);
    return shared;
}

/** Forgets the process limiter (for tests: each starts as a fresh provider process would). */
export function resetProcessRateLimiter(): void {
    shared = undefined;
}
