/**
 * The search for an ambiguous submission's run under every reading of what Alibaba leaves open:
 * schedule times rounded or absent, a page size capped below what was asked, answers without
 * Total, and listings that cannot be read to their end (which must fail naming what was read,
 * never count as "no run").
 */
import { strict as assert } from "assert";
import { MAX_PAGES, SETTLE_DELAYS_MS, SearchFailedError, SubmissionLedger, WINDOW_SLACK_MS, findSubmittedInstance, scheduleMatches } from "../../provider/runs/adopt";
import type { EmrFlowClient, ListFlowInstancesParams, ListFlowInstancesResult } from "../../provider/client/emrFlowClient";
import type { FlowInstanceSummary } from "../../provider/client/responses";

const where = { regionId: "cn-hangzhou", projectId: "FP-0123456789ABCDEF", flowId: "F-0123456789ABCDEF", windowStart: 1_000_000, windowEnd: 1_002_000 };
const quick = { sleep: async () => undefined, settleDelaysMs: [0, 0, 0], now: () => where.windowEnd + 1000 };
const run = (n: number, extra: Partial<FlowInstanceSummary> = {}): FlowInstanceSummary => ({ id: `FI-${String(n).padStart(16, "0")}`, status: "RUNNING", flowId: where.flowId, gmtCreate: 1_001_000, ...extra });

/** A service serving `all` at most `cap` a page, with hooks to break an answer. */
function service(all: FlowInstanceSummary[], cap: number, answer: (res: ListFlowInstancesResult, p: ListFlowInstancesParams) => ListFlowInstancesResult = (r) => r) {
    const calls: ListFlowInstancesParams[] = [];
    const client = {
        async listFlowInstances(p: ListFlowInstancesParams): Promise<ListFlowInstancesResult> {
            calls.push(p);
            const rows = p.statuses ? all.filter((i) => p.statuses!.includes(i.status)) : all;
            const page = p.pageNumber ?? 1;
            const size = Math.min(p.pageSize ?? 20, cap);
            const res = { requestId: `R-${calls.length}`, total: rows.length, totalReported: true, pageNumber: page, pageSize: p.pageSize ?? 20, instances: rows.slice((page - 1) * size, page * size) };
            return answer(res, p);
        },
    };
    return { client: client as unknown as EmrFlowClient, calls };
}

describe("findSubmittedInstance under the contract corners", () => {
    it("accepts a schedule time equal to the cyctime, rounded to the second or minute (down or nearest), or absent; nothing else", () => {
        const cyctime = Date.UTC(2026, 0, 1, 0, 0, 31, 640);
        for (const shown of [cyctime, cyctime - 640, cyctime + 360, cyctime - 31_640, cyctime + 28_360, undefined]) assert.ok(scheduleMatches(shown, cyctime), String(shown));
        for (const shown of [cyctime + 1, cyctime - 3_600_000, cyctime + 60_000]) assert.equal(scheduleMatches(shown, cyctime), false, String(shown));
        assert.ok(scheduleMatches(123, undefined), "without a numeric cyctime nothing is compared");
    });

    it("finds its run among others of the flow when the service rounds schedule times to the minute", async () => {
        const cyctime = Date.UTC(2026, 0, 1, 0, 0, 31, 640);
        const others = [run(1, { scheduleTime: Date.UTC(2026, 0, 1, 1, 0, 0) }), run(2, { scheduleTime: Date.UTC(2026, 0, 1, 2, 0, 0) })];
        const mine = run(3, { scheduleTime: Date.UTC(2026, 0, 1, 0, 1, 0) });
        const { client } = service([...others, mine], 100);
        const found = await findSubmittedInstance(client, { ...where, conf: { cyctime: String(cyctime) } }, quick);
        assert.equal(found.outcome === "one" && found.instance.id, mine.id);
    });

    it("reads every page when the page size is capped silently at 20: the run on page 3 is found", async () => {
        const held = Array.from({ length: 44 }, (_, i) => run(i + 1));
        const mine = run(99);
        const { client, calls } = service([...held, mine], 20);
        const found = await findSubmittedInstance(client, where, { ...quick, exclude: () => new Set(held.map((h) => h.id)) });
        assert.equal(found.outcome === "one" && found.instance.id, mine.id);
        assert.deepEqual(calls.filter((c) => c.createdFrom !== undefined).map((c) => c.pageNumber), [1, 2, 3]);
    });

    it("finds a run in PREP that a TimeRange on StartTime leaves out", async () => {
        const mine = run(7, { status: "PREP" });
        const { client } = service([mine], 100, (res, p) => (p.createdFrom !== undefined ? { ...res, total: 0, instances: [] } : res));
        const found = await findSubmittedInstance(client, where, quick);
        assert.equal(found.outcome === "one" && found.instance.id, mine.id);
    });

    it("applies the creation window itself when the service ignores TimeRange", async () => {
        const old = run(1, { gmtCreate: 10 });
        const later = run(2, { gmtCreate: where.windowEnd + 3_600_000 });
        const mine = run(3);
        const { client } = service([old, later, mine], 100);
        const found = await findSubmittedInstance(client, where, quick);
        assert.equal(found.outcome === "one" && found.instance.id, mine.id);
    });

    it("reads until an empty page when the answer gives no Total", async () => {
        const all = Array.from({ length: 25 }, (_, i) => run(i + 1));
        const { client, calls } = service(all, 20, (res) => ({ ...res, totalReported: false, total: res.instances.length }));
        const found = await findSubmittedInstance(client, where, quick);
        assert.equal(found.outcome === "several" && found.candidates.length, 25);
        assert.deepEqual(calls.filter((c) => c.createdFrom !== undefined).map((c) => c.pageNumber), [1, 2, 3]);
    });

    const twentyFive = Array.from({ length: 25 }, (_, i) => run(i + 1));
    for (const [name, broken, reason] of [
        ["an empty page while Total says more", (res: ListFlowInstancesResult) => (res.pageNumber === 2 ? { ...res, instances: [] } : res), /Total is 25, 20 runs were read, and page 2 brought no new one/],
        ["a page that repeats page 1 (PageNumber ignored)", (res: ListFlowInstancesResult, p: ListFlowInstancesParams) => (p.pageNumber === 2 ? { ...res, instances: twentyFive.slice(0, 20) } : res), /page 2 brought no new one/],
        ["more runs than Total", (res: ListFlowInstancesResult, p: ListFlowInstancesParams) => (p.createdFrom !== undefined ? { ...res, total: 3 } : res), /Total is 3 but 20 runs were read/],
    ] as const) {
        it(`fails naming every candidate read on ${name}, never answering none`, async () => {
            const { client } = service(twentyFive, 20, broken as (r: ListFlowInstancesResult, p: ListFlowInstancesParams) => ListFlowInstancesResult);
            const err = await findSubmittedInstance(client, where, quick).then(
                (r) => assert.fail(`expected a failure, got ${r.outcome}`),
                (e: unknown) => e,
            );
            assert.ok(err instanceof SearchFailedError, String(err));
            assert.match(err.message, reason);
            assert.equal(err.candidates.length, 20);
        });
    }

    it("fails when a listing has more than the pages it may read", async () => {
        const { client } = service([run(1)], 1, (res) => ({ ...res, total: 10_000, instances: [run(res.pageNumber)] }));
        await assert.rejects(findSubmittedInstance(client, where, quick), (e: unknown) => e instanceof SearchFailedError && /more than 100 pages/.test(e.message) && e.candidates.length === 100);
    });

    it("keeps what was read when a later call fails", async () => {
        const all = Array.from({ length: 30 }, (_, i) => run(i + 1));
        const { client } = service(all, 20, (res) => {
            if (res.pageNumber === 2) throw new Error("EMR ListFlowInstance failed with ServiceUnavailable (HTTP 503)");
            return res;
        });
        await assert.rejects(findSubmittedInstance(client, where, quick), (e: unknown) => e instanceof SearchFailedError && /ServiceUnavailable/.test(e.message) && e.candidates.length === 20);
    });
});

describe("findSubmittedInstance: what it asks, keeps and says", () => {
    const from = where.windowStart - WINDOW_SLACK_MS;
    const to = where.windowEnd + WINDOW_SLACK_MS;

    it("keeps runs created at either edge of the window with its slack, or without a creation time, and no others", async () => {
        for (const [gmtCreate, kept] of [[from, true], [to, true], [undefined, true], [from - 1, false], [to + 1, false]] as const) {
            const { client } = service([run(1, { gmtCreate })], 100);
            const found = await findSubmittedInstance(client, where, quick);
            assert.equal(found.outcome, kept ? "one" : "none", String(gmtCreate));
        }
    });

    it("keeps runs of this flow or of no flow named, and no run of another flow", async () => {
        const { client } = service([run(1, { flowId: undefined }), run(2, { flowId: "F-FFFFFFFFFFFFFFFF" })], 100);
        const found = await findSubmittedInstance(client, where, quick);
        assert.equal(found.outcome === "one" && found.instance.id, run(1).id);
    });

    it("counts a run listed both as not started and in the range once", async () => {
        const { client } = service([run(1, { status: "PREP" })], 100);
        const found = await findSubmittedInstance(client, where, quick);
        assert.equal(found.outcome, "one");
    });

    it("compares schedule times only with a cyctime of digits", async () => {
        const { client } = service([run(1, { scheduleTime: 5 })], 100);
        for (const cyctime of ["2026-01-01T00:00:00Z", "12ab", "ab12", "77"]) {
            const found = await findSubmittedInstance(client, { ...where, conf: { cyctime } }, quick);
            assert.equal(found.outcome, cyctime === "77" ? "none" : "one", cyctime);
        }
    });

    it("says why it adopts a run: the window, the schedule time when it compared one, and that nothing else holds it", async () => {
        const window = `the only instance of flow ${where.flowId} created between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`;
        const held = "that no other resource of this deployment holds";
        const cyctime = Date.UTC(2026, 0, 1, 0, 0, 30);
        const reasonOf = async (instance: FlowInstanceSummary, conf?: Record<string, string>) => {
            const found = await findSubmittedInstance(service([instance], 100).client, { ...where, conf }, quick);
            assert.equal(found.outcome, "one");
            return found.outcome === "one" ? found.reason : "";
        };
        assert.equal(await reasonOf(run(1)), `${window} ${held}`);
        assert.equal(await reasonOf(run(1), { cyctime: String(cyctime) }), `${window} (the service shows no schedule time to compare with the cyctime sent) ${held}`);
        assert.equal(
            await reasonOf(run(1, { scheduleTime: Date.UTC(2026, 0, 1, 0, 1, 0) }), { cyctime: String(cyctime) }),
            `${window} with schedule time 2026-01-01T00:01:00.000Z (from the cyctime sent, 2026-01-01T00:00:30.000Z) ${held}`,
        );
    });

    it("asks for 100 runs a page and reaches the range to now, but never short of the window's end", async () => {
        const { client, calls } = service([run(1)], 100);
        await findSubmittedInstance(client, where, { ...quick, now: () => where.windowStart });
        assert.ok(calls.every((c) => c.pageSize === 100));
        assert.equal(calls.find((c) => c.createdFrom !== undefined)?.createdTo, to);
        const before = Date.now();
        const real = service([run(1)], 100);
        await findSubmittedInstance(real.client, where, { sleep: quick.sleep, settleDelaysMs: [0] });
        assert.ok(real.calls.find((c) => c.createdFrom !== undefined)!.createdTo! >= before + WINDOW_SLACK_MS, "by default, now is this machine's clock");
    });

    it("pauses 1, 2 and 2 seconds before its listings by default, and lists once at once without pauses", async () => {
        assert.deepEqual(SETTLE_DELAYS_MS, [1_000, 2_000, 2_000]);
        const slept: number[] = [];
        const none = await findSubmittedInstance(service([], 100).client, where, { sleep: async (ms) => void slept.push(ms), now: quick.now });
        assert.deepEqual(slept, [1_000, 2_000, 2_000]);
        assert.deepEqual(none, { outcome: "none", listings: 3, waitedMs: 5_000 });
        const once = service([], 100);
        assert.deepEqual(await findSubmittedInstance(once.client, where, { ...quick, settleDelaysMs: [] }), { outcome: "none", listings: 1, waitedMs: 0 });
        assert.equal(once.calls.length, 2);
    });

    it("really waits before a listing when no sleep is given", async () => {
        const order: string[] = [];
        const { client } = service([run(1)], 100, (res) => {
            order.push("listed");
            return res;
        });
        setTimeout(() => order.push("timer"), 0);
        await findSubmittedInstance(client, where, { settleDelaysMs: [5], now: quick.now });
        assert.equal(order[0], "timer");
    });

    it("counts candidates only after beforeCount, so a run another submission took meanwhile is left out", async () => {
        const taken = new Set<string>();
        const { client } = service([run(1), run(2)], 100);
        const found = await findSubmittedInstance(client, where, { ...quick, exclude: () => taken, beforeCount: async () => void taken.add(run(1).id) });
        assert.equal(found.outcome === "one" && found.instance.id, run(2).id);
    });

    it("names the listing, the flow, the project and the request ID when a listing cannot be read to its end", async () => {
        const cases: [string, (r: ListFlowInstancesResult, p: ListFlowInstancesParams) => ListFlowInstancesResult, string][] = [
            ["Total too small", (r) => ({ ...r, total: 0, requestId: "" }), `ListFlowInstance of runs not started yet of flow ${where.flowId} in project ${where.projectId} cannot be read to its end: Total is 0 but 1 runs were read (request ID none)`],
            ["no Total, a page repeats", (r) => ({ ...r, totalReported: false, instances: [run(1, { status: "PREP" })] }), `ListFlowInstance of runs not started yet of flow ${where.flowId} in project ${where.projectId} cannot be read to its end: page 2 repeats runs already read and the answer gives no Total (request ID R-2)`],
            ["Total too large, range listing", (r, p) => (p.createdFrom !== undefined ? { ...r, total: 2, instances: [run(1)] } : r), `ListFlowInstance of runs in the time range of flow ${where.flowId} in project ${where.projectId} cannot be read to its end: Total is 2, 1 runs were read, and page 2 brought no new one (request ID R-3)`],
        ];
        for (const [name, broken, message] of cases) {
            const { client } = service([run(1, { status: "PREP" })], 100, broken);
            const err = await findSubmittedInstance(client, where, quick).then(() => undefined, (e: unknown) => e);
            assert.ok(err instanceof SearchFailedError, name);
            assert.equal(err.message, message, name);
            assert.equal(err.name, "SearchFailedError");
            assert.equal((err.cause as Error).name, "ListingIncompleteError");
            assert.equal((err.cause as Error).message, message);
        }
    });

    it("reads up to exactly MAX_PAGES pages of a listing", async () => {
        const all = Array.from({ length: MAX_PAGES }, (_, i) => run(i + 1));
        const { client, calls } = service(all, 1);
        const found = await findSubmittedInstance(client, where, { ...quick, settleDelaysMs: [0] });
        assert.equal(found.outcome === "several" && found.candidates.length, MAX_PAGES);
        assert.equal(calls.filter((c) => c.createdFrom !== undefined).length, MAX_PAGES);
        const err = await findSubmittedInstance(service([...all, run(MAX_PAGES + 1)], 1).client, where, quick).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof SearchFailedError);
        assert.equal(err.message, `ListFlowInstance of runs in the time range of flow ${where.flowId} in project ${where.projectId} has more than ${MAX_PAGES} pages`);
    });

    it("says what was thrown when a listing throws something that is not an Error", async () => {
        const client = { listFlowInstances: async () => Promise.reject("connection lost") } as unknown as EmrFlowClient;
        await assert.rejects(findSubmittedInstance(client, where, quick), (e: unknown) => e instanceof SearchFailedError && e.message === "connection lost" && e.cause === "connection lost" && e.candidates.length === 0);
    });
});

describe("SubmissionLedger: tickets, holds and the lock", () => {
    it("holds what it is told, and a settled submission's instance only when there is one", () => {
        const ledger = new SubmissionLedger();
        ledger.hold("FI-000000000000000H");
        ledger.begin("f").settle();
        ledger.begin("f").settle("");
        assert.deepEqual([...ledger.heldIds()], ["FI-000000000000000H"]);
    });

    it("waits only for other submissions of the same flow, not its own", async () => {
        const ledger = new SubmissionLedger();
        const mine = ledger.begin("flow-a");
        const otherFlow = ledger.begin("flow-b");
        const sameFlow = ledger.begin("flow-a");
        let settled = false;
        const waiting = ledger.othersSettled("flow-a", mine.ticket).then(() => (settled = true));
        await new Promise((r) => setImmediate(r));
        assert.equal(settled, false, "still waiting for the other submission of flow-a");
        sameFlow.settle("FI-000000000000000S");
        // flow-b's submission is still in flight: it is not waited for.
        await waiting;
        assert.equal(settled, true);
        await ledger.othersSettled("flow-a", mine.ticket);
        otherFlow.settle();
        mine.settle();
    });

    it("hands the flow's lock on in order even to a caller that arrives once the first holder is done", async () => {
        const ledger = new SubmissionLedger();
        const order: string[] = [];
        let releaseB: () => void = () => undefined;
        const a = ledger.exclusive("flow", async () => void order.push("a"));
        const b = ledger.exclusive("flow", () => new Promise<void>((r) => (releaseB = () => (order.push("b done"), r()))));
        await a;
        await new Promise((r) => setImmediate(r));
        const d = ledger.exclusive("flow", async () => void order.push("d"));
        await new Promise((r) => setImmediate(r));
        releaseB();
        await Promise.all([b, d]);
        assert.deepEqual(order, ["a", "b done", "d"]);
    });

    it("returns what the function returns and releases the lock when it throws", async () => {
        const ledger = new SubmissionLedger();
        await assert.rejects(ledger.exclusive("flow", async () => Promise.reject(new Error("boom"))), /boom/);
        assert.equal(await ledger.exclusive("flow", async () => 42), 42);
    });
});
