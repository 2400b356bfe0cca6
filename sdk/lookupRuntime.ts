/**
 * What every lookup (`getFlowInstance`, `getFlowProject`, `getFlow`) shares: under
 * `pulumi.runtime.setMocks` it becomes an invoke of its token that the test's `mocks.call`
 * answers, and nothing is called; otherwise it calls EMR from the program's own process with the
 * settings the provider reads (stack config `alicloud:*` and `emr-flow:*`, then the environment,
 * then Alibaba's credential chain).
 *
 * Dynamic providers have no invokes, so outside mocks no token is involved: the lookup is a plain
 * call. Alibaba's client is required on first use, so a program that looks nothing up (and any
 * program under mocks) never loads it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EmrFlowClient } from "../provider/client/emrFlowClient";

type ClientModule = typeof import("../provider/client/emrFlowClient");
type SettingsModule = typeof import("../provider/client/settings");

/**
 * True when the program runs under `pulumi.runtime.setMocks`: its resource monitor is then the
 * mock one, which holds the test's mocks (a real engine's is a gRPC client, which has none). Read
 * through the public `getMonitor()`, so it holds for every `@pulumi/pulumi` this package supports.
 */
export function runningUnderMocks(): boolean {
    const monitor = pulumi.runtime.getMonitor() as { mocks?: { call?: unknown } } | undefined;
    return typeof monitor?.mocks?.call === "function";
}

/**
 * Runs a lookup whose arguments are already checked: under mocks, the invoke `token` with the
 * arguments as given (those not `undefined`), answered by the test's `mocks.call`; otherwise `real()`.
 */
export async function lookupOrInvoke<T>(token: string, args: Record<string, string | undefined>, real: () => Promise<T>): Promise<T> {
    if (!runningUnderMocks()) return real();
    const inputs: Record<string, string> = {};
    for (const [key, value] of Object.entries(args)) if (value !== undefined) inputs[key] = value;
    return (await pulumi.runtime.invoke(token, inputs)) as T;
}

/**
 * A client with the provider's settings, and the region calls go to (`regionId` when given, else
 * the settings' region; empty when neither is set, which the client reports on its first call).
 */
export function programClient(regionId: string | undefined): { client: EmrFlowClient; regionId: string } {
    const { EmrFlowClient: Client } = require("../provider/client/emrFlowClient") as ClientModule;
    const { resolveSettings } = require("../provider/client/settings") as SettingsModule;
    // runtime.getConfig reads the raw stack config (secrets unwrapped) without the warning that
    // Config.get gives for secret keys; the values stay in this process and never reach an output.
    const settings = resolveSettings({
        explicit: regionId ? { regionId } : {},
        config: (key) => pulumi.runtime.getConfig(key),
        env: process.env,
    });
    return { client: new Client(settings), regionId: regionId ?? settings.regionId ?? "" };
}
