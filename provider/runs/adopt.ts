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
 * journal), instances whose schedule time differs from the `cyctime` sent, and instances already
 * KILLED (so a user who kills the runs that are not theirs turns an ambiguity into an answer).
 * ListFlowInstance does not return `Conf`, so runs of the same flow with the same `cyctime`
 * submitted by someone else in the same seconds cannot be told apart: that is the limit of this
 * method, documented in the README.
 */
import type { EmrFlowClient } from "../client/emrFlowClient";
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
/** ListFlowInstance's largest page. */
const PAGE_SIZE = 100;
/** More instances than this in one window is not a question of adoption any more. */
const MAX_PAGES = 10;

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
    let waitedMs = 0;
    let listings = 0;
    for (const delay of delays.length > 0 ? delays : [0]) {
        await sleep(delay);
        waitedMs += delay;
        const listed = await listWindow(client, q, from, to);
        listings += 1;
        await opts.beforeCount?.();
        const excluded = opts.exclude?.() ?? new Set<string>();
        const candidates = listed.filter(
            (i) =>
                !excluded.has(i.id) &&
                (i.flowId === undefined || i.flowId === q.flowId) &&
                (i.gmtCreate === undefined || (i.gmtCreate >= from && i.gmtCreate <= to)) &&
                i.status !== "KILLED" &&
                (cyctime === undefined || i.scheduleTime === undefined || i.scheduleTime === cyctime),
        );
        if (candidates.length === 1) {
            const why = [
                `the only instance of flow ${q.flowId} created between ${iso(from)} and ${iso(to)}`,
                cyctime !== undefined ? `with schedule time ${iso(cyctime)} (the cyctime sent)` : undefined,
                `that no other resource of this deployment holds`,
            ].filter(Boolean);
            return { outcome: "one", instance: candidates[0]!, reason: why.join(" "), listings };
        }
        if (candidates.length > 1) return { outcome: "several", candidates, listings };
    }
    return { outcome: "none", listings, waitedMs };
}

async function listWindow(client: EmrFlowClient, q: SubmissionWindow, from: number, to: number): Promise<FlowInstanceSummary[]> {
    const out: FlowInstanceSummary[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
        const res = await client.listFlowInstances({
            regionId: q.regionId,
            projectId: q.projectId,
            flowId: q.flowId,
            createdFrom: from,
            createdTo: to,
            pageNumber: page,
            pageSize: PAGE_SIZE,
        });
        out.push(...res.instances);
        if (res.instances.length < PAGE_SIZE || out.length >= res.total) break;
    }
    return out;
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
