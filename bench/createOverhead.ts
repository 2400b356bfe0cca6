/**
 * Create overhead: Check + Create of one submission (`waitFor: "submission"`, so one SubmitFlow)
 * through the real dynamic provider host, with our provider and with the minimal one (the same
 * SDK call, nothing else), against the emulator answering after `latencyMs`. The bare SDK call
 * from this process is timed in the same rounds, to show what the host itself adds.
 *
 * Rounds are interleaved (ours, minimal, bare, then minimal, ours, bare) so drift of the machine
 * hits all three alike, and run back to back. The host running ours has the provider's default
 * settings: the client-side rate only slows calls down once the service has throttled, which
 * the emulator here never does. (Spacing the rounds out was tried: idle gaps slow every host
 * call down alike, which flatters the ratio.)
 */
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import type { RunningEmulator } from "../emulator";
import { DEMO_IDS } from "../emulator";
import { TEST_KEY_ID, TEST_KEY_SECRET } from "../test/support/testEnv";
import { checkAndCreate, fileWriteRenameUs, round, submissionInputs, summary, timed, type Figure, type ProviderTexts } from "./common";
import type { ProviderHost } from "../test/engine-imitation";

export interface OverheadOptions {
    latencyMs: number;
    iterations: number;
    warmup: number;
    goal: number;
}

/** The bare SDK call, one client reused: the floor every provider stands on. */
export function bareClient(emu: RunningEmulator): () => Promise<string> {
    const client = new OpenApi(
        new $OpenApi.Config({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, endpoint: `127.0.0.1:${emu.port}`, protocol: "http", regionId: "cn-hangzhou" }),
    );
    const params = new $OpenApi.Params({
        action: "SubmitFlow",
        version: "2016-04-08",
        protocol: "HTTPS",
        pathname: "/",
        method: "POST",
        authType: "AK",
        style: "RPC",
        reqBodyType: "formData",
        bodyType: "json",
    });
    return async () => {
        const request = new $OpenApi.OpenApiRequest({ query: { RegionId: "cn-hangzhou", ProjectId: DEMO_IDS.projectId, FlowId: DEMO_IDS.succeedingFlowId } });
        const res = (await client.callApi(params, request, { autoretry: false } as unknown as Parameters<OpenApi["callApi"]>[2])) as { body: { Id: string } };
        return res.body.Id;
    };
}

export async function measureCreateOverhead(
    emu: RunningEmulator,
    hosts: { ours: ProviderHost; minimal: ProviderHost },
    texts: ProviderTexts,
    o: OverheadOptions,
): Promise<Figure> {
    emu.configure({ latencyMs: o.latencyMs, actionLatencyMs: {} });
    const bare = bareClient(emu);
    const oursInputs = submissionInputs(texts.ours);
    const minimalInputs = submissionInputs(texts.minimal);
    const samples = { ours: [] as number[], minimal: [] as number[], bare: [] as number[] };
    for (let i = 0; i < o.warmup + o.iterations; i++) {
        // Alternate which goes first, so neither always follows the same neighbour.
        const order = i % 2 === 0 ? (["ours", "minimal", "bare"] as const) : (["minimal", "ours", "bare"] as const);
        for (const which of order) {
            const t = await timed(() =>
                which === "ours" ? checkAndCreate(hosts.ours, oursInputs) : which === "minimal" ? checkAndCreate(hosts.minimal, minimalInputs) : bare(),
            );
            if (!/^FI-/.test(t.value)) throw new Error(`${which}: unexpected id ${t.value}`);
            if (i >= o.warmup) samples[which].push(t.ms);
        }
    }
    const ours = summary(samples.ours);
    const minimal = summary(samples.minimal);
    const bareStats = summary(samples.bare);
    const ratio = ours.median / minimal.median;
    return {
        figure: `create overhead, ${o.latencyMs} ms latency`,
        settings: {},
        ours: ours.median,
        baseline: minimal.median,
        ratio: round(ratio),
        unit: "ms (median Check+Create)",
        goal: `<= ${o.goal}`,
        met: ratio <= o.goal,
        detail: {
            latencyMs: o.latencyMs,
            iterations: o.iterations,
            warmup: o.warmup,
            ours,
            minimal,
            bareCall: bareStats,
            minimalOverBare: round(minimal.median / bareStats.median),
            oursMinusMinimalMs: round(ours.median - minimal.median),
            journalWriteOnThisDiskUs: fileWriteRenameUs(),
        },
    };
}
