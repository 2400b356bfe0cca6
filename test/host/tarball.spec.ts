/**
 * The package as users install it: from its `npm pack` tarball into a fresh project outside the
 * repository. The program runs there under mocks with that project's own `@pulumi/pulumi`, and
 * the real dynamic provider host started in that directory serves what it serialized.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ProviderHost, secret, urnFor } from "../engine-imitation";
import { installFromTarball } from "../support/packInstall";
import { hostEnv, tempDir, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

// A user's program in plain JavaScript, and a capture script that runs it under mocks and prints
// what each resource registered: the exact `__provider` string and inputs `pulumi up` would send.
const PROGRAM = `
const { FlowSubmission } = require("pulumi-emr-flow");
const run = new FlowSubmission("from-tarball", {
    projectId: "FP-D3M0000000000001",
    flowId: "F-D3M0000000000001",
    conf: { cyctime: new Date("2026-11-28T00:00:00Z"), bizdate: "20261127" },
    waitFor: "completion",
});
exports.instanceId = run.instanceId;
`;
const CAPTURE = `
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks({
    newResource: (args) => { registered.push({ type: args.type, name: args.name, inputs: args.inputs }); return { id: args.name + "-id", state: args.inputs }; },
    call: (args) => args.inputs,
}, "tarball-user", "dev", false);
require("./index.js");
setTimeout(() => { process.stdout.write(JSON.stringify(registered)); }, 500);
`;

describe("the package installed from its tarball", function () {
    this.timeout(240_000);
    let dir: string;
    let emu: RunningEmulator;
    let host: ProviderHost;

    before(async () => {
        dir = await installFromTarball("tarball-user", { "index.js": PROGRAM, "capture.js": CAPTURE });
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01 });
    });
    after(async () => {
        await host?.stop();
        await emu?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("installs only what a user needs", () => {
        const installed = path.join(dir, "node_modules", "pulumi-emr-flow");
        assert.ok(fs.existsSync(path.join(installed, "dist", "sdk", "index.js")));
        assert.ok(fs.existsSync(path.join(installed, "dist", "sdk", "index.d.ts")), "type declarations ship");
        assert.ok(!fs.existsSync(path.join(installed, "test")), "tests do not ship");
        assert.ok(!fs.existsSync(path.join(installed, "node_modules", "@pulumi", "pulumi")), "@pulumi/pulumi is the user's, shared");
        assert.ok(fs.readFileSync(path.join(installed, "LICENSE"), "utf8").includes("Apache License\n                           Version 2.0, January 2004"), "the licence text ships");
        assert.ok(fs.existsSync(path.join(installed, "CHANGELOG.md")));
        const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as { scripts?: Record<string, string>; repository?: { url: string } };
        for (const hook of ["preinstall", "install", "postinstall", "prepare"]) assert.equal(manifest.scripts?.[hook], undefined, `no ${hook} script runs on install`);
        assert.match(manifest.repository?.url ?? "", /github\.com/);
        const maps: string[] = [];
        const walk = (d: string): void => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                if (e.isDirectory()) walk(path.join(d, e.name));
                else if (e.name.endsWith(".map") || fs.readFileSync(path.join(d, e.name), "utf8").includes("sourceMappingURL=")) maps.push(e.name);
            }
        };
        walk(path.join(installed, "dist"));
        assert.deepEqual(maps, [], "no source maps, and no reference to one");
    });

    it("exposes the resource at the root, the client at /client, and the emulator bin", () => {
        const probe = `const root = require("pulumi-emr-flow"); const client = require("pulumi-emr-flow/client");
            console.log(typeof root.FlowSubmission, typeof client.EmrFlowClient, typeof client.resolveSettings, typeof client.EmrFlowError.isInstance);`;
        assert.equal(execFileSync(process.execPath, ["-e", probe], { cwd: dir, encoding: "utf8" }).trim(), "function function function function");
        assert.ok(fs.existsSync(path.join(dir, "node_modules", ".bin", "emr-flow-emulator")));
    });

    it("serializes a small provider, submits through the real host, and leaves the run alone on delete", async () => {
        const out = execFileSync(process.execPath, ["capture.js"], { cwd: dir, encoding: "utf8" });
        const [res] = JSON.parse(out) as { type: string; name: string; inputs: Record<string, unknown> }[];
        assert.equal(res.type, "pulumi-nodejs:dynamic/emr-flow:FlowSubmission");
        const providerString = String(res.inputs.__provider);
        assert.ok(Buffer.byteLength(providerString) <= 8192, `__provider is ${Buffer.byteLength(providerString)} bytes`);
        assert.ok(!providerString.includes(TEST_KEY_SECRET));

        host = await ProviderHost.start({ cwd: dir, project: "tarball-user", env: hostEnv(tempDir("emr-flow-home-")) });
        await host.configure(
            { "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": secret(TEST_KEY_SECRET), "alicloud:region": "cn-hangzhou", "emr-flow:endpoint": emu.url },
            { secretKeys: ["alicloud:secretKey"] },
        );
        const urn = urnFor("from-tarball", "tarball-user", "stack", res.type);
        const checked = await host.check(urn, {}, res.inputs as never);
        assert.deepEqual(checked.failures, []);
        const created = await host.create(urn, checked.inputs);
        assert.match(created.id, /^FI-/);
        assert.equal(created.properties.status, "SUCCEEDED");
        assert.ok(emu.instances().some((i) => i.id === created.id));
        await host.delete(created.id, urn, created.properties);
        // Output travels apart from the answer: wait for the line rather than read at once.
        await host.waitForOutput(`${created.id} removed from the stack`);
        assert.ok(host.output().some((l) => l.includes(`${created.id} removed from the stack`)));
    });
});
