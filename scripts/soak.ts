/**
 * The soak: 500 FlowSubmissions deployed through the real provider host against the emulator
 * while 20% of all calls fail at random (throttling, 500, 503, answers slower than the client's
 * read timeout, connections dropped before and after the request took effect), with a fixed seed
 * so a run can be repeated. A failed deployment is run again, as a user would, at most five times.
 *
 * It prints one summary line: submissions, accepted by the emulator, recorded (in state, an error
 * or the provider's output), duplicates, lost, wall time; and exits 1 unless duplicates and lost
 * are both zero and every resource holds its run.
 *
 *   npm run soak                       # 500 submissions, seed 20
 *   SOAK_RUNS=1000 SOAK_SEED=7 npm run soak
 */
import { startEmulator } from "../emulator";
import { TEST_KEY_ID, TEST_KEY_SECRET } from "../test/support/testEnv";
import { RELIABILITY_SEED, Stack, TIME_SCALE, findSecrets, programOf, randomFaultRules, runsFor, tally } from "../test/host/reliabilityRun";

const RUNS = Number(process.env.SOAK_RUNS ?? 500);
const SEED = Number(process.env.SOAK_SEED ?? 20);
const FAULT_RATE = 0.2;
const READ_TIMEOUT_MS = 1000;

async function main(): Promise<void> {
    const started = Date.now();
    const emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: TIME_SCALE, seed: RELIABILITY_SEED });
    const stack = await Stack.start(emu, {
        project: "emr-flow-soak",
        config: { "emr-flow:readTimeoutMs": String(READ_TIMEOUT_MS), "emr-flow:maxRequestsPerSecond": "50" },
    });
    try {
        const runs = runsFor("soak", RUNS, { waitFor: "start" });
        for (const rule of randomFaultRules(FAULT_RATE, SEED, READ_TIMEOUT_MS * 2.5)) emu.faults.add(rule);
        const { ups, ok } = await stack.upUntilDone(programOf(runs), 5);
        emu.faults.clear();
        await stack.stop();
        const row = tally("soak", emu, stack, runs, ups);
        const secrets = findSecrets(stack.produced(), [TEST_KEY_SECRET]);
        const faults = Object.entries(emu.stats().rejected)
            .map(([code, n]) => `${code} ${n}`)
            .join(", ");
        const wall = ((Date.now() - started) / 1000).toFixed(1);
        console.log(
            `soak: submissions ${RUNS}, accepted by the emulator ${row.created}, recorded ${row.inState + row.namedElsewhere} (${row.inState} in state), ` +
                `duplicates ${row.duplicates}, lost ${row.lost}, ups ${ups}, wall time ${wall}s (seed ${SEED}, ${FAULT_RATE * 100}% faults: ${faults}; secrets found ${secrets.length})`,
        );
        const good = ok && row.duplicates === 0 && row.lost === 0 && row.inState === RUNS && secrets.length === 0;
        // What made a deployment fail (and be run again), on stderr: the summary stays one line.
        if (!good || process.env.SOAK_VERBOSE) for (const e of stack.errors.slice(0, 10)) console.error(e);
        if (!good) process.exitCode = 1;
    } finally {
        stack.dispose();
        await emu.close();
    }
}

main().then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
        console.error(err);
        process.exit(1);
    },
);
