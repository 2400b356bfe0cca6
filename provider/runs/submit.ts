/**
 * Submitting a flow exactly once. SubmitFlow has no idempotency token, so a run is started by one
 * call whose outcome is either known (an instance ID, or a proof that nothing was accepted) or
 * unknown (a timeout, a dropped connection). After an unknown outcome, the run it may have
 * started is looked for before anything is submitted again (see `adopt.ts`); a run an earlier
 * process submitted and never handed over is continued (see `journal.ts`).
 */
import type { EmrFlowClient } from "../client/emrFlowClient";
import { EmrFlowError, SubmissionOutcomeUnknownError, isNotFoundError } from "../client/errors";
import { SETTLE_DELAYS_MS, findSubmittedInstance, type FindResult, type SubmissionLedger } from "./adopt";
import type { JournalEntry, SubmissionJournal } from "./journal";
import type { WaitClock } from "./waiter";

/** The inputs that decide a run. */
export interface RunArgs {
    projectId: string;
    flowId: string;
    /** Absent: the client's own region. */
    regionId?: string;
    conf?: Record<string, string>;
}

/** The answer of one SubmitFlow call: an unknown outcome is returned, not thrown. */
export type SubmitAttempt =
    | { outcome: "submitted"; instanceId: string; requestId: string }
    | { outcome: "unknown"; error: SubmissionOutcomeUnknownError };

/**
 * One SubmitFlow call. With a `ledger`, the submission is marked in flight for as long as the
 * call lasts, and the instance ID it returns is held (see `SubmissionLedger`). Errors that prove
 * nothing was accepted are thrown as they are.
 */
export async function submitFlowOnce(client: EmrFlowClient, args: RunArgs, ledger?: SubmissionLedger): Promise<SubmitAttempt> {
    const ticket = ledger?.begin(flowKeyOf(args));
    try {
        const submitted = await client.submitFlow({ regionId: args.regionId, projectId: args.projectId, flowId: args.flowId, conf: args.conf });
        ticket?.settle(submitted.instanceId);
        return { outcome: "submitted", instanceId: submitted.instanceId, requestId: submitted.requestId };
    } catch (err) {
        ticket?.settle();
        if (SubmissionOutcomeUnknownError.isInstance(err)) return { outcome: "unknown", error: err };
        throw err;
    }
}

/** The line that says a run was started, the same wherever it was started from. */
export function submittedLine(args: RunArgs, instanceId: string): string {
    return `emr-flow: submitted flow ${args.flowId} in project ${args.projectId} (${args.regionId}) as ${instanceId}`;
}

/** A run a create holds: submitted now, adopted, or continued from an interrupted create. */
export interface StartedRun {
    instanceId: string;
    requestId: string;
    submittedAtMs: number;
    entry: JournalEntry;
}

export interface SubmissionsDeps {
    client(): EmrFlowClient;
    journal: SubmissionJournal;
    ledger: SubmissionLedger;
    clock: WaitClock;
    print(line: string): void;
    /** Pauses before each listing when looking for an ambiguous submission's run (see `adopt.ts`). */
    settleDelaysMs?: readonly number[];
    /** How long after its start a SubmitFlow (all its attempts) can still have taken effect. */
    submitSpanMs(): number;
}

type Ambiguous = { entry: JournalEntry; cause: { windowStart: number; windowEnd: number; reason: string } };

/** Starting runs exactly once, with the submission record (`journal`) and this process's ledger. */
export class Submissions {
    constructor(private readonly d: SubmissionsDeps) {}

    /** The record's key for the parts that decide a run (kept only as a salted hash). */
    keyFor(parts: unknown): string {
        return this.d.journal.keyFor(parts);
    }

    /**
     * The run of the submission recorded under `key`: one an earlier process began and never
     * finished is continued; otherwise the flow is submitted once. Without `recordId` the instance
     * ID reaches the disk only with `finish` (see `submit`).
     */
    async start(key: string, args: RunArgs & { regionId: string }, recordId = true): Promise<StartedRun> {
        return (await this.resumeInterrupted(key, args)) ?? (await this.submit(key, args, recordId));
    }

    /** The run is handed over (the engine has its ID): its record is done. */
    finish(run: StartedRun): void {
        this.d.journal.finish(run.entry, { instanceId: run.instanceId });
    }

    /**
     * Submits the flow once. When the outcome is unknown (a timeout, a dropped connection), looks
     * for the run it may have started before anything is submitted again (see `adopt.ts`).
     */
    private async submit(key: string, args: RunArgs & { regionId: string }, recordId = true): Promise<StartedRun> {
        const entry = this.d.journal.begin({ key, projectId: args.projectId, flowId: args.flowId, regionId: args.regionId, startedAt: this.d.clock.now() });
        const first = await this.submitAttempt(args, entry, recordId);
        if ("instanceId" in first) return first;
        return this.resolveAmbiguous(args, first.entry, first.cause, true);
    }

    /** One SubmitFlow call, recorded; an unknown outcome is returned, not thrown. */
    private async submitAttempt(args: RunArgs, entry: JournalEntry, recordId = true): Promise<StartedRun | Ambiguous> {
        const { journal } = this.d;
        const startedAtMs = this.d.clock.now();
        let submitted: SubmitAttempt;
        try {
            submitted = await submitFlowOnce(this.d.client(), args, this.d.ledger);
        } catch (err) {
            // Provably not accepted (an error answer, no connection, bad settings): no run exists.
            journal.finish(entry);
            const detail = err instanceof Error ? err.message : String(err);
            const retried = EmrFlowError.isInstance(err) && err.attempts ? ` after ${err.attempts} attempts` : "";
            throw new Error(
                `emr-flow: could not submit flow ${args.flowId} in project ${args.projectId} (${args.regionId})${retried}: ${detail} ` +
                    `No run was started. Fix the cause above and run \`pulumi up\` again.`,
            );
        }
        if (submitted.outcome === "unknown") {
            const err = submitted.error;
            const known = journal.update(entry, { windowEnd: err.windowEnd });
            return { entry: known, cause: { windowStart: err.windowStart, windowEnd: err.windowEnd, reason: unknownReason(err) } };
        }
        // The ledger holds the ID for this process from here on; without `recordId` the disk gets it
        // with the finishing write (a crash in between leaves an entry without an ID, which the next
        // deployment resolves by looking for the run, as after a crash during SubmitFlow).
        const ids = { instanceId: submitted.instanceId, requestId: submitted.requestId };
        const recorded = recordId ? journal.update(entry, ids) : { ...entry, ...ids };
        this.d.print(submittedLine(args, submitted.instanceId));
        return { instanceId: submitted.instanceId, requestId: submitted.requestId, submittedAtMs: startedAtMs, entry: recorded };
    }

    /**
     * After a SubmitFlow whose outcome is unknown: adopt the one run it can have started; with none,
     * submit once more (saying so) if `mayResubmit`; with several, fail naming them.
     */
    private async resolveAmbiguous(args: RunArgs, entry: JournalEntry, cause: Ambiguous["cause"] | undefined, mayResubmit: boolean): Promise<StartedRun> {
        const { ledger, journal, clock } = this.d;
        const flowKey = flowKeyOf(args);
        const windowStart = cause?.windowStart ?? entry.startedAt;
        const windowEnd = cause?.windowEnd ?? entry.windowEnd ?? entry.startedAt + this.d.submitSpanMs();
        const where = whereOf(args);
        const span = `between ${new Date(windowStart).toISOString()} and ${new Date(windowEnd).toISOString()}`;
        if (cause) {
            this.d.print(`emr-flow: SubmitFlow of ${where} may or may not have started a run (${cause.reason}); looking for it before anything is submitted again`);
        }
        // The first pause (an accepted run may take a moment to be listed) is taken before the
        // lock, so that several ambiguous submissions of one flow wait it out together.
        const [firstDelay = 0, ...laterDelays] = this.d.settleDelaysMs ?? SETTLE_DELAYS_MS;
        await clock.sleep(firstDelay);
        // Submissions of the same flow still waiting for their answer would show up as candidates:
        // wait for them, then decide one ambiguous submission at a time.
        await ledger.othersSettled(flowKey);
        let found: FindResult;
        try {
            found = await ledger.exclusive(flowKey, () =>
                findSubmittedInstance(
                    this.d.client(),
                    { regionId: args.regionId!, projectId: args.projectId, flowId: args.flowId, windowStart, windowEnd, conf: args.conf },
                    {
                        exclude: () => new Set([...ledger.heldIds(), ...journal.heldInstanceIds(args.projectId, args.flowId, entry.entryId)]),
                        beforeCount: () => ledger.othersSettled(flowKey),
                        sleep: (ms) => clock.sleep(ms),
                        settleDelaysMs: [0, ...laterDelays],
                    },
                ).then((result) => {
                    // Held before the lock is released, so the next decision excludes it.
                    if (result.outcome === "one") ledger.hold(result.instance.id);
                    return result;
                }),
            );
        } catch (err) {
            // The entry stays for the next deployment, which looks again before submitting.
            journal.release(entry);
            const detail = err instanceof Error ? err.message : String(err);
            throw new Error(
                `emr-flow: SubmitFlow of ${where} may have started a run ${span}, and looking for it failed: ${detail} ` +
                    `Nothing was submitted again. Run \`pulumi up\` again: it looks for that run before submitting.`,
            );
        }
        if (found.outcome === "one") {
            const id = found.instance.id;
            const recorded = journal.update(entry, { instanceId: id });
            this.d.print(`emr-flow: adopted ${id} as the run of ${where}: it is ${found.reason}. Nothing was submitted again.`);
            return { instanceId: id, requestId: entry.requestId ?? "", submittedAtMs: found.instance.gmtCreate ?? windowStart, entry: recorded };
        }
        if (found.outcome === "several") {
            journal.release(entry);
            const list = found.candidates
                .map((c) => `${c.id} (${c.status}${c.gmtCreate !== undefined ? `, created ${new Date(c.gmtCreate).toISOString()}` : ""})`)
                .join(", ");
            throw new Error(
                `emr-flow: SubmitFlow of ${where} may have started a run, and ${found.candidates.length} runs of that flow created ${span} could be it: ${list}. ` +
                    `Which one is this resource's cannot be told (ListFlowInstance does not show conf), so none was adopted and nothing was submitted again. ` +
                    `To proceed: look at them in the EMR console (Operation Center of project ${args.projectId}) or with \`emr-flow status <id> --project ${args.projectId}\`, ` +
                    `kill every one that is not this resource's run (\`emr-flow kill <id> --project ${args.projectId}\`; killed runs are never adopted), ` +
                    `then run \`pulumi up\` again: it adopts the one left, or submits a new run if none is left.`,
            );
        }
        if (!mayResubmit) {
            journal.finish(entry);
            throw new Error(
                `emr-flow: SubmitFlow of ${where} was tried twice with unknown outcomes, and no run of that flow appeared ${span} after ${found.listings} listings. ` +
                    `Nothing was started as far as the service shows, and it is not submitted a third time. Check the network to the endpoint and run \`pulumi up\` again.`,
            );
        }
        this.d.print(
            `emr-flow: no run of ${where} was created ${span} (listed ${found.listings} times over ${Math.round(found.waitedMs / 1000)}s), ` +
                `so the earlier SubmitFlow did not take effect; submitting it once more`,
        );
        const again = await this.submitAttempt(args, journal.update(entry, { startedAt: clock.now(), windowEnd: undefined }));
        if ("instanceId" in again) return again;
        return this.resolveAmbiguous(args, again.entry, again.cause, false);
    }

    /**
     * A submission of these inputs that an earlier process began and never finished (it was
     * killed, or its deployment stopped at an ambiguity): continue with its run instead of
     * starting another.
     */
    private async resumeInterrupted(key: string, args: RunArgs): Promise<StartedRun | undefined> {
        const { journal } = this.d;
        const [earlier] = journal.interrupted(key);
        if (!earlier) return undefined;
        const entry = journal.adoptEntry(earlier);
        const where = whereOf(args);
        const when = new Date(entry.startedAt).toISOString();
        if (entry.instanceId) {
            const id = entry.instanceId;
            try {
                await this.d.client().describeFlowInstance({ regionId: args.regionId, projectId: args.projectId, instanceId: id });
            } catch (err) {
                if (!isNotFoundError(err)) {
                    journal.release(entry);
                    const detail = err instanceof Error ? err.message : String(err);
                    throw new Error(
                        `emr-flow: an earlier deployment submitted ${where} as ${id} and stopped before recording it; checking ${id} failed: ${detail} ` +
                            `Nothing was submitted. Run \`pulumi up\` again: it continues with ${id}.`,
                    );
                }
                this.d.print(`emr-flow: an earlier deployment submitted ${where} as ${id}, which no longer exists; submitting a new run`);
                journal.finish(entry);
                return undefined;
            }
            this.d.ledger.hold(id);
            this.d.print(`emr-flow: an earlier deployment submitted ${where} as ${id} at ${when} and stopped before recording it; continuing with ${id} instead of submitting again`);
            return { instanceId: id, requestId: entry.requestId ?? "", submittedAtMs: entry.startedAt, entry };
        }
        this.d.print(`emr-flow: an earlier deployment stopped while its SubmitFlow of ${where} (begun ${when}) had no answer; looking for the run it may have started before submitting`);
        return this.resolveAmbiguous(args, entry, undefined, true);
    }
}

function whereOf(args: RunArgs): string {
    return `flow ${args.flowId} in project ${args.projectId} (${args.regionId})`;
}

/** One lock and one set of in-flight submissions per flow. */
function flowKeyOf(args: { regionId?: string; projectId: string; flowId: string }): string {
    return `${args.regionId ?? ""}/${args.projectId}/${args.flowId}`;
}

/** Why a submission's outcome is unknown, in a few words: the network error's code. */
function unknownReason(err: SubmissionOutcomeUnknownError): string {
    const code = (err.cause as { code?: unknown } | undefined)?.code;
    const what =
        code === "ReadTimeout" || code === "ConnectTimeout"
            ? "no answer within the read timeout"
            : code === "NonJsonResponse" || code === "UnexpectedResponse"
              ? "the answer could not be read"
              : "the connection closed before an answer";
    return typeof code === "string" ? `${what}, ${code}` : what;
}
