/**
 * The harness against the real dynamic provider host: every ResourceProvider method, partial
 * failures, secrets, provider output, and a crash followed by a fresh host. The provider is the
 * fixture in `test/engine-imitation/fixtures/echoProvider.ts`, serialized exactly as `pulumi.dynamic.Resource`
 * serializes it.
 */
import * as assert from "assert";

import * as grpc from "@grpc/grpc-js";

import {
    HostCallError,
    PropertyMap,
    ProviderHost,
    Secret,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    annotateSecrets,
    fromWire,
    isSecret,
    parseUrn,
    reveal,
    secret,
    secretPaths,
    serializeProvider,
    toWire,
    urnFor,
} from "../engine-imitation";
import { echoProvider } from "../engine-imitation/fixtures/echoProvider";

const PROJECT = "harness";

describe("engine imitation: ProviderHost against the real dynamic provider host", function () {
    this.timeout(30000);

    let providerString: string;
    let host: ProviderHost;
    const urn = urnFor("echo", PROJECT);

    before(async () => {
        providerString = (await serializeProvider(echoProvider)).text;
        host = await ProviderHost.start({ project: PROJECT });
        await host.configure({ "harness:greeting": "hello", "harness:token": secret("config-secret") });
    });

    after(async () => {
        await host?.stop();
    });

    const news = (extra: PropertyMap = {}): PropertyMap => ({ __provider: providerString, name: "alpha", ...extra });

    it("starts the host, reads its port, and configures it as the engine does", () => {
        assert.ok(host.port > 0);
        assert.ok(host.pid);
        assert.ok(host.running);
        // The dynamic host takes no secrets, no resource references, and no preview calls.
        assert.deepStrictEqual(host.protocol, {
            acceptSecrets: false,
            acceptResources: false,
            acceptOutputs: false,
            supportsPreview: false,
        });
    });

    it("check returns the provider's inputs and failures", async () => {
        const ok = await host.check(urn, {}, news());
        assert.deepStrictEqual(ok.failures, []);
        assert.strictEqual(ok.inputs.name, "alpha");
        assert.strictEqual(ok.inputs.checkedFrom, null);
        assert.strictEqual(ok.inputs.__provider, providerString);

        const bad = await host.check(urn, { name: "alpha" }, news({ name: "" }));
        assert.deepStrictEqual(bad.failures, [{ property: "name", reason: "name must be a non-empty string" }]);
        assert.strictEqual(bad.inputs.checkedFrom, "alpha");
    });

    it("check sends unknowns through, as during a preview", async () => {
        const res = await host.check(urn, {}, news({ zone: UNKNOWN }));
        assert.strictEqual(res.inputs.zone, UNKNOWN);
    });

    it("create returns the id and outputs, with configure's settings applied", async () => {
        const res = await host.create(urn, news());
        assert.strictEqual(res.called, true);
        assert.strictEqual(res.id, "echo-alpha");
        assert.strictEqual(res.properties.phase, "READY");
        // `req.config.get("greeting")` resolved against PULUMI_NODEJS_PROJECT.
        assert.strictEqual(res.properties.greeting, "hello");
        // A secret config value reaches configure unwrapped.
        assert.strictEqual(res.properties.configuredToken, true);
        assert.strictEqual(res.properties.__provider, providerString);
    });

    it("a preview create does not reach the host; the inputs come back as state", async () => {
        host.clearOutput();
        const res = await host.create(urn, news({ zone: UNKNOWN }), { preview: true });
        assert.deepStrictEqual(res, { id: "", properties: news({ zone: UNKNOWN }), called: false });
        await host.check(urn, {}, news({ name: "marker" }));
        await host.waitForOutput("check marker");
        assert.ok(!host.output().some((l) => l.startsWith("create")), host.output().join("\n"));
    });

    it("diff reports changes, replacements and delete-before-replace", async () => {
        const olds = { ...news(), phase: "READY" };
        assert.deepStrictEqual(await host.diff("echo-alpha", urn, olds, news()), {
            changes: "none",
            replaces: [],
            stables: [],
            diffs: [],
            deleteBeforeReplace: false,
        });
        const renamed = await host.diff("echo-alpha", urn, olds, news({ name: "beta" }), { oldInputs: news() });
        assert.strictEqual(renamed.changes, "some");
        assert.deepStrictEqual(renamed.replaces, []);
        const moved = await host.diff("echo-alpha", urn, olds, news({ zone: "b" }));
        assert.strictEqual(moved.changes, "some");
        assert.deepStrictEqual(moved.replaces, ["zone"]);
        assert.strictEqual(moved.deleteBeforeReplace, true);
    });

    it("read returns refreshed state and inputs; an empty id means gone", async () => {
        const state = { ...news(), phase: "READY" };
        const res = await host.read("echo-alpha", urn, state, { inputs: news() });
        assert.strictEqual(res.id, "echo-alpha");
        assert.strictEqual(res.properties.phase, "READ");
        assert.deepStrictEqual(res.inputs, { name: "alpha", zone: null, __provider: providerString });

        const gone = await host.read("echo-alpha", urn, { ...state, gone: true });
        assert.strictEqual(gone.id, "");
    });

    it("update returns the new outputs", async () => {
        const res = await host.update("echo-alpha", urn, { ...news(), phase: "READY" }, news({ name: "beta" }), { oldInputs: news() });
        assert.strictEqual(res.called, true);
        assert.strictEqual(res.properties.phase, "UPDATED");
        assert.strictEqual(res.properties.previousName, "alpha");
        const preview = await host.update("echo-alpha", urn, news(), news({ name: "gamma" }), { preview: true });
        assert.strictEqual(preview.called, false);
    });

    it("delete completes", async () => {
        host.clearOutput();
        await host.delete("echo-alpha", urn, { ...news(), phase: "READY" }, { oldInputs: news() });
        assert.strictEqual(await host.waitForOutput("delete echo-alpha"), "delete echo-alpha");
    });

    it("a plain error from create is a HostCallError without initFailed", async () => {
        await assert.rejects(host.create(urn, news({ failWith: "plain" })), (e: unknown) => {
            assert.ok(e instanceof HostCallError);
            assert.strictEqual(e.method, "create");
            assert.strictEqual(e.code, grpc.status.UNKNOWN);
            assert.strictEqual(e.details, "create of echo-alpha refused");
            assert.strictEqual(e.initFailed, undefined);
            return true;
        });
    });

    it("an error with an id is decoded as a partial failure (ErrorResourceInitFailed)", async () => {
        await assert.rejects(host.create(urn, news({ failWith: "init", token: secret("t0k") })), (e: unknown) => {
            assert.ok(e instanceof HostCallError);
            assert.strictEqual(e.details, "echo-alpha did not become ready");
            assert.ok(e.initFailed);
            assert.strictEqual(e.initFailed.id, "echo-alpha");
            assert.deepStrictEqual(e.initFailed.reasons, ["flow run FAILED", "node n1 exited 1"]);
            assert.strictEqual(e.initFailed.properties.phase, "FAILED");
            // The engine re-marks the echoed secret in the partial state too.
            assert.ok(isSecret(e.initFailed.properties.token));
            return true;
        });
        await assert.rejects(host.update("echo-alpha", urn, news(), news({ failWith: "init" })), (e: unknown) => {
            assert.ok(e instanceof HostCallError && e.initFailed);
            assert.strictEqual(e.initFailed.properties.phase, "DEGRADED");
            assert.deepStrictEqual(e.initFailed.reasons, []);
            return true;
        });
    });

    it("secrets: sent bare (the host takes none), echoed outputs marked secret again", async () => {
        const props = news({ token: secret("s3cr3t") });
        // What the host is sent: no signature objects.
        assert.deepStrictEqual(host.wireFor(props), { __provider: providerString, name: "alpha", token: "s3cr3t" });
        const checked = await host.check(urn, {}, props);
        assert.ok(checked.inputs.token instanceof Secret);
        const res = await host.create(urn, checked.inputs);
        assert.strictEqual(res.properties.receivedTokenType, "string");
        assert.ok(isSecret(res.properties.token));
        assert.strictEqual(reveal(res.properties.token), "s3cr3t");
        // Only same-named outputs are re-marked: a value derived from a secret is not.
        assert.strictEqual(res.properties.tokenLength, 6);
    });

    it("captures console.log lines from the provider", async () => {
        host.clearOutput();
        await host.check(urn, {}, news({ name: "printed" }));
        await host.waitForOutput(/^check printed$/);
        assert.deepStrictEqual(host.output(), ["check printed"]);
    });

    it("reports the host's own error output on stderr", async () => {
        host.clearOutput();
        // A `__provider` whose handler throws: the host prints the failure on stderr.
        await assert.rejects(host.check(urn, {}, { __provider: "exports.handler = () => { throw new Error('no provider'); };", name: "x" }), HostCallError);
        await host.waitForOutput("no provider");
        assert.ok(host.errors().some((l) => l.includes("no provider")));
    });

    it("survives a crash: calls fail UNAVAILABLE, a new host works after configure", async () => {
        const crashed = await ProviderHost.start({ project: PROJECT });
        await crashed.configure({});
        await crashed.create(urn, news());
        crashed.kill("SIGKILL");
        const exit = await crashed.exited;
        assert.strictEqual(exit.signal, "SIGKILL");
        assert.strictEqual(crashed.running, false);
        await assert.rejects(crashed.create(urn, news(), { deadlineMs: 3000 }), (e: unknown) => {
            assert.ok(e instanceof HostCallError);
            assert.ok([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED].includes(e.code), e.message);
            return true;
        });
        await crashed.stop();

        const fresh = await ProviderHost.start({ project: PROJECT });
        try {
            assert.notStrictEqual(fresh.pid, crashed.pid);
            await fresh.configure({ "harness:greeting": "again" });
            const res = await fresh.create(urn, news());
            assert.strictEqual(res.properties.greeting, "again");
        } finally {
            await fresh.stop();
        }
    });

    it("config keys are qualified with the host's project", async () => {
        const other = await ProviderHost.start({ project: "other" });
        try {
            await other.configure({ "harness:greeting": "not mine", "other:greeting": "mine" });
            const res = await other.create(urnFor("echo", "other"), news());
            assert.strictEqual(res.properties.greeting, "mine");
        } finally {
            await other.stop();
        }
    });
});

describe("engine imitation: engine value encoding", () => {
    const props: PropertyMap = {
        a: secret("x"),
        list: [1, UNKNOWN, secret(2)],
        obj: { keep: "k", unknown: UNKNOWN, gone: undefined, inner: secret({ deep: true }) },
        nothing: null,
    };

    it("keeps secrets and unknowns only when the call allows them; never sends undefined", () => {
        assert.deepStrictEqual(toWire(props, { keepSecrets: true, keepUnknowns: true }), {
            a: { [SIG_KEY]: SECRET_SIG, value: "x" },
            list: [1, UNKNOWN, { [SIG_KEY]: SECRET_SIG, value: 2 }],
            obj: { keep: "k", unknown: UNKNOWN, inner: { [SIG_KEY]: SECRET_SIG, value: { deep: true } } },
            nothing: null,
        });
        assert.deepStrictEqual(toWire(props, { keepSecrets: false, keepUnknowns: false }), {
            a: "x",
            list: [1, 2],
            obj: { keep: "k", inner: { deep: true } },
            nothing: null,
        });
    });

    it("decodes signature objects back to Secret", () => {
        const round = fromWire(toWire(props, { keepSecrets: true, keepUnknowns: true }));
        assert.deepStrictEqual(secretPaths(round as PropertyMap), ["a", "list[2]", "obj.inner"]);
        assert.deepStrictEqual(reveal(round), { a: "x", list: [1, UNKNOWN, 2], obj: { keep: "k", unknown: UNKNOWN, inner: { deep: true } }, nothing: null });
    });

    it("annotateSecrets follows the engine: objects key by key, anything else as a whole", () => {
        const outs = annotateSecrets(
            { a: "x", obj: { keep: "k", inner: { deep: true } }, list: [1, 2], other: "o" },
            props,
        );
        assert.ok(isSecret(outs.a));
        assert.ok(!isSecret(outs.obj));
        assert.ok(isSecret((outs.obj as PropertyMap).inner));
        assert.ok(!isSecret((outs.obj as PropertyMap).keep));
        assert.ok(isSecret(outs.list));
        assert.strictEqual(outs.other, "o");
    });

    it("rejects values a Struct cannot carry", () => {
        assert.throws(() => toWire({ when: new Date() as unknown as PropertyMap[string] }, { keepSecrets: false, keepUnknowns: false }), /when: a Date is not a property value/);
        assert.throws(() => toWire({ n: NaN }, { keepSecrets: false, keepUnknowns: false }), /cannot be sent/);
    });

    it("builds and parses URNs", () => {
        const urn = urnFor("my::name", "proj", "dev");
        assert.strictEqual(urn, "urn:pulumi:dev::proj::pulumi-nodejs:dynamic:Resource::my::name");
        assert.deepStrictEqual(parseUrn(urn), { stack: "dev", project: "proj", type: "pulumi-nodejs:dynamic:Resource", name: "my::name" });
    });
});
