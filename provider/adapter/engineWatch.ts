/**
 * Whether the Pulumi engine that started this provider process is still there.
 *
 * The CLI starts provider plugins in process groups of their own, so when `pulumi up` is killed
 * (a cancelled CI job, a closed terminal), the dynamic provider host lives on as an orphan: it
 * would go on waiting for its run, then mark the submission record done although no engine ever
 * received the instance ID, and the next `pulumi up` would submit the flow again. The host is
 * started as `node …/cmd/dynamic-provider <engine address>`; when nothing listens at that address
 * any more, the engine is gone.
 */
import * as net from "net";

export interface EngineAddress {
    host: string;
    port: number;
}

/** The engine address the dynamic provider host was started with, if this is such a process. */
export function engineAddressOf(argv: readonly string[] = process.argv): EngineAddress | undefined {
    if (!/dynamic-provider([\\/]index(\.js)?)?$/.test(argv[1] ?? "")) return undefined;
    const m = /^(\d{1,3}(?:\.\d{1,3}){3}|localhost|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(argv[2] ?? "");
    if (!m) return undefined;
    const port = Number(m[2]);
    // Port 0 is no listening engine (a test host): nothing to watch.
    if (port === 0) return undefined;
    return { host: m[1].replace(/^\[|\]$/g, ""), port };
}

/** False only when the address refuses connections: a slow or busy engine counts as there. */
export function engineReachable(address: EngineAddress, timeoutMs = 3000): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: address.host, port: address.port });
        const done = (alive: boolean): void => {
            socket.destroy();
            resolve(alive);
        };
        socket.setTimeout(timeoutMs, () => done(true));
        socket.once("connect", () => done(true));
        socket.once("error", (err: NodeJS.ErrnoException) => done(err.code !== "ECONNREFUSED"));
    });
}

/**
 * Ends this process once the engine is gone (two refused connections in a row, `everyMs` apart),
 * leaving every unfinished submission record for the next deployment to continue.
 */
export function exitWhenEngineGone(address: EngineAddress, onGone: () => void, everyMs = 2000): () => void {
    let refused = 0;
    let checking = false;
    const timer = setInterval(() => {
        if (checking) return;
        checking = true;
        void engineReachable(address).then((alive) => {
            checking = false;
            refused = alive ? 0 : refused + 1;
            if (refused >= 2) {
                clearInterval(timer);
                onGone();
            }
        });
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
}
