import { strict as assert } from "assert";
import * as net from "net";
import { engineAddressOf, engineReachable, exitWhenEngineGone } from "../../provider/adapter/engineWatch";

describe("watching the engine that started the provider host", () => {
    it("reads the engine address from the dynamic provider host's arguments only", () => {
        assert.deepEqual(engineAddressOf(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js", "127.0.0.1:42485"]), { host: "127.0.0.1", port: 42485 });
        assert.deepEqual(engineAddressOf(["node", "/p/cmd/dynamic-provider", "[::1]:5000"]), { host: "::1", port: 5000 });
        assert.equal(engineAddressOf(["node", "/p/cmd/dynamic-provider/index.js", "127.0.0.1:0"]), undefined, "a test host's placeholder");
        assert.equal(engineAddressOf(["node", "/usr/bin/mocha", "127.0.0.1:42485"]), undefined);
        assert.equal(engineAddressOf(["node", "/p/cmd/dynamic-provider/index.js"]), undefined);
    });

    it("an address that refuses connections is gone; one that listens is there", async () => {
        const server = net.createServer((s) => s.destroy());
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as net.AddressInfo).port;
        assert.equal(await engineReachable({ host: "127.0.0.1", port }), true);
        await new Promise((r) => server.close(r));
        assert.equal(await engineReachable({ host: "127.0.0.1", port }), false);
    });

    it("calls back once the engine is gone, after two refused checks", async () => {
        let checks = 0;
        const server = net.createServer((s) => {
            checks++;
            s.destroy();
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as net.AddressInfo).port;
        let gone = 0;
        const stop = exitWhenEngineGone({ host: "127.0.0.1", port }, () => gone++, 50);
        const until = async (test: () => boolean): Promise<void> => {
            for (let i = 0; i < 1000 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
        };
        try {
            // Counted checks, not a length of time: three answered checks, and no call back.
            await until(() => checks >= 3);
            assert.ok(checks >= 3, `the watcher checked ${checks} times`);
            assert.equal(gone, 0, "not while it listens");
            await new Promise((r) => server.close(r));
            await until(() => gone > 0);
            assert.equal(gone, 1);
        } finally {
            stop();
        }
    });
});
