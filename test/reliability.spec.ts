/**
 * The pieces behind the fault matrix, one by one: the process-wide rate limit, the search for the
 * run an ambiguous submission may have started, the submission record, and the setting.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RateLimiter, processRateLimiter } from "../provider/throttle";
import { SubmissionLedger, WINDOW_SLACK_MS, findSubmittedInstance } from "../provider/adopt";
import { SubmissionJournal } from "../provider/journal";
import { resolveSettings } from "../provider/settings";
import type { EmrFlowClient, ListFlowInstancesParams } from "../provider/client";
import type { FlowInstanceSummary } from "../provider/responses";

/** A clock whose sleep moves time without waiting (after pending callbacks have run). */
function virtualClock() {
    let t = 0;
    return {
        now: () => t,
        sleep: (ms: number) =>
            new Promise<void>((resolve) =>
                setImmediate(() => {
                    t += ms;
                    resolve();
                }),
            ),
    };
}

describe("RateLimiter", () => {
    it("lets a burst of half the rate go at once, then spaces calls at the rate, in order", async () => {
        const clock = virtualClock();
        const limiter = new RateLimiter(10, clock);
        const times: [number, number][] = [];
        await Promise.all(Array.from({ length: 25 }, (_, i) => limiter.acquire().then(() => times.push([i, clock.now()]))));
        assert.deepEqual(times.map(([i]) => i), Array.from({ length: 25 }, (_, i) => i), "first come, first served");
        assert.deepEqual(times.slice(0, 5).map(([, t]) => t), [0, 0, 0, 0, 0]);
        // 20 more at 10 a second: the last one two seconds in.
        assert.equal(times[24]![1], 2000);
        // No one-second window holds more than 1.5 times the rate.
        for (const [, start] of times) assert.ok(times.filter(([, t]) => t >= start && t < start + 1000).length <= 15);
    });

    it("is one limiter per process, set to the last rate asked for", () => {
        const a = processRateLimiter(7);
        const b = processRateLimiter(12);
        assert.equal(a, b);
        assert.equal(b.rate, 12);
        assert.equal(processRateLimiter(undefined).rate, Infinity, "no cap by default");
    });

    it("rejects a rate that is not positive", () => {
        assert.throws(() => new RateLimiter(0), /positive/);
    });
});

describe("findSubmittedInstance", () => {
    const where = { regionId: "cn-hangzhou", projectId: "FP-0123456789ABCDEF", flowId: "F-0123456789ABCDEF", windowStart: 1_000_000, windowEnd: 1_002_000 };
    const run = (id: string, extra: Partial<FlowInstanceSummary> = {}): FlowInstanceSummary => ({ id, status: "RUNNING", flowId: where.flowId, gmtCreate: 1_001_000, ...extra });

    function lister(pages: FlowInstanceSummary[][]) {
        const calls: ListFlowInstancesParams[] = [];
        let round = 0;
        const client = {
            async listFlowInstances(p: ListFlowInstancesParams) {
                calls.push(p);
                const all = pages[Math.min(round, pages.length - 1)]!;
                if ((p.pageNumber ?? 1) * (p.pageSize ?? 20) >= all.length) round++;
                const size = p.pageSize ?? 20;
                const slice = all.slice(((p.pageNumber ?? 1) - 1) * size, (p.pageNumber ?? 1) * size);
                return { requestId: "R", total: all.length, pageNumber: p.pageNumber ?? 1, pageSize: size, instances: slice };
            },
        };
        return { client: client as unknown as EmrFlowClient, calls };
    }
    const quick = { sleep: async () => undefined, settleDelaysMs: [0, 0, 0] };

    it("adopts the one run of the window, asking by flow and creation time with slack", async () => {
        const { client, calls } = lister([[run("FI-000000000000000A")]]);
        const found = await findSubmittedInstance(client, where, quick);
        assert.equal(found.outcome, "one");
        assert.equal(calls[0]!.flowId, where.flowId);
        assert.equal(calls[0]!.createdFrom, where.windowStart - WINDOW_SLACK_MS);
        assert.equal(calls[0]!.createdTo, where.windowEnd + WINDOW_SLACK_MS);
    });

    it("answers none only after every listing, so a run slow to appear is still found", async () => {
        const late = lister([[], [], [run("FI-000000000000000B")]]);
        assert.equal((await findSubmittedInstance(late.client, where, quick)).outcome, "one");
        const never = lister([[]]);
        const found = await findSubmittedInstance(never.client, where, quick);
        assert.deepEqual([found.outcome, found.listings], ["none", 3]);
    });

    it("leaves out runs held elsewhere, killed, or scheduled for another cyctime", async () => {
        const { client } = lister([[run("FI-00000000000000C1"), run("FI-00000000000000C2", { status: "KILLED" }), run("FI-00000000000000C3", { scheduleTime: 5 }), run("FI-00000000000000C4", { scheduleTime: 7 })]]);
        const found = await findSubmittedInstance(client, { ...where, conf: { cyctime: "7" } }, { ...quick, exclude: () => new Set(["FI-00000000000000C1"]) });
        assert.equal(found.outcome, "one");
        assert.equal(found.outcome === "one" && found.instance.id, "FI-00000000000000C4");
    });

    it("reports several candidates, reading every page", async () => {
        const many = Array.from({ length: 150 }, (_, i) => run(`FI-${String(i).padStart(16, "0")}`));
        const { client, calls } = lister([many]);
        const found = await findSubmittedInstance(client, where, quick);
        assert.equal(found.outcome, "several");
        assert.equal(found.outcome === "several" && found.candidates.length, 150);
        assert.deepEqual(calls.map((c) => c.pageNumber), [1, 2]);
    });
});

describe("SubmissionLedger", () => {
    it("waits for the other submissions of a flow, and decides one at a time", async () => {
        const ledger = new SubmissionLedger();
        const a = ledger.begin("flow");
        const order: string[] = [];
        const waiting = ledger.othersSettled("flow").then(() => order.push("settled"));
        await Promise.resolve();
        order.push("before");
        a.settle("FI-000000000000000A");
        await waiting;
        assert.deepEqual(order, ["before", "settled"]);
        assert.ok(ledger.heldIds().has("FI-000000000000000A"));
        const seen: number[] = [];
        await Promise.all([1, 2, 3].map((n) => ledger.exclusive("flow", async () => {
            seen.push(n);
            await new Promise((r) => setTimeout(r, 5));
            seen.push(-n);
        })));
        assert.deepEqual(seen, [1, -1, 2, -2, 3, -3]);
    });
});

describe("SubmissionJournal", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-journal-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const fields = (key: string) => ({ key, projectId: "FP-0123456789ABCDEF", flowId: "F-0123456789ABCDEF", regionId: "cn-hangzhou", startedAt: 1 });

    it("hands an unfinished entry to a later process, never a finished one or one in use", () => {
        const first = new SubmissionJournal(dir, () => undefined);
        const key = first.keyFor({ conf: { a: "1" } });
        const open = first.update(first.begin(fields(key)), { instanceId: "FI-000000000000000A" });
        first.finish(first.begin(fields(key)), { instanceId: "FI-000000000000000B" });
        assert.deepEqual(first.interrupted(key), [], "in use by this process");
        const later = new SubmissionJournal(dir, () => undefined);
        assert.equal(later.keyFor({ conf: { a: "1" } }), key, "the key survives the process (salt on disk)");
        assert.deepEqual(later.interrupted(key).map((e) => e.instanceId), [open.instanceId]);
        assert.deepEqual([...later.heldInstanceIds("FP-0123456789ABCDEF", "F-0123456789ABCDEF")].sort(), ["FI-000000000000000A", "FI-000000000000000B"]);
    });

    it("keeps no input value on disk, only a salted hash", () => {
        const journal = new SubmissionJournal(dir, () => undefined);
        journal.begin(fields(journal.keyFor({ conf: { password: "hunter2-secret" } })));
        for (const name of fs.readdirSync(dir)) assert.ok(!fs.readFileSync(path.join(dir, name), "utf8").includes("hunter2"));
    });

    it("warns once and goes on in memory when it cannot write", () => {
        const file = path.join(dir, "not-a-dir");
        fs.writeFileSync(file, "");
        const lines: string[] = [];
        const journal = new SubmissionJournal(path.join(file, "sub"), (l) => lines.push(l));
        journal.begin(fields("k"));
        journal.begin(fields("k"));
        assert.equal(lines.length, 1);
        assert.match(lines[0]!, /cannot record submissions.*EMR_FLOW_JOURNAL_DIR/);
    });
});

describe("settings: emr-flow:maxRequestsPerSecond", () => {
    it("reads stack config, then EMR_FLOW_MAX_REQUESTS_PER_SECOND, and rejects non-rates naming the source", () => {
        const config = (v?: string) => (k: string) => (k === "emr-flow:maxRequestsPerSecond" ? v : undefined);
        const creds = { ALIBABA_CLOUD_ACCESS_KEY_ID: "id", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "secret-value" };
        assert.equal(resolveSettings({ config: config("25"), env: { ...creds, EMR_FLOW_MAX_REQUESTS_PER_SECOND: "5" } }).maxRequestsPerSecond, 25);
        assert.equal(resolveSettings({ env: { ...creds, EMR_FLOW_MAX_REQUESTS_PER_SECOND: "2.5" } }).maxRequestsPerSecond, 2.5);
        assert.equal(resolveSettings({ env: creds }).maxRequestsPerSecond, undefined);
        for (const bad of ["0", "-1", "fast", "1e9"]) {
            assert.throws(() => resolveSettings({ config: config(bad), env: creds }), (e: Error) => e.message.includes("stack config emr-flow:maxRequestsPerSecond") && e.message.includes("default: no cap"));
        }
    });
});
