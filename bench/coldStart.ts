/**
 * Host cold start: a fresh host, then the first Configure + Check + Create, which is where a
 * provider's modules are loaded (the host deserializes `__provider` on the first call; ours then
 * requires `pulumi-emr-flow/provider`, the SDK and their dependencies). Compared with the same on
 * a fresh host running the no-dependency provider. Spawning the host and its own start (about
 * half a second, all Pulumi's) are timed apart and not in the ratio: they are the same for all.
 * The ratio is against the minimal provider that loads only `@alicloud/openapi-client` (the
 * SDK's own loading is paid by any provider built on it); the no-dependency provider is timed the
 * same way, to show what the SDK itself costs. Fresh hosts alternate between the three, and the
 * median of the runs is reported. Every host has default settings.
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
    const minimal = summary(first.minimal);
    const ratio = ours.median / minimal.median;
    return {
        figure: "host cold start (first Configure+Check+Create)",
        settings: {},
        ours: ours.median,
        baseline: minimal.median,
        ratio: round(ratio),
        unit: "ms (median) vs SDK-only provider",
        goal: `<= ${o.goal}`,
        met: ratio <= o.goal,
        detail: {
            runs: o.runs,
            ours,
            sdkOnlyMinimal: minimal,
            noDependencies: summary(first.bare),
            oursOverNoDependencies: round(ours.median / median(first.bare)),
            hostSpawnToPortMs: { ours: summary(spawn.ours), noDependencies: summary(spawn.bare), sdkOnlyMinimal: summary(spawn.minimal) },
            secondCreateMs: { ours: summary(warm.ours), noDependencies: summary(warm.bare), sdkOnlyMinimal: summary(warm.minimal) },
        },
    };
}
