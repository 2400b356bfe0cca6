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
 *
 * On disk, each process appends every version of the entries it writes, one JSON line each, to a
 * file of its own (`<pid>-<random>.jsonl`), created by its first write: a create costs two short
 * appends to a file that already exists, not a new file (creating a file is a metadata write of
 * the file system, about a third of a millisecond on an ordinary disk, and held up every other
 * create of the host while it lasted). Each version carries a revision that counts up; the
 * newest revision of an entry in any file is the entry, so an entry taken over from a file of an
 * earlier process is continued in the new process's file. Files of the earlier form (one entry per
 * `<entryId>.json`) are read the same way.
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
    /** Counts the versions of the entry, across processes: the highest is the entry (absent: 0, an older form). */
    rev?: number;
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
    // The entries of each key that are not done, so that finding a key's interrupted entries reads
    // neither every entry nor the finished ones of a key submitted many times.
    private readonly openByKey = new Map<string, Set<string>>();
    // This process's file, named on its first write (see `save`), and kept open (see `append`).
    private segment?: string;
    private fd?: number;
    private salt?: crypto.KeyObject;
    private warned = false;
    private loaded = false;

    constructor(
        private readonly dir: string | undefined,
        private readonly warn: (line: string) => void,
        private readonly now: () => number = () => Date.now(),
    ) {}

    /** The key of a run's deciding inputs within a stack. */
    keyFor(parts: unknown): string {
        return crypto.createHmac("sha256", this.saltKey()).update(canonicalJson(parts)).digest("hex");
    }

    /** Writes a new entry for an attempt that is about to start, owned by this process. */
    begin(fields: Pick<JournalEntry, "key" | "projectId" | "flowId" | "regionId" | "startedAt">): JournalEntry {
        const entry: JournalEntry = { v: 1, entryId: crypto.randomUUID(), pid: process.pid, updatedAt: this.now(), ...fields, rev: 1 };
        this.active.add(entry.entryId);
        this.save(entry);
        return entry;
    }

    /** Takes over an entry found by {@link interrupted}: this process now owns it. */
    adoptEntry(entry: JournalEntry): JournalEntry {
        this.active.add(entry.entryId);
        return this.update(entry, { pid: process.pid });
    }

    update(entry: JournalEntry, changes: Partial<JournalEntry>): JournalEntry {
        const next: JournalEntry = { ...entry, ...changes, updatedAt: this.now(), rev: this.nextRev(entry) };
        this.save(next);
        return next;
    }

    /** The attempt is over: the engine has the run, or nothing was started. */
    finish(entry: JournalEntry, changes: Partial<JournalEntry> = {}): void {
        this.save({ ...entry, ...changes, done: true, updatedAt: this.now(), rev: this.nextRev(entry) });
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
        this.loadOnce();
        const ids = this.openByKey.get(key) ?? [];
        return [...ids]
            .map((id) => this.memory.get(id)!)
            .filter((e) => !this.active.has(e.entryId) && !(e.pid !== process.pid && processAlive(e.pid)))
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
        const found = new Map<string, JournalEntry>();
        for (const name of names) {
            if (!name.endsWith(".json") && !name.endsWith(".jsonl")) continue;
            const file = path.join(this.dir, name);
            try {
                const versions = versionsIn(fs.readFileSync(file, "utf8"));
                if (versions.length === 0) continue;
                // A file is removed once everything in it is past the retention.
                if (versions.every((e) => e.updatedAt < cutoff)) {
                    fs.rmSync(file, { force: true });
                    continue;
                }
                for (const e of versions) {
                    const seen = found.get(e.entryId);
                    if (!seen || (e.rev ?? 0) >= (seen.rev ?? 0)) found.set(e.entryId, e);
                }
            } catch {
                // A foreign or unreadable file: not ours to interpret.
            }
        }
        for (const entry of found.values()) if (entry.updatedAt >= cutoff) this.remember(entry);
    }

    private remember(entry: JournalEntry): void {
        const before = this.memory.get(entry.entryId);
        if (before) this.openByKey.get(before.key)?.delete(entry.entryId);
        this.memory.set(entry.entryId, entry);
        if (entry.done) return;
        let ids = this.openByKey.get(entry.key);
        if (!ids) this.openByKey.set(entry.key, (ids = new Set()));
        ids.add(entry.entryId);
    }

    /** One more than the highest revision of the entry this process has seen. */
    private nextRev(entry: JournalEntry): number {
        return Math.max(entry.rev ?? 0, this.memory.get(entry.entryId)?.rev ?? 0) + 1;
    }

    /**
     * Appends `entry` to this process's file as one JSON line; the file is created by the first
     * write, readable only by the user. A crash mid-append leaves a partial last line, which
     * loading skips, so the version before it stands (a crash during an entry's first version
     * loses nothing: the SubmitFlow it announces had not been called yet). After a failed write,
     * which may have left a partial line, the next write starts a new file, so that no whole line
     * ever follows a partial one.
     */
    private save(entry: JournalEntry): void {
        this.loadOnce();
        this.remember(entry);
        if (!this.dir) return;
        const line = `${JSON.stringify(entry)}\n`;
        try {
            try {
                this.append(line);
            } catch (err) {
                // The directory is made on the first write, and again if it was removed since.
                if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
                fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
                this.append(line);
            }
        } catch (err) {
            this.closeFile();
            this.segment = undefined;
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

    /**
     * The file is opened once and kept open: a provider process has one journal, and the file is
     * closed when the process ends (or, for a journal dropped before that, when it is collected).
     * A file removed meanwhile (its directory deleted under a running deployment) is made again
     * rather than written to unseen.
     */
    private append(line: string): void {
        if (this.fd !== undefined && fs.fstatSync(this.fd).nlink === 0) this.closeFile();
        if (this.fd === undefined) {
            this.segment ??= path.join(this.dir!, `${process.pid}-${crypto.randomUUID()}.jsonl`);
            this.fd = fs.openSync(this.segment, "a", 0o600);
            openFiles.register(this, this.fd, this);
        }
        const data = Buffer.from(line);
        for (let at = 0; at < data.length; ) at += fs.writeSync(this.fd, data, at);
    }

    private closeFile(): void {
        if (this.fd === undefined) return;
        const fd = this.fd;
        this.fd = undefined;
        openFiles.unregister(this);
        try {
            fs.closeSync(fd);
        } catch {
            // Nothing more can be done with it.
        }
    }

    /**
     * The salt, read (or made) once, as a key object: an HMAC given the string would prepare it
     * on every call.
     */
    private saltKey(): crypto.KeyObject {
        return (this.salt ??= crypto.createSecretKey(Buffer.from(this.saltValue())));
    }

    private saltValue(): string {
        const fresh = crypto.randomBytes(32).toString("hex");
        if (!this.dir) return fresh;
        const file = path.join(this.dir, "salt");
        try {
            return fs.readFileSync(file, "utf8").trim() || fresh;
        } catch {
            // First use: create it; if another process raced us, read theirs.
        }
        try {
            fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
            fs.writeFileSync(file, fresh, { mode: 0o600, flag: "wx" });
            return fresh;
        } catch {
            try {
                return fs.readFileSync(file, "utf8").trim() || fresh;
            } catch {
                return fresh;
            }
        }
    }
}

/** Closes the file of a journal that was collected with its file still open. */
const openFiles = new FinalizationRegistry<number>((fd) => {
    try {
        fs.closeSync(fd);
    } catch {
        // Already closed.
    }
});

/** The versions of entries a file holds, in the order written: each whole line that is one. */
function versionsIn(text: string): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (const line of text.split("\n")) {
        try {
            const entry = JSON.parse(line) as JournalEntry;
            if (entry && entry.v === 1 && typeof entry.entryId === "string") out.push(entry);
        } catch {
            // A blank line, or a partial last line (a crash mid-append): the versions before it stand.
        }
    }
    return out;
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
