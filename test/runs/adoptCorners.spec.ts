/**
 * The search for an ambiguous submission's run under every reading of what Alibaba leaves open:
 * schedule times rounded or absent, a page size capped below what was asked, answers without
 * Total, and listings that cannot be read to their end (which must fail naming what was read,
 * never count as "no run").
 */
import { strict as assert } from "assert";
import { SearchFailedError, findSubmittedInstance, scheduleMatches } from "../../provider/runs/adopt";
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
