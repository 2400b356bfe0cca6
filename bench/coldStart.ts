/**
 * Host cold start: a fresh host, then the first Configure + Check + Create, which is where a
 * provider's modules are loaded (the host deserializes `__provider` on the first call; ours then
 * requires `pulumi-emr-flow/provider`, the SDK and their dependencies). Compared with the same on
 * a fresh host running the no-dependency provider. Spawning the host and its own start (about
 * half a second, all Pulumi's) are timed apart and not in the ratio: they are the same for both.
 * Fresh hosts alternate between the two, and the median of the runs is reported. The minimal
 * SDK-only provider is timed the same way, to show how much of the difference is the SDK's own
 * loading, which any provider built on `@alicloud/openapi-client` pays.
 */
import type { RunningEmulator } from "../emulator";
import { checkAndCreate, configureHost, median, round, startHost, stopHost, submissionInputs, summary, timed, type Figure, type ProviderTexts } from "./common";

export async function measureColdStart(emu: RunningEmulator, texts: ProviderTexts, o: { runs: number; goal: number }): Promise<Figure> {
    emu.configure({ latencyMs: 0, actionLatencyMs: {} });
    const first = { ours: [] as number[], bare: [] as number[], minimal: [] as number[] };
    const spawn = { ours: [] as number[], bare: [] as number[], minimal: [] as number[] };
    const warm = { ours: [] as number[], bare: [] as number[], minimal: [] as number[] };
    for (let i = 0; i < o.runs; i++) {
        for (const which of i % 2 === 0 ? (["ours", "bare", "minimal"] as const) : (["bare", "ours", "minimal"] as const)) {
            // startHost configures too; a host is timed from the start of Configure, so start it bare first.
            const started = await timed(() => startHost(emu, { skipConfigure: true }));
            const h = started.value;
            spawn[which].push(h.host.startMs);
            try {
                const inputs = submissionInputs(texts[which]);
                const t = await timed(async () => {
                    await configureHost(h.host, emu);
                    return checkAndCreate(h.host, inputs);
                });
                first[which].push(t.ms);
                warm[which].push((await timed(() => checkAndCreate(h.host, inputs))).ms);
            } finally {
                await stopHost(h);
            }
        }
    }
    const ours = summary(first.ours);
    const bare = summary(first.bare);
    const ratio = ours.median / bare.median;
    return {
        figure: "host cold start (first Configure+Check+Create)",
        ours: ours.median,
        baseline: bare.median,
        ratio: round(ratio),
        unit: "ms (median)",
        goal: `<= ${o.goal}`,
        met: ratio <= o.goal,
        detail: {
            runs: o.runs,
            ours,
            noDependencies: bare,
            sdkOnlyMinimal: summary(first.minimal),
            oursOverSdkOnly: round(ours.median / median(first.minimal)),
            hostSpawnToPortMs: { ours: summary(spawn.ours), noDependencies: summary(spawn.bare), sdkOnlyMinimal: summary(spawn.minimal) },
            secondCreateMs: { ours: summary(warm.ours), noDependencies: summary(warm.bare), sdkOnlyMinimal: summary(warm.minimal) },
        },
    };
}
