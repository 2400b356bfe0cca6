import { strict as assert } from "assert";
import { FlowSubmissionProvider, ResourceInitError, UNKNOWN } from "../../provider/adapter/dynamicProvider";
import { MAX_NODES_IN_STATE, boundedNodes } from "../../provider/adapter/state";
import type { EmrFlowClient } from "../../provider/client/emrFlowClient";
import type { FlowInstance } from "../../provider/client/responses";
import { FakeClock } from "../support/fakeClock";
import { fakeInstance } from "../support/fakeInstance";

const PROJECT = "FP-0123456789ABCDEF";
const FLOW = "F-0123456789ABCDEF";
const INSTANCE = "FI-00000000000000AA";

interface Call {
    action: string;
    params: Record<string, unknown>;
}

/** A client that records calls and answers from a script; no network. */
function fakeClient(script: { describe?: (n: number) => FlowInstance | Error; submit?: () => { requestId: string; instanceId: string } | Error } = {}) {
    const calls: Call[] = [];
    let describes = 0;
    const client = {
        async submitFlow(params: Record<string, unknown>) {
            calls.push({ action: "SubmitFlow", params });
            const answer = script.submit ? script.submit() : { requestId: "REQ-1", instanceId: INSTANCE };
            if (answer instanceof Error) throw answer;
            return answer;
        },
        async describeFlowInstance(params: Record<string, unknown>) {
            calls.push({ action: "DescribeFlowInstance", params });
            const answer = script.describe ? script.describe(describes++) : fakeInstance({ id: INSTANCE, status: "SUCCEEDED" });
            if (answer instanceof Error) throw answer;
            return { ...answer, requestId: "REQ-D" };
        },
        async killFlow(params: Record<string, unknown>) {
            calls.push({ action: "KillFlow", params });
            return { requestId: "REQ-K", accepted: true };
        },
        async rerunFlow(params: Record<string, unknown>) {
            calls.push({ action: "RerunFlow", params });
            return { requestId: "REQ-R", accepted: true };
        },
    };
    return { client: client as unknown as EmrFlowClient, calls };
}

function makeProvider(client: EmrFlowClient, config: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
    const lines: string[] = [];
    const clock = new FakeClock();
    const provider = new FlowSubmissionProvider({ createClient: () => client, clock, print: (l) => lines.push(l), env });
    void provider.configure({ config: { get: (k: string) => config[k] } } as never);
    return { provider, lines, clock };
}

const base = { projectId: PROJECT, flowId: FLOW, regionId: "cn-hangzhou" };

describe("FlowSubmissionProvider.check", () => {
    const { provider } = makeProvider(fakeClient().client);

    it("accepts good inputs and normalizes cyctime to epoch milliseconds", async () => {
        for (const cyctime of [Date.UTC(2026, 10, 28), "2026-11-28T00:00:00Z", "2026-11-28T08:00:00+08:00", "2026-11-28", String(Date.UTC(2026, 10, 28))]) {
            const result = await provider.check({}, { ...base, conf: { cyctime, bizdate: "20261127" } });
            assert.deepEqual(result.failures, [], `cyctime ${cyctime}`);
            assert.deepEqual(result.inputs?.conf, { cyctime: String(Date.UTC(2026, 10, 28)), bizdate: "20261127" });
        }
    });

    it("keeps __provider in the checked inputs", async () => {
        const result = await provider.check({}, { ...base, __provider: "exports.handler = ..." });
        assert.equal(result.inputs?.__provider, "exports.handler = ...");
    });

    it("passes the hidden __stack through, and rejects one that is not a string", async () => {
        const result = await provider.check({}, { ...base, __stack: "organization/proj/dev", __provider: "code" });
        assert.deepEqual(result.failures, []);
        assert.equal(result.inputs?.__stack, "organization/proj/dev");
        const bad = await provider.check({}, { ...base, __stack: 42 });
        assert.deepEqual(bad.failures?.map((f) => f.property), ["__stack"]);
    });

    it("reports every problem at once with its property", async () => {
        const result = await provider.check({}, {
            projectId: "P-123",
            flowId: "FD06A29AF6D2",
            regionId: "Hangzhou",
            conf: { bizdate: 20261127, cyctime: "yesterday" },
            waitFor: "forever",
            timeoutSeconds: -1,
        });
        const byProperty = new Map((result.failures ?? []).map((f) => [f.property, f.reason]));
        assert.match(byProperty.get("projectId") ?? "", /not a project ID/);
        assert.match(byProperty.get("flowId") ?? "", /not a flow ID.*F-/);
        assert.match(byProperty.get("regionId") ?? "", /not a region ID/);
        assert.match(byProperty.get("conf.bizdate") ?? "", /must be strings/);
        assert.match(byProperty.get("conf.cyctime") ?? "", /not a time/);
        assert.match(byProperty.get("waitFor") ?? "", /submission/);
        assert.match(byProperty.get("timeoutSeconds") ?? "", /at least 1/);
    });

    it("rejects empty strings, unknown fields, malformed regions and zone-less times", async () => {
        const result = await provider.check({}, { ...base, projectId: "", regionId: "cn_atlantis", colour: "blue", conf: { cyctime: "2026-11-28T00:00:00" } });
        const props = (result.failures ?? []).map((f) => f.property).sort();
        assert.deepEqual(props, ["colour", "conf.cyctime", "projectId", "regionId"]);
        assert.match(result.failures!.find((f) => f.property === "conf.cyctime")!.reason, /time zone/);
    });

    it("fills regionId from alicloud:region, then the environment, and fails clearly without one", async () => {
        const fromConfig = makeProvider(fakeClient().client, { "alicloud:region": "cn-shanghai" }, { ALIBABA_CLOUD_REGION: "cn-beijing" }).provider;
        assert.equal((await fromConfig.check({}, { projectId: PROJECT, flowId: FLOW })).inputs?.regionId, "cn-shanghai");
        const fromEnv = makeProvider(fakeClient().client, {}, { ALICLOUD_REGION: "cn-shenzhen" }).provider;
        assert.equal((await fromEnv.check({}, { projectId: PROJECT, flowId: FLOW })).inputs?.regionId, "cn-shenzhen");
        const none = makeProvider(fakeClient().client, {}, {}).provider;
        const result = await none.check({}, { projectId: PROJECT, flowId: FLOW });
        assert.equal(result.failures?.[0].property, "regionId");
        assert.match(result.failures![0].reason, /alicloud:region.*ALIBABA_CLOUD_REGION/);
    });

    it("lets values that are unknown at preview through", async () => {
        const result = await provider.check({}, { ...base, flowId: UNKNOWN, conf: { upstream: UNKNOWN, bizdate: "x" } });
        assert.deepEqual(result.failures, []);
        assert.equal(result.inputs?.flowId, UNKNOWN);
        const wholeConf = await provider.check({}, { ...base, conf: UNKNOWN });
        assert.deepEqual(wholeConf.failures, []);
    });

    it("makes no network call", async () => {
        const { client, calls } = fakeClient();
        const p = makeProvider(client).provider;
        await p.check({}, { ...base, conf: { a: "b" } });
        await p.check({}, { projectId: "bad" });
        assert.equal(calls.length, 0);
    });
});

describe("FlowSubmissionProvider.diff", () => {
    const { provider } = makeProvider(fakeClient().client);
    const olds = { ...base, conf: { a: "1" }, triggers: [1], instanceId: INSTANCE, status: "SUCCEEDED", __provider: "old code" };

    it("replaces on a change of projectId, flowId, regionId, conf or triggers", async () => {
        for (const [key, value] of [["projectId", "FP-0123456789ABCDEE"], ["flowId", "F-0123456789ABCDEE"], ["regionId", "cn-beijing"], ["conf", { a: "2" }], ["triggers", [2]]] as const) {
            const result = await provider.diff(INSTANCE, olds, { ...base, conf: { a: "1" }, triggers: [1], [key]: value, __provider: "old code" });
            assert.deepEqual(result.replaces, [key], key);
            assert.equal(result.changes, true);
        }
    });

    it("updates in place for waitFor, timeoutSeconds and killOnDelete", async () => {
        const result = await provider.diff(INSTANCE, olds, { ...base, conf: { a: "1" }, triggers: [1], waitFor: "submission", timeoutSeconds: 60, killOnDelete: true, __provider: "old code" });
        assert.deepEqual(result.replaces, []);
        assert.equal(result.changes, true);
    });

    it("ignores a change of the provider's own code and of conf key order", async () => {
        const result = await provider.diff(INSTANCE, { ...olds, conf: { a: "1", b: "2" } }, { ...base, conf: { b: "2", a: "1" }, triggers: [1], __provider: "new code" });
        assert.equal(result.changes, false);
    });

    it("ignores __stack: state written before it existed, or under another stack name, is not a change", async () => {
        assert.equal((await provider.diff(INSTANCE, olds, { ...base, conf: { a: "1" }, triggers: [1], __stack: "organization/proj/dev" })).changes, false);
        assert.equal((await provider.diff(INSTANCE, { ...olds, __stack: "o/p/a" }, { ...base, conf: { a: "1" }, triggers: [1], __stack: "o/p/b" })).changes, false);
    });

    it("replaces a run that was killed before it did what the stack waits for", async () => {
        const result = await provider.diff(INSTANCE, { ...olds, status: "KILLED" }, { ...base, conf: { a: "1" }, triggers: [1] });
        assert.deepEqual(result.replaces, ["status"]);
    });
});

describe("FlowSubmissionProvider.create", () => {
    it("submits once and records the instance, request and time", async () => {
        const { client, calls } = fakeClient();
        const { provider, lines } = makeProvider(client);
        const checked = await provider.check({}, { ...base, conf: { cyctime: "2026-11-28T00:00:00Z" }, waitFor: "submission" });
        const result = await provider.create(checked.inputs!);
        assert.equal(result.id, INSTANCE);
        assert.equal(calls.filter((c) => c.action === "SubmitFlow").length, 1);
        assert.deepEqual(calls[0].params, { regionId: "cn-hangzhou", projectId: PROJECT, flowId: FLOW, conf: { cyctime: String(Date.UTC(2026, 10, 28)) } });
        assert.equal(result.outs.instanceId, INSTANCE);
        assert.equal(result.outs.requestId, "REQ-1");
        assert.equal(result.outs.status, "PREP");
        assert.match(String(result.outs.submittedAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        assert.equal(calls.length, 1, "waitFor submission makes no other call");
        assert.ok(lines.some((l) => l.includes(INSTANCE)), "prints the instance ID");
        assert.ok(!JSON.stringify(result.outs).includes("undefined"));
    });

    it("waits for completion and reports status, times and nodes", async () => {
        const { client } = fakeClient({
            describe: (n) =>
                fakeInstance({
                    id: INSTANCE,
                    status: n < 2 ? "RUNNING" : "SUCCEEDED",
                    startTime: Date.UTC(2026, 10, 28, 0, 0, 1),
                    endTime: n < 2 ? 0 : Date.UTC(2026, 10, 28, 0, 0, 9),
                    duration: n < 2 ? 0 : 8000,
                    nodes: [{ nodeName: "extract", jobType: "SPARK", status: n < 2 ? "RUNNING" : "SUCCESS", externalId: "application_1" }],
                }),
        });
        const { provider } = makeProvider(client);
        const result = await provider.create({ ...base });
        assert.equal(result.outs.status, "SUCCEEDED");
        assert.equal(result.outs.durationMs, 8000);
        assert.equal(result.outs.endTime, "2026-11-28T00:00:09.000Z");
        assert.deepEqual((result.outs.nodes as { name: string; status: string }[]).map((n) => [n.name, n.status]), [["extract", "SUCCESS"]]);
    });

    it("keeps a failed run in state and names its failed nodes", async () => {
        const { client } = fakeClient({
            describe: () => fakeInstance({ id: INSTANCE, status: "FAILED", nodes: [{ nodeName: "load", jobType: "HIVE", jobId: "FJ-1", status: "FAILED", externalId: "application_9", externalStatus: "FAILED" }] }),
        });
        const { provider } = makeProvider(client);
        const err = await provider.create({ ...base }).then(
            () => assert.fail("create should fail"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof ResourceInitError);
        assert.equal(err.id, INSTANCE);
        assert.equal(err.properties.status, "FAILED");
        assert.match(err.message, /FI-00000000000000AA ended FAILED/);
        assert.match(err.message, /load \(HIVE FJ-1, application_9 FAILED\)/);
        assert.match(err.message, /reruns its failed nodes/);
    });

    it("keeps a timed-out run in state", async () => {
        const { client } = fakeClient({ describe: () => fakeInstance({ id: INSTANCE, status: "RUNNING" }) });
        const { provider } = makeProvider(client);
        await assert.rejects(provider.create({ ...base, timeoutSeconds: 30 }), (e: unknown) => e instanceof ResourceInitError && e.id === INSTANCE && /timeoutSeconds=30/.test(e.message));
    });
});

describe("FlowSubmissionProvider.create and the stack", () => {
    it("keys the submission record on __stack; without it, on what the environment says", async () => {
        const { client } = fakeClient();
        const { provider } = makeProvider(client, {}, { PULUMI_NODEJS_PROJECT: "proj" });
        const keys: unknown[] = [];
        const runs = (provider as unknown as { submissions(): { keyFor(parts: unknown): string } }).submissions();
        const keyFor = runs.keyFor.bind(runs);
        runs.keyFor = (parts: unknown) => {
            keys.push(parts);
            return keyFor(parts);
        };
        const inputs = { ...base, waitFor: "submission" };
        await provider.create({ ...inputs, __stack: "organization/proj/a" });
        await provider.create({ ...inputs, __stack: "organization/proj/b" });
        await provider.create(inputs);
        const common = { projectId: PROJECT, flowId: FLOW, regionId: "cn-hangzhou", conf: null, triggers: null };
        assert.deepEqual(keys, [
            { stack: "organization/proj/a", ...common },
            { stack: "organization/proj/b", ...common },
            { organization: "", project: "proj", stack: "", ...common },
        ]);
        assert.notEqual(keyFor(keys[0]), keyFor(keys[1]));
        assert.ok(!JSON.stringify((await provider.create({ ...inputs, __stack: "o/p/s" })).outs).includes("o/p/s"), "__stack is not an output");
    });
});

describe("FlowSubmissionProvider.update", () => {
    const old = { ...base, instanceId: INSTANCE, requestId: "REQ-1", submittedAt: "2026-11-28T00:00:00.000Z" };

    it("changes only settings when the run already did what was asked", async () => {
        const { client, calls } = fakeClient();
        const { provider } = makeProvider(client);
        const result = await provider.update(INSTANCE, { ...old, status: "SUCCEEDED" }, { ...base, killOnDelete: true });
        assert.equal(result.outs?.killOnDelete, true);
        assert.equal(calls.length, 0);
    });

    it("waits again for a run that timed out, keeping its ID", async () => {
        const { client, calls } = fakeClient();
        const { provider, lines } = makeProvider(client);
        const result = await provider.update(INSTANCE, { ...old, status: "RUNNING" }, { ...base });
        assert.equal(result.outs?.status, "SUCCEEDED");
        assert.equal(calls.filter((c) => c.action === "SubmitFlow").length, 0);
        assert.ok(lines.some((l) => /waiting for the same instance again/.test(l)));
    });

    it("reruns the failed nodes of a failed run", async () => {
        const { client, calls } = fakeClient();
        const { provider, lines } = makeProvider(client);
        const result = await provider.update(INSTANCE, { ...old, status: "FAILED" }, { ...base });
        assert.deepEqual(calls[0], { action: "RerunFlow", params: { regionId: "cn-hangzhou", projectId: PROJECT, instanceId: INSTANCE, failedOnly: true } });
        assert.equal(result.outs?.status, "SUCCEEDED");
        assert.ok(lines.some((l) => /rerunning its failed nodes/.test(l)));
    });
});

describe("FlowSubmissionProvider.read and delete", () => {
    it("refresh reports the live status", async () => {
        const { client } = fakeClient({ describe: () => fakeInstance({ id: INSTANCE, status: "FAILED" }) });
        const { provider } = makeProvider(client);
        const result = await provider.read(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", __provider: "x" });
        assert.equal(result.id, INSTANCE);
        assert.equal(result.props?.status, "FAILED");
        assert.equal(result.props?.__provider, undefined, "the host adds __provider itself");
    });

    it("leaves the run alone on delete by default, and says so", async () => {
        const { client, calls } = fakeClient();
        const { provider, lines } = makeProvider(client);
        await provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING" });
        assert.equal(calls.length, 0);
        assert.match(lines.join("\n"), /left as it is/);
    });

    it("kills an unfinished run when killOnDelete is set and waits for KILLED", async () => {
        const { client, calls } = fakeClient({ describe: (n) => fakeInstance({ id: INSTANCE, status: n === 0 ? "RUNNING" : "KILLED" }) });
        const { provider } = makeProvider(client);
        await provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true });
        assert.deepEqual(calls.map((c) => c.action), ["DescribeFlowInstance", "KillFlow", "DescribeFlowInstance"]);
    });

    it("does not kill a run that already ended", async () => {
        const { client, calls } = fakeClient({ describe: () => fakeInstance({ id: INSTANCE, status: "SUCCEEDED" }) });
        const { provider } = makeProvider(client);
        await provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true });
        assert.deepEqual(calls.map((c) => c.action), ["DescribeFlowInstance"]);
    });
});

describe("the nodes kept in state", () => {
    const node = (i: number, status: string) => ({ name: `n${i}`, status });
    it("keeps every node of a flow up to the bound", () => {
        const nodes = Array.from({ length: MAX_NODES_IN_STATE }, (_, i) => node(i, "SUCCESS"));
        assert.deepEqual(boundedNodes(nodes), { nodes });
    });

    it("keeps at most the bound, the nodes that did not succeed first, in run order, and counts the rest", () => {
        const nodes = Array.from({ length: 50 }, (_, i) => node(i, i === 3 || i === 45 ? "FAILED" : i === 49 ? "RUNNING" : "SUCCESS"));
        const out = boundedNodes(nodes);
        assert.equal(out.nodes.length, MAX_NODES_IN_STATE);
        assert.equal(out.nodesOmitted, 30);
        assert.deepEqual(
            out.nodes.map((n) => n.name),
            // n3, n45 and n49 first, then the first others in run order until twenty.
            [...Array.from({ length: 18 }, (_, i) => `n${i}`), "n45", "n49"],
        );
    });
});

describe("FlowSubmissionProvider.check: the reason given for each bad input", () => {
    // A fresh provider (so a fresh schema) for every check: nothing one check built is reused by the next.
    const checked = (inputs: Record<string, unknown>) => makeProvider(fakeClient().client).provider.check({}, { ...base, ...inputs });
    const failures = async (inputs: Record<string, unknown>) => (await checked(inputs)).failures;
    const one = (property: string, reason: string) => [{ property, reason }];
    const timeoutRange = "expected a whole number of seconds, at least 1 and at most 604800 (seven days)";

    it("IDs: a string, not empty, of the right shape, with the lookup that finds one", async () => {
        assert.deepEqual(await failures({ projectId: 42 }), one("projectId", "project ID must be a string, got a number"));
        assert.deepEqual(await failures({ flowId: "" }), one("flowId", "flow ID must not be empty"));
        assert.deepEqual(await failures({ flowId: "XF-1" }), one("flowId", '"XF-1" is not a flow ID: expected the shape F-0123456789ABCDEF; to find one by name, use getFlow({ projectId, name })'));
        const bare = await checked({ projectId: "0123456789ABCDEF" });
        assert.deepEqual([bare.failures, bare.inputs?.projectId], [[], PROJECT]);
    });

    it("regionId: a string shaped like a region", async () => {
        assert.deepEqual(await failures({ regionId: 7 }), one("regionId", "regionId must be a string, got a number"));
        assert.deepEqual(await failures({ regionId: "Hangzhou" }), one("regionId", '"Hangzhou" is not a region ID such as cn-hangzhou'));
    });

    it("conf: a map, of valid keys, of strings (cyctime a time), not too large to send", async () => {
        assert.deepEqual(await failures({ conf: "a=b" }), one("conf", "conf must be a map of strings, got a string"));
        assert.deepEqual(await failures({ conf: [1] }), one("conf", "conf must be a map of strings, got an array"));
        assert.deepEqual(await failures({ conf: { "1bad": "x", ok: 5, cyctime: "nope", fine: "y" } }), [
            { property: "conf.1bad", reason: '"1bad" is not a valid conf key: use letters, digits, "_", "." or "-", starting with a letter or "_", at most 128 characters' },
            { property: "conf.ok", reason: "got 5 (a number); conf values must be strings (only cyctime also takes a Date or epoch milliseconds): convert it, e.g. String(value)" },
            { property: "conf.cyctime", reason: 'cyctime "nope" is not a time: use a Date, epoch milliseconds, or an ISO-8601 string such as 2026-11-28 or 2026-11-28T06:00:00+08:00' },
        ]);
        assert.deepEqual(
            await failures({ conf: { big: "中".repeat(2000) } }),
            one("conf", "conf takes 18029 bytes as sent (URL-encoded in the query string, where a character outside ASCII takes up to 9 bytes), over the limit of 12288: pass large values by reference (an OSS path, say)"),
        );
        const asText = await checked({ conf: { cyctime: new Date(Date.UTC(2026, 10, 28)), a: "b", day: "2026-11-28" } });
        assert.deepEqual([asText.failures, asText.inputs?.conf], [[], { cyctime: String(Date.UTC(2026, 10, 28)), a: "b", day: "2026-11-28" }], "only cyctime is read as a time");
    });

    it("triggers: an array with no empty object at any depth", async () => {
        assert.deepEqual(await failures({ triggers: "x" }), one("triggers", "triggers must be an array, got a string"));
        const empty = "an empty object never changes, so it can never start a new run. A Date, Map or Set passed through pulumi.output() arrives so: give date.toISOString() (or another string) instead";
        assert.deepEqual(await failures({ triggers: [{}, [{ a: {} }], "s", { b: 1 }, null] }), [
            { property: "triggers[0]", reason: empty },
            { property: "triggers[1][0].a", reason: empty },
        ]);
    });

    it("waitFor, timeoutSeconds and killOnDelete: the values they take", async () => {
        assert.deepEqual(await failures({ waitFor: "forever" }), one("waitFor", 'waitFor must be "submission", "start" or "completion", got "forever"'));
        assert.deepEqual(await failures({ waitFor: 3 }), one("waitFor", 'waitFor must be "submission", "start" or "completion", got 3'));
        for (const [value, shown] of [["60", '"60" (a string)'], [1.5, "1.5 (a number)"], [0, "0 (a number)"], [604_801, "604801 (a number)"]] as const) {
            assert.deepEqual(await failures({ timeoutSeconds: value }), one("timeoutSeconds", `timeoutSeconds: got ${shown}; ${timeoutRange}`), String(value));
        }
        for (const value of [1, 604_800]) assert.deepEqual(await failures({ timeoutSeconds: value }), [], String(value));
        for (const value of ["submission", "start", "completion"]) assert.deepEqual(await failures({ waitFor: value }), [], value);
        assert.deepEqual(await failures({ killOnDelete: "yes" }), one("killOnDelete", "killOnDelete must be true or false, got a string"));
        assert.deepEqual(await failures({ killOnDelete: false }), []);
    });
});

describe("FlowSubmissionProvider: what it asks the service", () => {
    it("refresh and delete name the run's region, project and instance", async () => {
        const where = { regionId: "cn-hangzhou", projectId: PROJECT, instanceId: INSTANCE };
        const refreshed = fakeClient();
        await makeProvider(refreshed.client).provider.read(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING" });
        assert.deepEqual(refreshed.calls, [{ action: "DescribeFlowInstance", params: where }]);
        const deleted = fakeClient({ describe: (n) => fakeInstance({ id: INSTANCE, status: n === 0 ? "RUNNING" : "KILLED" }) });
        await makeProvider(deleted.client).provider.delete(INSTANCE, { ...base, instanceId: INSTANCE, status: "RUNNING", killOnDelete: true });
        assert.deepEqual(deleted.calls.map((c) => c.action), ["DescribeFlowInstance", "KillFlow", "DescribeFlowInstance"]);
        for (const call of deleted.calls) assert.deepEqual(call.params, where, call.action);
    });
});
