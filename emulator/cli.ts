#!/usr/bin/env node
/**
 * `emr-flow-emulator`: runs the local EMR flow API emulator until SIGINT/SIGTERM.
 * Prints exactly one line with the URL on start, so scripts can read it from stdout.
 */
import { parseArgs } from "node:util";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_HOST, startEmulator } from "./server";
import { SeedError, loadSeedFile } from "./seed";

const HELP = `Usage: emr-flow-emulator [options]

A local emulator of the Alibaba Cloud E-MapReduce flow API (SubmitFlow, DescribeFlowInstance,
ListFlowInstance, KillFlow, RerunFlow, SuspendFlow, ResumeFlow), API version 2016-04-08.

Options:
  --port <n>               port to listen on; 0 picks a free one (default 0)
  --host <address>         interface to bind (default ${DEFAULT_HOST})
  --access-key-id <id>     AccessKey ID to accept (default ${DEFAULT_ACCESS_KEY_ID})
  --access-key-secret <s>  AccessKey secret to accept (default ${DEFAULT_ACCESS_KEY_SECRET})
  --seed <file.json>       projects and flows to serve (default: the built-in demo project)
  --latency-ms <n>         delay added before answering every action (default 0)
  --rate-limit <n>         accept at most n actions per rolling second; more get Throttling.User
  --time-scale <factor>    multiply every seed duration (0.01 = 100x faster; default 1)
  --kill-flow <mode>       absent (default: KillFlow answers 404 InvalidAction.NotFound, as no
                           current SDK has it) or present
  --external-status <s>    node ExternalStatus failure spelling: FAILED (default) or FAIL
  -h, --help               show this help

On start it prints one line: "emr-flow-emulator listening on http://<host>:<port>".
Control API: http://<host>:<port>/__emulator/ (instances, stats, faults, config, reset).
`;

function fail(message: string): never {
    process.stderr.write(`emr-flow-emulator: ${message}\n`);
    process.exit(2);
}

function number(name: string, text: string | undefined, check: (n: number) => boolean): number | undefined {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || !check(n)) fail(`--${name} ${JSON.stringify(text)} is not valid`);
    return n;
}

function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T | undefined {
    if (text === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(text)) fail(`--${name} ${JSON.stringify(text)} is not valid: expected ${allowed.join(" or ")}`);
    return text as T;
}

async function main(): Promise<void> {
    let values;
    try {
        ({ values } = parseArgs({
            options: {
                port: { type: "string" },
                host: { type: "string" },
                "access-key-id": { type: "string" },
                "access-key-secret": { type: "string" },
                seed: { type: "string" },
                "latency-ms": { type: "string" },
                "rate-limit": { type: "string" },
                "time-scale": { type: "string" },
                "kill-flow": { type: "string" },
                "external-status": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (err) {
        fail(`${(err as Error).message}\n\n${HELP}`);
    }
    if (values.help) {
        process.stdout.write(HELP);
        return;
    }
    let seed;
    try {
        seed = values.seed === undefined ? undefined : loadSeedFile(values.seed);
    } catch (err) {
        if (err instanceof SeedError) fail(err.message);
        throw err;
    }
    const port = number("port", values.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535);
    const latencyMs = number("latency-ms", values["latency-ms"], (n) => n >= 0);
    const rateLimitPerSecond = number("rate-limit", values["rate-limit"], (n) => Number.isInteger(n) && n > 0);
    const timeScale = number("time-scale", values["time-scale"], (n) => n > 0);
    const killFlow = oneOf("kill-flow", values["kill-flow"], ["present", "absent"] as const);
    const externalStatusSpelling = oneOf("external-status", values["external-status"], ["FAILED", "FAIL"] as const);
    const accessKeyId = values["access-key-id"];
    const accessKeySecret = values["access-key-secret"];

    let emulator;
    try {
        emulator = await startEmulator({
            ...(values.host !== undefined && { host: values.host }),
            ...(port !== undefined && { port }),
            ...(accessKeyId !== undefined && { accessKeyId }),
            ...(accessKeySecret !== undefined && { accessKeySecret }),
            ...(seed !== undefined && { seed }),
            ...(latencyMs !== undefined && { latencyMs }),
            ...(rateLimitPerSecond !== undefined && { rateLimitPerSecond }),
            ...(timeScale !== undefined && { timeScale }),
            ...(killFlow !== undefined && { killFlow }),
            ...(externalStatusSpelling !== undefined && { externalStatusSpelling }),
        });
    } catch (err) {
        fail(`cannot start: ${(err as Error).message}`);
    }
    process.stdout.write(`emr-flow-emulator listening on ${emulator.url}\n`);

    const stop = (): void => {
        emulator.close().then(
            () => process.exit(0),
            () => process.exit(1),
        );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
