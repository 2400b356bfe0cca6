/**
 * The provider's lifecycle on the paths where something goes wrong: waiting that fails after a
 * successful submit, delete with killOnDelete when the look or the kill fails or never takes
 * effect (with KillFlow, and where the service has none: SuspendFlow and KillFlowJob), read and update errors, adoption when the listing fails or a second submission's outcome
 * is unknown too, and a recorded run that is gone. (The submission record's own edges are in
 * test/runs/journal.spec.ts.) In-process, with a scripted client and a fake
 * clock: no network, no waiting.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FlowSubmissionProvider, KILL_WAIT_MS, ResourceInitError } from "../../provider/adapter/dynamicProvider";
import { SubmissionLedger } from "../../provider/runs/adopt";
import { EmrApiError, EmrNetworkError, SubmissionOutcomeUnknownError } from "../../provider/client/errors";
import { SubmissionJournal } from "../../provider/runs/journal";
import type { EmrFlowClient } from "../../provider/client/emrFlowClient";
import type { FlowInstance, FlowInstanceSummary } from "../../provider/client/responses";
import { FakeClock } from "../support/fakeClock";
import { fakeInstance } from "../support/fakeInstance";

const PROJECT = "FP-0123456789ABCDEF";
const FLOW = "F-0123456789ABCDEF";
const INSTANCE = "FI-00000000000000AA";
const REGION = "cn-hangzhou";
const base = { projectId: PROJECT, flowId: FLOW, regionId: REGION };

type Answer<T> = T | Error;

interface Script {
    submit?: (n: number) => Answer<{ requestId: string; instanceId: string }>;
    describe?: (n: number) => Answer<FlowInstance>;
    kill?: (n: number) => Answer<{ requestId: string; accepted: boolean }>;
    suspend?: (n: number) => Answer<{ requestId: string; accepted: boolean }>;
    killJob?: (n: number) => Answer<{ requestId: string; accepted: boolean }>;
    list?: (n: number) => Answer<FlowInstanceSummary[]>;
}

/** A client that records each call by action and answers from a script. */
function scripted(script: Script = {}) {
    const calls: string[] = [];
    const count = (action: string) => calls.filter((c) => c === action).length;
    const answer = <T>(action: string, fn: ((n: number) => Answer<T>) | undefined, fallback: T): T => {
        const n = count(action);
        calls.push(action);
        const a = fn ? fn(n) : fallback;
        if (a instanceof Error) throw a;
        return a;
    };
    const client = {
        async submitFlow() {
            return answer("SubmitFlow", script.submit, { requestId: "REQ-1", instanceId: INSTANCE });
        },
        async describeFlowInstance() {
            return { ...answer("DescribeFlowInstance", script.describe, fakeInstance({ id: INSTANCE, status: "SUCCEEDED" })), requestId: "REQ-D" };
        },
        async killFlow() {
            return answer("KillFlow", script.kill, { requestId: "REQ-K", accepted: true });
        },
        async suspendFlow() {
            return answer("SuspendFlow", script.suspend, { requestId: "REQ-S", accepted: true });
        },
        async killFlowJob() {
            return answer("KillFlowJob", script.killJob, { requestId: "REQ-J", accepted: true });
        },
        async listFlowInstances() {
            const instances = answer("ListFlowInstance", script.list, [] as FlowInstanceSummary[]);
            return { instances, total: instances.length, pageNumber: 1, pageSize: 100, requestId: "REQ-L" };
        },
        async rerunFlow() {
            return answer("RerunFlow", undefined, { requestId: "REQ-R", accepted: true });
        },
    };
    return { client: client as unknown as EmrFlowClient, calls, count };
}

function providerWith(client: EmrFlowClient, opts: { journalDir?: string | null } = {}) {
    const lines: string[] = [];
    const clock = new FakeClock();
    const provider = new FlowSubmissionProvider({
        createClient: () => client,
        clock,
        print: (l) => lines.push(l),
        env: {},
        journalDir: opts.journalDir ?? null,
        ledger: new SubmissionLedger(),
        settleDelaysMs: [0, 0],
    });
    void provider.configure({ config: { get: () => undefined } } as never);
    return { provider, lines, clock };
}

const notFound = () => new EmrApiError("InvalidFlowInstance.NotFound", "EMR DescribeFlowInstance failed with InvalidFlowInstance.NotFound (HTTP 404)", { statusCode: 404, apiMessage: "instance not exist" });
/** The answer of a service that has no KillFlow (the current API). */
const noKillFlow = () => new EmrApiError("InvalidAction.NotFound", "EMR KillFlow failed with InvalidAction.NotFound (HTTP 404)", { statusCode: 404, retryable: false, apiMessage: "Specified api is not found" });
const denied = (action: string) => new EmrApiError("Forbidden.RAM", `EMR ${action} failed with Forbidden.RAM (HTTP 403)`, { statusCode: 403, retryable: false });
const unknownOutcome = (at: number) =>
    new SubmissionOutcomeUnknownError({
        regionId: REGION,
        projectId: PROJECT,
        flowId: FLOW,
        windowStart: at,
        windowEnd: at + 1000,
        reason: "the connection was lost before an answer arrived (ECONNRESET)",
        cause: new EmrNetworkError("ECONNRESET", "reset", { retryable: true, phase: "send-or-wait", requestMayHaveBeenSent: true }),
    });

async function rejection(promise: Promise<unknown>): Promise<Error> {
    const err = await promise.then(
        () => undefined,
        (e: unknown) => e,
    );
    assert.ok(err instanceof Error, `expected a rejection, got ${String(err)}`);
    return err;
}

describe("provider lifecycle: create when waiting fails after the submit", () => {
    it("keeps the submitted run as a partial failure with its ID and __provider", async () => {
        const { client, count } = scripted({ describe: () => denied("DescribeFlowInstance") });
        const { provider } = providerWith(client);
        const checked = await provider.check({}, { ...base, waitFor: "completion", __provider: "PROVIDER-CODE" });
        const err = await rejection(provider.create(checked.inputs!));
        assert.ok(err instanceof ResourceInitError, String(err));
        assert.equal(err.id, INSTANCE);
        assert.equal(err.properties.instanceId, INSTANCE);
        assert.equal(err.properties.__provider, "PROVIDER-CODE");
        assert.match(err.message, new RegExp(`${INSTANCE} was submitted but waiting for it failed: .*Forbidden\\.RAM.*It is kept in the stack`));
        assert.deepEqual(err.reasons.length, 1);
        assert.equal(count("SubmitFlow"), 1);
    });
});

describe("provider lifecycle: delete with killOnDelete", () => {
    const state = { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true };

    it("rethrows when the run cannot be looked at, and kills nothing", async () => {
        const { client, count } = scripted({ describe: () => denied("DescribeFlowInstance") });
        const err = await rejection(providerWith(client).provider.delete(INSTANCE, state));
        assert.match(err.message, /Forbidden\.RAM/);
        assert.equal(count("KillFlow"), 0);
    });

    it("has nothing to kill when the run no longer exists", async () => {
        const { client, count } = scripted({ describe: () => notFound() });
        const { provider, lines } = providerWith(client);
        await provider.delete(INSTANCE, state);
        assert.equal(count("KillFlow"), 0);
        assert.deepEqual(lines, [`emr-flow: ${INSTANCE} no longer exists; nothing to kill`]);
    });

    it("accepts a kill that fails because the run ended in between", async () => {
        const { client, count } = scripted({
            describe: (n) => fakeInstance({ id: INSTANCE, status: n === 0 ? "RUNNING" : "SUCCEEDED" }),
            kill: () => denied("KillFlow"),
        });
        await providerWith(client).provider.delete(INSTANCE, state);
        assert.equal(count("KillFlow"), 1);
        assert.equal(count("DescribeFlowInstance"), 2);
    });

    it("accepts a kill that fails because the run is gone", async () => {
        const { client, count } = scripted({ describe: () => fakeInstance({ id: INSTANCE, status: "RUNNING" }), kill: () => notFound() });
        await providerWith(client).provider.delete(INSTANCE, state);
        assert.equal(count("KillFlow"), 1);
        assert.equal(count("DescribeFlowInstance"), 1, "no second look after not-found");
    });

    it("fails with the kill's error when the run is still going", async () => {
        const { client } = scripted({ describe: () => fakeInstance({ id: INSTANCE, status: "RUNNING" }), kill: () => denied("KillFlow") });
        const err = await rejection(providerWith(client).provider.delete(INSTANCE, state));
        assert.match(err.message, /KillFlow failed with Forbidden\.RAM/);
    });

    it("fails with the kill's error when the second look fails too", async () => {
        const { client } = scripted({
            describe: (n) => (n === 0 ? fakeInstance({ id: INSTANCE, status: "RUNNING" }) : denied("DescribeFlowInstance")),
            kill: () => denied("KillFlow"),
        });
        const err = await rejection(providerWith(client).provider.delete(INSTANCE, state));
        assert.match(err.message, /KillFlow failed/);
    });

    it("fails, keeping the run, when the kill never takes effect", async () => {
        const { client, count } = scripted({ describe: () => fakeInstance({ id: INSTANCE, status: "RUNNING" }) });
        const { provider, clock } = providerWith(client);
        const start = clock.now();
        const err = await rejection(provider.delete(INSTANCE, state));
        assert.match(err.message, new RegExp(`asked EMR to kill ${INSTANCE} .*but it was still RUNNING after 10 minutes.*It stays in the stack`));
        assert.equal(count("KillFlow"), 1);
        assert.equal(clock.now() - start, KILL_WAIT_MS, "waited exactly the kill wait on the injected clock");
    });

    it("waits for KILLED and says so", async () => {
        const { client } = scripted({ describe: (n) => fakeInstance({ id: INSTANCE, status: n < 2 ? "RUNNING" : "KILLED" }) });
        const { provider, lines } = providerWith(client);
        await provider.delete(INSTANCE, state);
        assert.deepEqual(lines, [`emr-flow: killing ${INSTANCE} (RUNNING) because killOnDelete is set`, `emr-flow: ${INSTANCE} is KILLED`]);
    });
});

describe("provider lifecycle: delete with killOnDelete where the service has no KillFlow", () => {
    const state = { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true };
    const running = () => fakeInstance({ id: INSTANCE, status: "RUNNING", nodes: [{ nodeName: "backfill", type: "JOB", externalStatus: "RUNNING" }] });
    const suspended = (job: string) => fakeInstance({ id: INSTANCE, status: "SUSPENDED", nodes: [{ nodeName: "backfill", type: "JOB", externalStatus: job }] });

    it("rethrows when the look after the suspension fails, and kills no job", async () => {
        const { client, count } = scripted({
            describe: (n) => (n === 0 ? running() : denied("DescribeFlowInstance")),
            kill: () => noKillFlow(),
        });
        const err = await rejection(providerWith(client).provider.delete(INSTANCE, state));
        assert.match(err.message, /DescribeFlowInstance failed with Forbidden\.RAM/);
        assert.equal(count("SuspendFlow"), 1);
        assert.equal(count("KillFlowJob"), 0);
    });

    it("fails, keeping the run, when the running job cannot be killed, and does not wait", async () => {
        const { client, count } = scripted({
            describe: (n) => (n === 0 ? running() : suspended("RUNNING")),
            kill: () => noKillFlow(),
            killJob: () => denied("KillFlowJob"),
        });
        const { provider, clock } = providerWith(client);
        const start = clock.now();
        const err = await rejection(provider.delete(INSTANCE, state));
        assert.match(err.message, /EMR does not offer KillFlow \(InvalidAction\.NotFound\)/);
        assert.match(err.message, /Could NOT kill: backfill .*Forbidden\.RAM/);
        assert.match(err.message, /The run is SUSPENDED \(not KILLED\).*It stays in the stack/);
        assert.deepEqual([count("SuspendFlow"), count("KillFlowJob"), count("DescribeFlowInstance")], [1, 1, 2]);
        assert.equal(clock.now() - start, 0, "a job that was not killed goes on running: no wait for it");
    });

    it("fails, keeping the run, when it cannot be suspended and a job still runs after the wait", async () => {
        const { client, count } = scripted({
            describe: () => running(),
            kill: () => noKillFlow(),
            suspend: () => denied("SuspendFlow"),
        });
        const { provider, clock } = providerWith(client);
        const start = clock.now();
        const err = await rejection(provider.delete(INSTANCE, state));
        assert.match(err.message, /Could NOT suspend it \(Forbidden\.RAM \(HTTP 403\)\)/);
        assert.match(err.message, /The run is RUNNING \(not KILLED\).*It stays in the stack/);
        assert.equal(count("KillFlowJob"), 1);
        assert.equal(clock.now() - start, KILL_WAIT_MS, "waited exactly the kill wait on the injected clock");
    });

    it("succeeds once the run is suspended with no job running, saying what was stopped and never KILLED", async () => {
        const { client, count } = scripted({
            describe: (n) => (n === 0 ? running() : n === 1 ? suspended("RUNNING") : suspended("KILL_SUCCESS")),
            kill: () => noKillFlow(),
        });
        const { provider, lines } = providerWith(client);
        await provider.delete(INSTANCE, state);
        assert.equal(lines.length, 2, lines.join("\n"));
        assert.equal(lines[0], `emr-flow: killing ${INSTANCE} (RUNNING) because killOnDelete is set`);
        assert.match(lines[1]!, /Suspended it: no further node starts\. Asked EMR to kill the running job: backfill \(FNI-0000000000000000, now KILL_SUCCESS\)\. The run is SUSPENDED \(not KILLED\)\./);
        assert.deepEqual([count("KillFlow"), count("SuspendFlow"), count("KillFlowJob")], [1, 1, 1]);
    });
});

describe("provider lifecycle: read and update", () => {
    it("read rethrows an error that is not not-found", async () => {
        const { client } = scripted({ describe: () => denied("DescribeFlowInstance") });
        const err = await rejection(providerWith(client).provider.read(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING" }));
        assert.match(err.message, /Forbidden\.RAM/);
    });

    it("read of a run that is gone removes it, saying so", async () => {
        const { client } = scripted({ describe: () => notFound() });
        const { provider, lines } = providerWith(client);
        assert.deepEqual(await provider.read(INSTANCE, { ...base, instanceId: INSTANCE }), { id: "", props: {} });
        assert.equal(lines.length, 1);
        assert.match(lines[0]!, new RegExp(`${INSTANCE} no longer exists in project ${PROJECT}`));
    });

    it("update of a KILLED run fails saying the next up replaces it, and calls nothing", async () => {
        const { client, calls } = scripted();
        const olds = { ...base, instanceId: INSTANCE, requestId: "REQ-1", submittedAt: "2026-11-28T00:00:00.000Z", status: "KILLED" };
        const err = await rejection(providerWith(client).provider.update(INSTANCE, olds, { ...base, waitFor: "completion", timeoutSeconds: 60 }));
        assert.match(err.message, new RegExp(`${INSTANCE} \\(flow ${FLOW}, project ${PROJECT}\\) was killed and cannot be continued`));
        assert.deepEqual(calls, []);
    });
});

describe("provider lifecycle: adoption after an unknown outcome", () => {
    it("fails without submitting again when the listing itself fails", async () => {
        const { client, count } = scripted({ submit: () => unknownOutcome(Date.UTC(2026, 10, 28)), list: () => denied("ListFlowInstance") });
        const { provider } = providerWith(client);
        const checked = await provider.check({}, { ...base, waitFor: "submission" });
        const err = await rejection(provider.create(checked.inputs!));
        assert.match(err.message, /may have started a run between .* and looking for it failed: .*Forbidden\.RAM.* Nothing was submitted again/);
        assert.equal(count("SubmitFlow"), 1);
        assert.equal(count("ListFlowInstance"), 1);
    });

    it("the next create looks again for the run instead of submitting", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"));
        try {
            const first = scripted({ submit: () => unknownOutcome(Date.UTC(2026, 10, 28)), list: () => denied("ListFlowInstance") });
            const one = providerWith(first.client, { journalDir: dir });
            await rejection(one.provider.create((await one.provider.check({}, { ...base, waitFor: "submission" })).inputs!));
            const found: FlowInstanceSummary = { id: "FI-00000000000000BB", flowId: FLOW, status: "RUNNING", gmtCreate: Date.UTC(2026, 10, 28) };
            const second = scripted({ list: () => [found] });
            const two = providerWith(second.client, { journalDir: dir });
            const result = await two.provider.create((await two.provider.check({}, { ...base, waitFor: "submission" })).inputs!);
            assert.equal(result.id, found.id);
            assert.equal(second.count("SubmitFlow"), 0);
            assert.ok(two.lines.some((l) => l.includes("had no answer; looking for the run")), two.lines.join("\n"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("submits once more when nothing was found, and not a third time after a second unknown outcome", async () => {
        const { client, count } = scripted({ submit: (n) => unknownOutcome(Date.UTC(2026, 10, 28) + n * 60_000), list: () => [] });
        const { provider, lines } = providerWith(client);
        const checked = await provider.check({}, { ...base, waitFor: "submission" });
        const err = await rejection(provider.create(checked.inputs!));
        assert.match(err.message, /was tried twice with unknown outcomes, and no run of that flow appeared .* after 2 listings.* not submitted a third time/);
        assert.equal(count("SubmitFlow"), 2);
        assert.equal(count("ListFlowInstance"), 4, "two listings after each unknown outcome");
        assert.equal(lines.filter((l) => l.includes("did not take effect; submitting it once more")).length, 1);
    });

    it("adopts the run a second unknown outcome started", async () => {
        const run: FlowInstanceSummary = { id: "FI-00000000000000CC", flowId: FLOW, status: "RUNNING", gmtCreate: Date.UTC(2026, 10, 28) + 60_000 };
        const { client, count } = scripted({ submit: (n) => unknownOutcome(Date.UTC(2026, 10, 28) + n * 60_000), list: (n) => (n < 2 ? [] : [run]) });
        const { provider } = providerWith(client);
        const result = await provider.create((await provider.check({}, { ...base, waitFor: "submission" })).inputs!);
        assert.equal(result.id, run.id);
        assert.equal(count("SubmitFlow"), 2);
    });
});

describe("provider lifecycle: resuming a recorded run", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** What an interrupted create of `base` left: an entry with the run's ID, not done. */
    function interruptedEntry(instanceId: string): void {
        const journal = new SubmissionJournal(dir, () => undefined);
        const key = journal.keyFor({ organization: "", project: "", stack: "", ...base, conf: null, triggers: null });
        const entry = journal.begin({ key, projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: Date.UTC(2026, 10, 27) });
        journal.update(entry, { instanceId, requestId: "REQ-OLD" });
    }

    it("continues with the recorded run instead of submitting", async () => {
        interruptedEntry("FI-00000000000000DD");
        const { client, count } = scripted({ describe: () => fakeInstance({ id: "FI-00000000000000DD", status: "RUNNING" }) });
        const { provider, lines } = providerWith(client, { journalDir: dir });
        const result = await provider.create((await provider.check({}, { ...base, waitFor: "submission" })).inputs!);
        assert.equal(result.id, "FI-00000000000000DD");
        assert.equal(result.outs.requestId, "REQ-OLD");
        assert.equal(count("SubmitFlow"), 0);
        assert.ok(lines.some((l) => l.includes("continuing with FI-00000000000000DD instead of submitting again")), lines.join("\n"));
    });

    it("submits a new run when the recorded one is gone, saying so", async () => {
        interruptedEntry("FI-00000000000000DD");
        const { client, count } = scripted({ describe: () => notFound() });
        const { provider, lines } = providerWith(client, { journalDir: dir });
        const result = await provider.create((await provider.check({}, { ...base, waitFor: "submission" })).inputs!);
        assert.equal(result.id, INSTANCE);
        assert.equal(count("SubmitFlow"), 1);
        assert.ok(lines.some((l) => l.includes("as FI-00000000000000DD, which no longer exists; submitting a new run")), lines.join("\n"));
    });

    it("submits nothing when the recorded run cannot be looked at", async () => {
        interruptedEntry("FI-00000000000000DD");
        const { client, count } = scripted({ describe: () => denied("DescribeFlowInstance") });
        const { provider } = providerWith(client, { journalDir: dir });
        const err = await rejection(provider.create((await provider.check({}, { ...base, waitFor: "submission" })).inputs!));
        assert.match(err.message, /submitted .* as FI-00000000000000DD and stopped before recording it; checking FI-00000000000000DD failed: .*Nothing was submitted/);
        assert.equal(count("SubmitFlow"), 0);
    });
});
