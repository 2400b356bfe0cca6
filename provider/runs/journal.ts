/**
 * A small on-disk record of the SubmitFlow calls a deployment has made and not yet handed to the
 * Pulumi engine.
 *
 * The engine learns a run's instance ID only when `create` returns. If the provider host dies
 * before that (the machine is stopped, the CI job is cancelled, `pulumi up` is killed), the
 * engine has no record of the run, and the next `pulumi up` calls `create` again: without this
 * record it would start a second run, and the first would be remembered only by the line the
 * provider printed. So before SubmitFlow an entry is written (when, for which inputs), the
 * instance ID is added the moment it is known, and the entry is marked done once `create`
 * returns. A later `create` of the same inputs in the same stack that finds an entry not done
 * continues with that run (or looks for it, when the ID never arrived) instead of submitting.
 *
 * The entries name no secret: the inputs are only kept as a salted SHA-256 (the salt lives next to
 * the entries, readable only by the user), so a `conf` value marked secret never reaches the disk.
 * The record is local to the machine: a deployment retried on another machine (a fresh CI runner)
 * cannot see it. That limit is documented in the README.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Entries older than this are removed: longer than the longest wait a FlowSubmission allows (7 days). */
export const JOURNAL_RETENTION_MS = 8 * 24 * 3600_000;
/** Overrides where the entries live (default `~/.pulumi-emr-flow/submissions`). */
export const JOURNAL_DIR_ENV = "EMR_FLOW_JOURNAL_DIR";

export interface JournalEntry {
    v: 1;
    /** Unique per SubmitFlow attempt chain. */
    entryId: string;
    /** Salted hash of the stack and the inputs that decide the run. */
    key: string;
    projectId: string;
    flowId: string;
    regionId: string;
    /** The process that wrote it last (so a live deployment's entries are left alone). */
    pid: number;
    /** Epoch ms: the first SubmitFlow attempt began no earlier than this. */
    startedAt: number;
    /** Epoch ms: an instance started by it was created no later than this, when known. */
    windowEnd?: number;
    instanceId?: string;
    requestId?: string;
    /** The engine has the run (create returned), or provably nothing was started. */
    done?: boolean;
    updatedAt: number;
}

/** Where the entries live by default. */
export function defaultJournalDir(env: NodeJS.ProcessEnv): string {
    const override = env[JOURNAL_DIR_ENV];
    if (override && override.trim() !== "") return override;
    return path.join(os.homedir(), ".pulumi-emr-flow", "submissions");
}

export class SubmissionJournal {
    // Entries this process is working on right now: never taken over by another create.
    private readonly active = new Set<string>();
    // Kept in memory too, so a disk that refuses writes degrades to this process's lifetime.
    private readonly memory = new Map<string, JournalEntry>();
    // Entries whose file this process created: later versions are appended to it (see `write`).
    private readonly appendable = new Set<string>();
    private salt?: string;
    private warned = false;
    private loaded = false;

    constructor(
        private readonly dir: string | undefined,
        private readonly warn: (line: string) => void,
        private readonly now: () => number = () => Date.now(),
    ) {}

    /** The key of a run's deciding inputs within a stack. */
    keyFor(parts: unknown): string {
        return crypto.createHmac("sha256", this.saltValue()).update(canonicalJson(parts)).digest("hex");
    }

    /** Writes a new entry for an attempt that is about to start, owned by this process. */
    begin(fields: Pick<JournalEntry, "key" | "projectId" | "flowId" | "regionId" | "startedAt">): JournalEntry {
        const entry: JournalEntry = { v: 1, entryId: crypto.randomUUID(), pid: process.pid, updatedAt: this.now(), ...fields };
        this.active.add(entry.entryId);
        this.save(entry, true);
        return entry;
    }

    /** Takes over an entry found by {@link interrupted}: this process now owns it. */
    adoptEntry(entry: JournalEntry): JournalEntry {
        this.active.add(entry.entryId);
        return this.update(entry, { pid: process.pid });
    }

    update(entry: JournalEntry, changes: Partial<JournalEntry>): JournalEntry {
        const next: JournalEntry = { ...entry, ...changes, updatedAt: this.now() };
        this.save(next);
        return next;
    }

    /** The attempt is over: the engine has the run, or nothing was started. */
    finish(entry: JournalEntry, changes: Partial<JournalEntry> = {}): void {
        this.save({ ...entry, ...changes, done: true, updatedAt: this.now() });
        this.active.delete(entry.entryId);
    }

    /** Stops working on an entry but leaves it for a later create (it was not resolved). */
    release(entry: JournalEntry): void {
        this.active.delete(entry.entryId);
    }

    /**
     * Entries of `key` that an earlier create began and never finished, oldest first, leaving out
     * those this process is working on and those of another live process.
     */
    interrupted(key: string): JournalEntry[] {
        return this.all()
            .filter((e) => e.key === key && !e.done && !this.active.has(e.entryId) && !(e.pid !== process.pid && processAlive(e.pid)))
            .sort((a, b) => a.startedAt - b.startedAt);
    }

    /** Instance IDs of a flow that some create, finished or not, already holds. */
    heldInstanceIds(projectId: string, flowId: string, except?: string): Set<string> {
        const out = new Set<string>();
        for (const e of this.all()) {
            if (e.entryId !== except && e.projectId === projectId && e.flowId === flowId && e.instanceId) out.add(e.instanceId);
        }
        return out;
    }

    private all(): JournalEntry[] {
        this.loadOnce();
        return [...this.memory.values()];
    }

    private loadOnce(): void {
        if (this.loaded) return;
        this.loaded = true;
        if (!this.dir) return;
        let names: string[];
        try {
            names = fs.readdirSync(this.dir);
        } catch {
            return;
        }
        const cutoff = this.now() - JOURNAL_RETENTION_MS;
        for (const name of names) {
            if (!name.endsWith(".json")) continue;
            const file = path.join(this.dir, name);
            try {
                const entry = lastVersion(fs.readFileSync(file, "utf8"));
                if (!entry) continue;
                if (entry.updatedAt < cutoff) {
                    fs.rmSync(file, { force: true });
                    continue;
                }
                this.memory.set(entry.entryId, entry);
            } catch {
                // A half-written or foreign file: not ours to interpret.
            }
        }
    }

    /**
     * Writes `entry` to its file, one JSON line per version; the last whole line is the entry.
     * The first version (`fresh`, written by `begin` before SubmitFlow is called) creates the
     * file, exclusively. Later versions of an entry this process created are appended to it: a
     * crash mid-append leaves a partial last line, which loading skips for the whole line before
     * it, just as the previous version stayed whole when each version replaced the file by
     * rename; appending only costs less (no new file per version). A crash while the first
     * version is written leaves no whole line, so loading skips the file, and that loses
     * nothing: the SubmitFlow it announces had not been called yet. Any other entry (one taken
     * over from an earlier process, possibly in a file written before this format) is rewritten
     * whole by write-then-rename.
     */
    private save(entry: JournalEntry, fresh = false): void {
        this.loadOnce();
        this.memory.set(entry.entryId, entry);
        if (!this.dir) return;
        const file = path.join(this.dir, `${entry.entryId}.json`);
        const line = `${JSON.stringify(entry)}\n`;
        try {
            try {
                this.write(file, entry.entryId, line, fresh);
            } catch (err) {
                // The directory is made on the first write, and again if it was removed since.
                if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
                fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
                this.write(file, entry.entryId, line, fresh);
            }
        } catch (err) {
            if (!this.warned) {
                this.warned = true;
                const reason = err instanceof Error ? err.message : String(err);
                this.warn(
                    `emr-flow: warning: cannot record submissions under ${this.dir} (${reason}); if this deployment is interrupted during a submission, ` +
                        `the next one cannot find the run by itself (its instance ID is printed as soon as it is known). Set ${JOURNAL_DIR_ENV} to a writable directory.`,
                );
            }
        }
    }

    private write(file: string, entryId: string, line: string, fresh: boolean): void {
        if (fresh) {
            fs.writeFileSync(file, line, { mode: 0o600, flag: "wx" });
            this.appendable.add(entryId);
        } else if (this.appendable.has(entryId)) {
            fs.appendFileSync(file, line, { mode: 0o600 });
        } else {
            // Write then rename, so a crash mid-write never leaves a truncated entry.
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, line, { mode: 0o600 });
            fs.renameSync(tmp, file);
            this.appendable.add(entryId);
        }
    }

    private saltValue(): string {
        if (this.salt) return this.salt;
        const fresh = crypto.randomBytes(32).toString("hex");
        if (!this.dir) return (this.salt = fresh);
        const file = path.join(this.dir, "salt");
        try {
            return (this.salt = fs.readFileSync(file, "utf8").trim() || fresh);
        } catch {
            // First use: create it; if another process raced us, read theirs.
        }
        try {
            fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
            fs.writeFileSync(file, fresh, { mode: 0o600, flag: "wx" });
            return (this.salt = fresh);
        } catch {
            try {
                return (this.salt = fs.readFileSync(file, "utf8").trim() || fresh);
            } catch {
                return (this.salt = fresh);
            }
        }
    }
}

/** The entry a file holds: its last whole line that is an entry (a file of one version has one line). */
function lastVersion(text: string): JournalEntry | undefined {
    const lines = text.split("\n");
    for (let i = lines.length - 1; i >= 0; i--) {
        if (lines[i].trim() === "") continue;
        try {
            const entry = JSON.parse(lines[i]) as JournalEntry;
            if (entry && entry.v === 1 && typeof entry.entryId === "string") return entry;
        } catch {
            // A partial last line (a crash mid-append): the line before it is the entry.
        }
    }
    return undefined;
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        // EPERM: it exists but belongs to someone else.
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v,
    ) ?? "undefined";
}
