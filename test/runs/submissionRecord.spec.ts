/**
 * The pieces behind the fault matrix, one by one: the search for the run an ambiguous submission
 * may have started, this process's ledger, and the submission record. (The rate limit and its
 * setting are tested with the client, in test/client/throttle.spec.ts.)
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SubmissionLedger, WINDOW_SLACK_MS, findSubmittedInstance } from "../../provider/runs/adopt";
import { SubmissionJournal } from "../../provider/runs/journal";
import type { EmrFlowClient, ListFlowInstancesParams } from "../../provider/client/emrFlowClient";
import type { FlowInstanceSummary } from "../../provider/client/responses";

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
