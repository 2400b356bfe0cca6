/**
 * Finding the run an ambiguous SubmitFlow may have started.
 *
 * SubmitFlow has no idempotency token. When a submission times out, its connection drops, or the
 * process dies before the answer, the service may or may not have started an instance. Submitting
 * again blindly can start a second run; giving up forgets one. So before anything is submitted
 * again, the instances of the same flow created in a window around the attempt are listed
 * (ListFlowInstance by creation time), and:
 *
 * - exactly one instance can be this submission's: it is adopted;
 * - none: the submission did not take effect (the caller decides whether to submit once more,
 *   and says so);
 * - several: it cannot be told which, and the caller fails with their IDs.
 *
 * "Can be this submission's" excludes what is known to be someone else's: instances that another
 * resource of the same deployment holds (the {@link SubmissionLedger} of this process and the
 * journal), instances whose schedule time cannot come from the `cyctime` sent (equal, or rounded
 * to the second or minute; a missing schedule time excludes nothing), and instances already
 * KILLED (so a user who kills the runs that are not theirs turns an ambiguity into an answer).
 *
 * The listing depends on nothing Alibaba leaves undocumented. `TimeRange` may filter on creation
 * or on start time, or be ignored, so the range asked reaches to now (a run created in the window
 * may start much later), runs still in PREP or SUSPENDED (which may have no start time) are listed
 * separately without a range, and the creation window is applied here, on `GmtCreate`. The page
 * size may be capped below what is asked, so pages are read until `Total` is reached, whatever
 * their size. A listing that cannot be read to its end (an answer without its list, a page that
 * is empty or repeats while `Total` says more, more pages than {@link MAX_PAGES}) is an error
 * that names every candidate read so far: it is never taken for "no run".
 * ListFlowInstance does not return `Conf`, so runs of the same flow with the same `cyctime`
 * submitted by someone else in the same seconds cannot be told apart: that is the limit of this
 * method, documented in the README.
 */
import type { EmrFlowClient, ListFlowInstancesParams } from "../client/emrFlowClient";
import type { FlowInstanceSummary } from "../client/responses";

/**
 * Added to both ends of the window. The window is measured on this machine's clock and `GmtCreate`
 * on the service's; NTP keeps them well within a second, and a request may be processed a little
 * after the client gave up on it. Every extra second also catches more runs that are not ours:
 * another submitter's run of the same flow and cyctime inside the window is the one thing that
 * can be adopted by mistake, so the window is kept tight.
 */
export const WINDOW_SLACK_MS = 3_000;
/**
 * The pauses before each listing. An accepted submission may take a moment to appear in
 * ListFlowInstance (its index is not promised to be read-your-writes), so "none" is only believed
 * after the last of these; a candidate ends the search at once.
 */
export const SETTLE_DELAYS_MS: readonly number[] = [1_000, 2_000, 2_000];
/** ListFlowInstance's largest page (the service may serve fewer: see the module comment). */
const PAGE_SIZE = 100;
/** Pages read per listing at most: 2,000 runs at 20 a page. Beyond it the search stops with an error. */
export const MAX_PAGES = 100;
/** Statuses in which a run may not have started (and so may lack the time a `TimeRange` filters on). */
const NOT_STARTED_STATUSES = ["PREP", "SUSPENDED"];

export interface SubmissionWindow {
    regionId: string;
    projectId: string;
    flowId: string;
    /** Epoch ms, this machine's clock: the attempt began no earlier than this. */
    windowStart: number;
    /** Epoch ms: an instance it started was created no later than this. */
    windowEnd: number;
    /** The `Conf` sent; its `cyctime` must match a candidate's schedule time. */
    conf?: Record<string, string>;
}

export interface FindOptions {
    /** Instance IDs known to belong to something else. */
    exclude?(): ReadonlySet<string>;
    sleep?(ms: number): Promise<void>;
    settleDelaysMs?: readonly number[];
    /**
     * Called after each listing, before candidates are counted: waits for other submissions of the
     * same flow in this process to return, so their instances are excluded (see the ledger).
     */
    beforeCount?(): Promise<void>;
    /** This machine's clock (epoch ms): the range asked reaches to it. Default `Date.now`. */
    now?(): number;
}

/**
 * The listing could not be read to its end, or a call of it failed: whether the submission started
 * a run cannot be told. `candidates` are the runs read before that which could be it.
 */
export class SearchFailedError extends Error {
    constructor(
        message: string,
        readonly candidates: FlowInstanceSummary[],
        override readonly cause?: unknown,
    ) {
        super(message);
        this.name = "SearchFailedError";
    }
}

/** A listing that cannot be read to its end. */
class ListingIncompleteError extends Error {
    override name = "ListingIncompleteError";
}

export type FindResult =
    | { outcome: "one"; instance: FlowInstanceSummary; reason: string; listings: number }
    | { outcome: "none"; listings: number; waitedMs: number }
    | { outcome: "several"; candidates: FlowInstanceSummary[]; listings: number };

/** Looks for the instance an ambiguous submission may have started (see the module comment). */
export async function findSubmittedInstance(client: EmrFlowClient, q: SubmissionWindow, opts: FindOptions = {}): Promise<FindResult> {
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const delays = opts.settleDelaysMs ?? SETTLE_DELAYS_MS;
    const cyctime = q.conf?.cyctime !== undefined && /^\d+$/.test(q.conf.cyctime) ? Number(q.conf.cyctime) : undefined;
    const from = q.windowStart - WINDOW_SLACK_MS;
    const to = q.windowEnd + WINDOW_SLACK_MS;
    const now = opts.now ?? Date.now;
    let waitedMs = 0;
    let listings = 0;
    const candidatesOf = (listed: FlowInstanceSummary[]): FlowInstanceSummary[] => {
        const excluded = opts.exclude?.() ?? new Set<string>();
        return listed.filter(
            (i) =>
                !excluded.has(i.id) &&
                (i.flowId === undefined || i.flowId === q.flowId) &&
                (i.gmtCreate === undefined || (i.gmtCreate >= from && i.gmtCreate <= to)) &&
                i.status !== "KILLED" &&
                scheduleMatches(i.scheduleTime, cyctime),
        );
    };
    for (const delay of delays.length > 0 ? delays : [0]) {
        await sleep(delay);
        waitedMs += delay;
        const read: FlowInstanceSummary[] = [];
        try {
            await listWindow(client, q, from, Math.max(to, now() + WINDOW_SLACK_MS), read);
        } catch (err) {
            throw new SearchFailedError(err instanceof Error ? err.message : String(err), candidatesOf(dedupe(read)), err);
        }
        const listed = dedupe(read);
        listings += 1;
        await opts.beforeCount?.();
        const candidates = candidatesOf(listed);
        if (candidates.length === 1) {
            const why = [
                `the only instance of flow ${q.flowId} created between ${iso(from)} and ${iso(to)}`,
                cyctime !== undefined
                    ? candidates[0]!.scheduleTime !== undefined
                        ? `with schedule time ${iso(candidates[0]!.scheduleTime)} (from the cyctime sent, ${iso(cyctime)})`
                        : `(the service shows no schedule time to compare with the cyctime sent)`
                    : undefined,
                `that no other resource of this deployment holds`,
            ].filter(Boolean);
            return { outcome: "one", instance: candidates[0]!, reason: why.join(" "), listings };
        }
        if (candidates.length > 1) return { outcome: "several", candidates, listings };
    }
    return { outcome: "none", listings, waitedMs };
}

/**
 * Lists the runs of the flow that can have been created in the window, into `out` (so that what
 * was read is known even when a later call fails): first those not started yet (no range: they
 * may have no start time to filter on), then those in the range `from`..`to`.
 */
async function listWindow(client: EmrFlowClient, q: SubmissionWindow, from: number, to: number, out: FlowInstanceSummary[]): Promise<void> {
    const base = { regionId: q.regionId, projectId: q.projectId, flowId: q.flowId };
    await listAll(client, { ...base, statuses: NOT_STARTED_STATUSES }, "runs not started yet", out);
    await listAll(client, { ...base, createdFrom: from, createdTo: to }, "runs in the time range", out);
}

/** Reads every page of one listing, whatever page size the service serves, until `Total`. */
async function listAll(client: EmrFlowClient, params: Omit<ListFlowInstancesParams, "pageNumber" | "pageSize">, what: string, out: FlowInstanceSummary[]): Promise<void> {
    const seen = new Set<string>();
    for (let page = 1; page <= MAX_PAGES; page++) {
        const res = await client.listFlowInstances({ ...params, pageNumber: page, pageSize: PAGE_SIZE });
        const fresh = res.instances.filter((i) => !seen.has(i.id));
        for (const i of res.instances) seen.add(i.id);
        out.push(...fresh);
        const incomplete = (why: string) =>
            new ListingIncompleteError(`ListFlowInstance of ${what} of flow ${q(params)} cannot be read to its end: ${why} (request ID ${res.requestId || "none"})`);
        if (!res.totalReported) {
            // No Total: read until a page brings nothing.
            if (res.instances.length === 0) return;
            if (fresh.length === 0) throw incomplete(`page ${page} repeats runs already read and the answer gives no Total`);
            continue;
        }
        if (seen.size > res.total) throw incomplete(`Total is ${res.total} but ${seen.size} runs were read`);
        if (seen.size === res.total) return;
        if (fresh.length === 0) throw incomplete(`Total is ${res.total}, ${seen.size} runs were read, and page ${page} brought no new one`);
    }
    throw new ListingIncompleteError(`ListFlowInstance of ${what} of flow ${q(params)} has more than ${MAX_PAGES} pages`);
}

function q(params: { flowId?: string; projectId: string }): string {
    return `${params.flowId ?? "?"} in project ${params.projectId}`;
}

function dedupe(items: FlowInstanceSummary[]): FlowInstanceSummary[] {
    const byId = new Map<string, FlowInstanceSummary>();
    for (const i of items) byId.set(i.id, i);
    return [...byId.values()];
}

/**
 * Whether a run's schedule time can come from the `cyctime` sent. The service may show it as
 * sent, rounded (down or to the nearest) to the second or the minute, or not at all; a missing
 * one excludes nothing.
 */
export function scheduleMatches(scheduleTime: number | undefined, cyctime: number | undefined): boolean {
    if (cyctime === undefined || scheduleTime === undefined) return true;
    if (scheduleTime === cyctime) return true;
    return [1_000, 60_000].some((unit) => scheduleTime === Math.floor(cyctime / unit) * unit || scheduleTime === Math.round(cyctime / unit) * unit);
}

function iso(ms: number): string {
    return new Date(ms).toISOString();
}

/**
 * What this process knows about its own submissions, shared by every resource the provider host
 * serves: the instance IDs it holds, the submissions still waiting for an answer, and one lock per
 * flow so that two ambiguous submissions of the same flow decide one after the other (the first
 * one's adoption is then excluded from the second's candidates).
 */
export class SubmissionLedger {
    private readonly held = new Set<string>();
    private readonly inflight = new Map<number, { flowKey: string; settled: Promise<void> }>();
    private readonly locks = new Map<string, Promise<void>>();
    private nextTicket = 1;

    /** Instance IDs some resource of this process holds. */
    heldIds(): ReadonlySet<string> {
        return this.held;
    }

    hold(instanceId: string): void {
        this.held.add(instanceId);
    }

    /** Marks a SubmitFlow of a flow as in flight; call `settle` when its call returns or throws. */
    begin(flowKey: string): { ticket: number; settle(instanceId?: string): void } {
        const ticket = this.nextTicket++;
        let resolve: () => void = () => undefined;
        const settled = new Promise<void>((r) => (resolve = r));
        this.inflight.set(ticket, { flowKey, settled });
        return {
            ticket,
            settle: (instanceId) => {
                if (instanceId) this.held.add(instanceId);
                this.inflight.delete(ticket);
                resolve();
            },
        };
    }

    /** Waits until every SubmitFlow of `flowKey` in flight now (other than `self`) has returned. */
    async othersSettled(flowKey: string, self?: number): Promise<void> {
        const pending = [...this.inflight.entries()].filter(([t, f]) => t !== self && f.flowKey === flowKey).map(([, f]) => f.settled);
        await Promise.all(pending);
    }

    /** Runs `fn` with the flow's lock held. */
    async exclusive<T>(flowKey: string, fn: () => Promise<T>): Promise<T> {
        const before = this.locks.get(flowKey) ?? Promise.resolve();
        let release: () => void = () => undefined;
        const mine = new Promise<void>((r) => (release = r));
        const chained = before.then(() => mine);
        this.locks.set(flowKey, chained);
        await before;
        try {
            return await fn();
        } finally {
            release();
            if (this.locks.get(flowKey) === chained) this.locks.delete(flowKey);
        }
    }
}

/** The ledger of this process. */
export const processLedger = new SubmissionLedger();
