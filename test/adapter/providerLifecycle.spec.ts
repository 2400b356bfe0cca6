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
            return { instances, total: instances.length, totalReported: true, pageNumber: 1, pageSize: 100, requestId: "REQ-L" };
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
        // Two listings after each unknown outcome, each read as two calls: the runs not started yet, then the time range.
        assert.equal(count("ListFlowInstance"), 8, "two listings after each unknown outcome, two calls each");
        assert.equal(lines.filter((l) => l.includes("did not take effect; submitting it once more")).length, 1);
    });

    it("adopts the run a second unknown outcome started", async () => {
        const run: FlowInstanceSummary = { id: "FI-00000000000000CC", flowId: FLOW, status: "RUNNING", gmtCreate: Date.UTC(2026, 10, 28) + 60_000 };
        // The first search (two listings of two calls each) finds nothing; the second finds the run.
        const { client, count } = scripted({ submit: (n) => unknownOutcome(Date.UTC(2026, 10, 28) + n * 60_000), list: (n) => (n < 4 ? [] : [run]) });
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

describe("provider lifecycle: what each step tells the user", () => {
    const olds = { ...base, instanceId: INSTANCE, requestId: "REQ-1", submittedAt: "2026-11-28T00:00:00.000Z" };
    const keptTail = (op: "refresh" | "destroy", extra = { creds: "", endpoint: "" }) =>
        `${INSTANCE} stays in the stack: a run is dropped only when EMR answers that this instance does not exist in a project the caller can see, and this answer does not say that. ` +
        `Check that the account${extra.creds}, the region (${REGION}) and the endpoint${extra.endpoint} are the ones the run was submitted with, and that they may read project ${PROJECT}; then run \`pulumi ${op}\` again. ` +
        "If the run is known to be gone, `pulumi state delete` removes it from the stack.";

    it("a refresh that cannot tell what became of a run says what to check, naming the credentials and the endpoint it used", async () => {
        const { client } = scripted({ describe: () => denied("DescribeFlowInstance") });
        (client as unknown as { credentialSource(): string }).credentialSource = () => "stack config alicloud:accessKey";
        const { provider } = providerWith(client);
        await provider.configure({ config: { get: (k: string) => (k === "emr-flow:endpoint" ? "emr.example:8443" : undefined) } } as never);
        const err = await rejection(provider.read(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING" }));
        assert.equal(
            err.message,
            `emr-flow: could not refresh ${INSTANCE} (project ${PROJECT}, region ${REGION}): EMR DescribeFlowInstance failed with Forbidden.RAM (HTTP 403) ` +
                keptTail("refresh", { creds: " (credentials from stack config alicloud:accessKey)", endpoint: " (emr.example:8443)" }),
        );
    });

    it("a delete that cannot look at the run says so, with the endpoint from the environment and no credentials it cannot name", async () => {
        const { client } = scripted({ describe: () => denied("DescribeFlowInstance") });
        const lines: string[] = [];
        const provider = new FlowSubmissionProvider({ createClient: () => client, clock: new FakeClock(), print: (l) => lines.push(l), env: { ALIBABA_CLOUD_ENDPOINT_EMR: "emr.env.example" }, journalDir: null, ledger: new SubmissionLedger(), engineAddress: null });
        const err = await rejection(provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true }));
        assert.equal(
            err.message,
            `emr-flow: could not check or stop ${INSTANCE} (project ${PROJECT}, region ${REGION}): EMR DescribeFlowInstance failed with Forbidden.RAM (HTTP 403) ` + keptTail("destroy", { creds: "", endpoint: " (emr.env.example)" }),
        );
    });

    it("a delete that finds a project, not the instance, missing keeps the run", async () => {
        const projectGone = new EmrApiError("EMR.Project.NotFound", "EMR DescribeFlowInstance failed with EMR.Project.NotFound (HTTP 404)", { statusCode: 404, apiMessage: "project not exist" });
        const { client } = scripted({ describe: () => projectGone });
        const err = await rejection(providerWith(client).provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true }));
        assert.match(err.message, new RegExp(`^emr-flow: could not check or stop ${INSTANCE} .*EMR\\.Project\\.NotFound`));
        assert.ok(err.message.endsWith(keptTail("destroy")), err.message);
    });

    it("delete without killOnDelete names the last status it knew, or says it is unknown", async () => {
        const { client } = scripted();
        const { provider, lines } = providerWith(client);
        await provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING" });
        await provider.delete(INSTANCE, { ...base, instanceId: INSTANCE });
        assert.deepEqual(lines, [
            `emr-flow: ${INSTANCE} removed from the stack; the run itself is left as it is (last seen RUNNING). Set killOnDelete: true to stop unfinished runs on delete.`,
            `emr-flow: ${INSTANCE} removed from the stack; the run itself is left as it is (last seen unknown). Set killOnDelete: true to stop unfinished runs on delete.`,
        ]);
    });

    it("delete says a run that ended or is gone needs no kill", async () => {
        const ended = providerWith(scripted({ describe: () => fakeInstance({ id: INSTANCE, status: "SUCCEEDED" }) }).client);
        await ended.provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true });
        assert.deepEqual(ended.lines, [`emr-flow: ${INSTANCE} already ended (SUCCEEDED); nothing to kill`]);
        const gone = providerWith(scripted({ describe: () => notFound() }).client);
        await gone.provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true });
        assert.deepEqual(gone.lines, [`emr-flow: ${INSTANCE} no longer exists; nothing to kill`]);
    });

    it("delete says nothing more when the run ended just as it was killed, and what became of it otherwise", async () => {
        const race = scripted({ describe: (n) => fakeInstance({ id: INSTANCE, status: n === 0 ? "RUNNING" : "SUCCEEDED" }), kill: () => new EmrApiError("EMR.Instance.Ended", "ended", { statusCode: 400 }) });
        const raced = providerWith(race.client);
        await raced.provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true });
        assert.deepEqual(raced.lines, [`emr-flow: killing ${INSTANCE} (RUNNING) because killOnDelete is set`]);
        const killed = providerWith(scripted({ describe: (n) => fakeInstance({ id: INSTANCE, status: n === 0 ? "RUNNING" : "KILLED" }) }).client);
        await killed.provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true });
        assert.deepEqual(killed.lines, [`emr-flow: killing ${INSTANCE} (RUNNING) because killOnDelete is set`, `emr-flow: ${INSTANCE} is KILLED`]);
    });

    it("delete of a kill that never takes effect names the wait and what to do", async () => {
        const { client } = scripted({ describe: () => fakeInstance({ id: INSTANCE, status: "RUNNING" }) });
        const err = await rejection(providerWith(client).provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true }));
        assert.equal(
            err.message,
            `emr-flow: asked EMR to kill ${INSTANCE} (project ${PROJECT}) but it was still RUNNING after ${KILL_WAIT_MS / 60_000} minutes. ` +
                `It stays in the stack: check it in the EMR console (or \`emr-flow status ${INSTANCE} --project ${PROJECT}\`) and run the delete again.`,
        );
    });

    it("update says why it waits again, or reruns, and keeps only the settings given", async () => {
        const waiting = providerWith(scripted().client);
        const outs = (await waiting.provider.update(INSTANCE, { ...olds, status: "RUNNING", waitFor: "start", timeoutSeconds: 60, killOnDelete: true }, { ...base })).outs!;
        assert.deepEqual(waiting.lines.slice(0, 1), [`emr-flow: ${INSTANCE} had not reached "completion" when the last deployment stopped waiting (status RUNNING); waiting for the same instance again`]);
        assert.deepEqual([outs.waitFor, outs.timeoutSeconds, outs.killOnDelete, outs.status], [undefined, undefined, undefined, "SUCCEEDED"]);
        // The look after the rerun fails: the state kept is the one the rerun left, RUNNING.
        const rerun = providerWith(scripted({ describe: () => denied("DescribeFlowInstance") }).client);
        const err = await rejection(rerun.provider.update(INSTANCE, { ...olds, status: "FAILED" }, { ...base }));
        assert.deepEqual(rerun.lines.slice(0, 1), [`emr-flow: ${INSTANCE} failed in an earlier deployment; rerunning its failed nodes (RerunFlow) and waiting again`]);
        assert.ok(err instanceof ResourceInitError, String(err));
        assert.equal(err.properties.status, "RUNNING");
    });

    it("update of a KILLED run says how it is replaced", async () => {
        const err = await rejection(providerWith(scripted().client).provider.update(INSTANCE, { ...olds, status: "KILLED" }, { ...base }));
        assert.equal(err.message, `emr-flow: ${INSTANCE} (flow ${FLOW}, project ${PROJECT}) was killed and cannot be continued; run \`pulumi up\` again and it is replaced by a new submission`);
    });
});

describe("provider lifecycle: settings, regions and the engine", () => {
    const plain = (config: Record<string, string | (() => never)>, env: NodeJS.ProcessEnv, client?: EmrFlowClient) => {
        const lines: string[] = [];
        const provider = new FlowSubmissionProvider({
            ...(client ? { createClient: () => client } : {}),
            clock: new FakeClock(),
            print: (l) => lines.push(l),
            env,
            journalDir: null,
            ledger: new SubmissionLedger(),
            settleDelaysMs: [0],
            engineAddress: null,
        });
        void provider.configure({
            config: {
                get: (k: string) => {
                    const v = config[k];
                    return typeof v === "function" ? v() : v;
                },
            },
        } as never);
        return { provider, lines };
    };

    it("takes an empty or unreadable config value for an absent one", async () => {
        const empty = plain({ "alicloud:region": "" }, { ALIBABA_CLOUD_REGION: "cn-beijing" }, scripted().client);
        assert.equal((await empty.provider.check({}, { projectId: PROJECT, flowId: FLOW })).inputs?.regionId, "cn-beijing");
        const broken = plain({ "alicloud:region": () => { throw new Error("secret config cannot be read"); } }, { ALICLOUD_REGION: "cn-shenzhen" }, scripted().client);
        assert.equal((await broken.provider.check({}, { projectId: PROJECT, flowId: FLOW })).inputs?.regionId, "cn-shenzhen");
        const blank = plain({}, { ALIBABA_CLOUD_REGION: "", ALICLOUD_REGION: "cn-qingdao" }, scripted().client);
        assert.equal((await blank.provider.check({}, { projectId: PROJECT, flowId: FLOW })).inputs?.regionId, "cn-qingdao");
    });

    it("check reports a bad provider setting by its name, after the inputs' own problems", async () => {
        const { provider } = plain({ "emr-flow:readTimeoutMs": "soon" }, { ALIBABA_CLOUD_ACCESS_KEY_ID: "AK", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "SK" });
        const result = await provider.check({}, { ...base, flowId: "" });
        assert.deepEqual(result.failures?.map((f) => f.property), ["flowId", "emr-flow:readTimeoutMs"]);
        assert.equal(result.failures![1]!.reason, 'stack config emr-flow:readTimeoutMs = "soon" is not a timeout: use a whole number of milliseconds, at least 1. (a provider setting: fix it in the stack config or the environment)');
        const good = await plain({}, { ALIBABA_CLOUD_ACCESS_KEY_ID: "AK", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "SK" }).provider.check({}, { ...base });
        assert.deepEqual(good.failures, []);
    });

    it("check reports a bad provider setting on every check of the configuration, not just the first", async () => {
        // The settings are judged once per configuration and the verdict kept: the kept verdict must
        // be the problem found, so the second resource of a stack fails its preview too.
        const { provider } = plain({ "emr-flow:readTimeoutMs": "soon" }, { ALIBABA_CLOUD_ACCESS_KEY_ID: "AK", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "SK" });
        const first = await provider.check({}, { ...base });
        const second = await provider.check({}, { ...base });
        assert.deepEqual(first.failures?.map((f) => f.property), ["emr-flow:readTimeoutMs"]);
        assert.deepEqual(second.failures, first.failures);
    });

    it("check names half a key pair by the setting that holds it", async () => {
        const { provider } = plain({}, { ALIBABA_CLOUD_ACCESS_KEY_ID: "AK" });
        const result = await provider.check({}, { ...base });
        assert.equal(result.failures?.length, 1);
        assert.match(result.failures![0]!.property, /^ALIBABA_CLOUD_ACCESS_KEY_ID$/);
        assert.match(result.failures![0]!.reason, /^Incomplete Alibaba Cloud credentials: .* \(a provider setting: fix it in the stack config or the environment\)$/);
    });

    it("says where a region the package does not list is called, and nothing for a listed one", async () => {
        const inputs = (regionId: string) => ({ ...base, regionId, waitFor: "submission" });
        const computed = plain({}, {}, scripted().client);
        await computed.provider.create(inputs("cn-hangzhou"));
        assert.deepEqual(computed.lines.filter((l) => /not among the regions/.test(l)), []);
        await computed.provider.create(inputs("xx-newland-1"));
        assert.deepEqual(computed.lines.filter((l) => /not among the regions/.test(l)), ["emr-flow: xx-newland-1 is not among the regions this package lists; calling emr.xx-newland-1.aliyuncs.com (set emr-flow:endpoint if the region has another endpoint)"]);
        const fromConfig = plain({ "emr-flow:endpoint": "emr.config.example" }, { ALIBABA_CLOUD_ENDPOINT_EMR: "emr.env.example" }, scripted().client);
        await fromConfig.provider.create(inputs("xx-newland-1"));
        assert.deepEqual(fromConfig.lines.filter((l) => /not among/.test(l)), ["emr-flow: xx-newland-1 is not among the regions this package lists; calling the endpoint override emr.config.example"]);
        const fromEnv = plain({}, { ALIBABA_CLOUD_ENDPOINT_EMR: "emr.env.example" }, scripted().client);
        await fromEnv.provider.create(inputs("xx-newland-1"));
        assert.deepEqual(fromEnv.lines.filter((l) => /not among/.test(l)), ["emr-flow: xx-newland-1 is not among the regions this package lists; calling the endpoint override emr.env.example"]);
        const blankEnv = plain({}, { ALIBABA_CLOUD_ENDPOINT_EMR: "" }, scripted().client);
        await blankEnv.provider.create(inputs("xx-newland-1"));
        assert.match(blankEnv.lines.find((l) => /not among/.test(l))!, /calling emr\.xx-newland-1\.aliyuncs\.com/);
    });

    it("counts a SubmitFlow's span as the retry budget plus the read timeout that is set", () => {
        const span = (config: Record<string, string>, env: NodeJS.ProcessEnv) => (plain(config, env, scripted().client).provider as unknown as { submitSpanMs(): number }).submitSpanMs();
        assert.equal(span({ "emr-flow:readTimeoutMs": "5000" }, { EMR_FLOW_READ_TIMEOUT_MS: "7000" }), 60_000 + 5_000);
        const runs = (plain({ "emr-flow:readTimeoutMs": "5000" }, {}, scripted().client).provider as unknown as { submissions(): { d: { submitSpanMs(): number } } }).submissions();
        assert.equal(runs.d.submitSpanMs(), 65_000, "the runs get the same span");
        assert.equal(span({}, { EMR_FLOW_READ_TIMEOUT_MS: "7000" }), 60_000 + 7_000);
        const fallback = span({}, {});
        for (const value of ["0", "-5", "soon"]) assert.equal(span({ "emr-flow:readTimeoutMs": value }, {}), fallback, value);
        assert.ok(fallback > 60_000);
    });

    it("keys a create with an empty __stack on what the environment says", async () => {
        const { provider } = plain({}, { PULUMI_NODEJS_STACK: "dev" }, scripted().client);
        const runs = (provider as unknown as { submissions(): { keyFor(parts: unknown): string } }).submissions();
        const keys: unknown[] = [];
        const keyFor = runs.keyFor.bind(runs);
        runs.keyFor = (parts: unknown) => (keys.push(parts), keyFor(parts));
        await provider.create({ ...base, waitFor: "submission", __stack: "" });
        assert.deepEqual((keys[0] as { stack: string; organization: string }).stack, "dev");
        assert.equal((keys[0] as { organization: string }).organization, "");
    });

    it("records the instance ID before it waits, so an interrupted wait is continued", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"));
        try {
            const seen: (string | undefined)[] = [];
            const { client } = scripted({
                describe: () => {
                    const record = new SubmissionJournal(dir, () => undefined);
                    seen.push(...[...record.heldInstanceIds(PROJECT, FLOW)]);
                    return fakeInstance({ id: INSTANCE, status: "SUCCEEDED" });
                },
            });
            const { provider } = providerWith(client, { journalDir: dir });
            await provider.create({ ...base, waitFor: "completion" });
            assert.deepEqual(seen, [INSTANCE]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("keeps the record of a run whose engine is gone, saying so, and finishes it while the engine lives", async () => {
        const net = require("net") as typeof import("net");
        const server = net.createServer((s) => s.destroy());
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        const port = (server.address() as import("net").AddressInfo).port;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"));
        try {
            const make = () => {
                const lines: string[] = [];
                // No configure(): it would start watching the engine and end this process once it is gone.
                const provider = new FlowSubmissionProvider({ createClient: () => scripted().client, clock: new FakeClock(), print: (l) => lines.push(l), env: {}, journalDir: dir, ledger: new SubmissionLedger(), engineAddress: { host: "127.0.0.1", port } });
                return { provider, lines };
            };
            const alive = make();
            await alive.provider.create({ ...base, waitFor: "submission", __stack: "alive" });
            assert.deepEqual(alive.lines.filter((l) => /engine/.test(l)), []);
            await new Promise<void>((r) => server.close(() => r()));
            const gone = make();
            await gone.provider.create({ ...base, waitFor: "submission", __stack: "gone" });
            assert.deepEqual(gone.lines.filter((l) => /engine/.test(l)), [`emr-flow: the Pulumi engine is gone; ${INSTANCE} stays recorded, and the next \`pulumi up\` of this stack continues with it`]);
            const open = fs.readdirSync(dir).filter((n) => n.endsWith(".jsonl")).map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), "utf8").trimEnd().split("\n").pop()!) as { done?: boolean });
            assert.deepEqual(open.map((e) => e.done === true).sort(), [false, true]);
        } finally {
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("without an injected client keeps the record under the directory the environment names, and warns through print", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"));
        try {
            const file = path.join(dir, "a-file");
            fs.writeFileSync(file, "");
            const lines: string[] = [];
            const provider = new FlowSubmissionProvider({ clock: new FakeClock(), print: (l) => lines.push(l), env: { EMR_FLOW_JOURNAL_DIR: path.join(file, "sub") }, engineAddress: null });
            const runs = (provider as unknown as { submissions(): { d: { journal: SubmissionJournal } } }).submissions();
            runs.d.journal.begin({ key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });
            assert.equal(lines.length, 1);
            assert.ok(lines[0]!.startsWith(`emr-flow: warning: cannot record submissions under ${path.join(file, "sub")} (`), lines[0]);
            const injected = providerWith(scripted().client).provider as unknown as { submissions(): { d: { journal: SubmissionJournal } } };
            const memoryOnly = injected.submissions().d.journal;
            memoryOnly.begin({ key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });
            assert.equal((memoryOnly as unknown as { dir?: string }).dir, undefined, "an injected client keeps no record on disk");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("provider lifecycle: the client, the ledger, the engine and the phase", () => {
    it("builds the client once, from the injected factory or else from the settings", () => {
        let built = 0;
        const { client } = scripted();
        const provider = new FlowSubmissionProvider({ createClient: () => (built++, client), env: {}, engineAddress: null });
        assert.equal(provider.client(), client);
        assert.equal(provider.client(), client);
        assert.equal(built, 1);
        const own = new FlowSubmissionProvider({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "AK", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "SK", ALIBABA_CLOUD_REGION: REGION }, engineAddress: null });
        const real = own.client();
        assert.equal(real.constructor.name, "EmrFlowClient");
        assert.equal(real.credentialSource(), "environment ALIBABA_CLOUD_ACCESS_KEY_ID", "built from the provider's environment");
        assert.equal(own.client(), real);
    });

    it("leaves provider settings to an injected client: check does not judge them", async () => {
        const provider = new FlowSubmissionProvider({ createClient: () => scripted().client, env: { EMR_FLOW_READ_TIMEOUT_MS: "soon" }, engineAddress: null });
        assert.deepEqual((await provider.check({}, { ...base })).failures, []);
    });

    it("without a print of its own writes each line to standard output, as console.log would", async () => {
        const provider = new FlowSubmissionProvider({ createClient: () => scripted().client, clock: new FakeClock(), env: {}, journalDir: null, ledger: new SubmissionLedger(), engineAddress: null });
        const written: string[] = [];
        const write = process.stdout.write;
        process.stdout.write = ((chunk: string | Uint8Array) => {
            written.push(String(chunk));
            return true;
        }) as typeof process.stdout.write;
        try {
            await provider.create({ ...base, waitFor: "submission" });
        } finally {
            process.stdout.write = write;
        }
        assert.ok(written.length > 0);
        for (const chunk of written) assert.match(chunk, /^emr-flow: [^\n]*\n$/, "one whole line per write");
        assert.ok(written.some((l) => l.includes(INSTANCE)), written.join(""));
    });

    it("holds the run in the ledger it is given", async () => {
        const ledger = new SubmissionLedger();
        const provider = new FlowSubmissionProvider({ createClient: () => scripted().client, clock: new FakeClock(), print: () => undefined, env: {}, journalDir: null, ledger, engineAddress: null });
        await provider.create({ ...base, waitFor: "submission" });
        assert.deepEqual([...ledger.heldIds()], [INSTANCE]);
    });

    it("with no engine to watch, finishes the record and says nothing of an engine", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"));
        try {
            const lines: string[] = [];
            const provider = new FlowSubmissionProvider({ createClient: () => scripted().client, clock: new FakeClock(), print: (l) => lines.push(l), env: {}, journalDir: dir, ledger: new SubmissionLedger(), engineAddress: null });
            await provider.create({ ...base, waitFor: "submission" });
            assert.deepEqual(lines.filter((l) => /engine/.test(l)), []);
            const entries = fs.readdirSync(dir).filter((n) => n.endsWith(".jsonl")).map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), "utf8").trimEnd().split("\n").pop()!) as { done?: boolean });
            assert.deepEqual(entries.map((e) => e.done), [true]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("names the step in which a run failed: create or update", async () => {
        const failed = () => fakeInstance({ id: INSTANCE, status: "FAILED" });
        const created = await rejection(providerWith(scripted({ describe: failed }).client).provider.create({ ...base, waitFor: "completion" }));
        assert.match(created.message, new RegExp(`^emr-flow: ${INSTANCE} ended FAILED during create\\.`));
        const olds = { ...base, instanceId: INSTANCE, requestId: "REQ-1", submittedAt: "2026-11-28T00:00:00.000Z", status: "RUNNING" };
        const updated = await rejection(providerWith(scripted({ describe: failed }).client).provider.update(INSTANCE, olds, { ...base }));
        assert.match(updated.message, new RegExp(`^emr-flow: ${INSTANCE} ended FAILED during update\\.`));
    });

    it("says nothing more when the run vanishes as it is killed", async () => {
        const { client } = scripted({ describe: (n) => (n === 0 ? fakeInstance({ id: INSTANCE, status: "RUNNING" }) : notFound()), kill: () => notFound() });
        const { provider, lines } = providerWith(client);
        await provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true });
        assert.deepEqual(lines, [`emr-flow: killing ${INSTANCE} (RUNNING) because killOnDelete is set`]);
    });

    it("says the status is unknown when no look after the kill succeeded", async () => {
        const busy = () => new EmrApiError("Throttling.User", "slow down", { statusCode: 400, retryable: true });
        const { client } = scripted({ describe: (n) => (n === 0 ? fakeInstance({ id: INSTANCE, status: "RUNNING" }) : busy()) });
        const err = await rejection(providerWith(client).provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true }));
        assert.ok(err.message.startsWith(`emr-flow: asked EMR to kill ${INSTANCE} (project ${PROJECT}) but it was still unknown after ${KILL_WAIT_MS / 60_000} minutes. `), err.message);
    });
});

describe("provider lifecycle: watching the engine", () => {
    it("starts watching the engine once, on the first configure, and on its loss says why it stops and exits 1", async () => {
        const engineWatch = require("../../provider/adapter/engineWatch") as { exitWhenEngineGone: unknown };
        const realWatch = engineWatch.exitWhenEngineGone;
        const realExit = process.exit;
        const realError = console.error;
        const watched: { address: unknown; onGone: () => void }[] = [];
        const exits: unknown[] = [];
        const errors: unknown[] = [];
        try {
            engineWatch.exitWhenEngineGone = (address: unknown, onGone: () => void) => {
                watched.push({ address, onGone });
                return () => undefined;
            };
            const config = { config: { get: () => undefined } } as never;
            const address = { host: "127.0.0.1", port: 1 };
            const provider = new FlowSubmissionProvider({ createClient: () => scripted().client, env: {}, journalDir: null, engineAddress: address });
            await provider.configure(config);
            await provider.configure(config);
            assert.equal(watched.length, 1);
            assert.deepEqual(watched[0]!.address, address);
            await new FlowSubmissionProvider({ createClient: () => scripted().client, env: {}, journalDir: null, engineAddress: null }).configure(config);
            assert.equal(watched.length, 1, "nothing to watch without an engine");
            (process as { exit: unknown }).exit = (code: unknown) => void exits.push(code);
            console.error = (line: unknown) => void errors.push(line);
            watched[0]!.onGone();
        } finally {
            engineWatch.exitWhenEngineGone = realWatch;
            process.exit = realExit;
            console.error = realError;
        }
        assert.deepEqual(exits, [1]);
        assert.deepEqual(errors, ["emr-flow: the Pulumi engine at 127.0.0.1:1 is gone; stopping, unfinished submissions stay recorded for the next `pulumi up`"]);
    });
});
