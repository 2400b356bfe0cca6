/**
 * The submission record on the paths where something goes wrong: retention, corrupt or foreign
 * files, the shared salt, a directory that cannot be written, where it lives, and entries left by
 * another process.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { JOURNAL_DIR_ENV, JOURNAL_RETENTION_MS, SubmissionJournal, defaultJournalDir } from "../../provider/runs/journal";

const PROJECT = "FP-0123456789ABCDEF";
/** The name of the file a process appends its versions to. */
const SEGMENT = /^\d+-[0-9a-f-]{36}\.jsonl$/;
/** The files of `where` that processes have appended to. */
const segments = (where: string) => fs.readdirSync(where).filter((n) => SEGMENT.test(n));
/** Every whole line of every file of `where`, in the order written within a file. */
const linesOf = (where: string, name: string) => fs.readFileSync(path.join(where, name), "utf8").trimEnd().split("\n");
const FLOW = "F-0123456789ABCDEF";
const REGION = "cn-hangzhou";

describe("submission record: retention, corrupt entries, salt, directory", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const fields = (key: string) => ({ key, projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });

    it("removes entries older than the retention and keeps the others", () => {
        let now = Date.UTC(2026, 10, 1);
        const earlier = new SubmissionJournal(dir, () => undefined, () => now);
        earlier.update(earlier.begin(fields("old")), { instanceId: "FI-0000000000000OLD" });
        const [oldFile] = segments(dir);
        now += JOURNAL_RETENTION_MS - 1;
        // A later process writes to a file of its own.
        const later = new SubmissionJournal(dir, () => undefined, () => now);
        later.update(later.begin(fields("recent")), { instanceId: "FI-000000000000000R" });
        now += 2;
        const reader = new SubmissionJournal(dir, () => undefined, () => now);
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW)], ["FI-000000000000000R"]);
        assert.equal(segments(dir).length, 1, "the file holding only old versions is gone");
        assert.ok(!segments(dir).includes(oldFile!), "and it is the old one");
    });

    it("keeps a file that holds any version within the retention, and still drops the old entries in it", () => {
        let now = Date.UTC(2026, 10, 1);
        const journal = new SubmissionJournal(dir, () => undefined, () => now);
        journal.finish(journal.update(journal.begin(fields("stale")), { instanceId: "FI-00000000000STALE" }));
        now += JOURNAL_RETENTION_MS + 10;
        journal.update(journal.begin(fields("fresh")), { instanceId: "FI-00000000000FRESH" });
        const [file] = segments(dir);
        assert.equal(segments(dir).length, 1, "one process, one file");
        const reader = new SubmissionJournal(dir, () => undefined, () => now);
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW)], ["FI-00000000000FRESH"]);
        assert.deepEqual(segments(dir), [file], "the file stays");
        assert.equal(linesOf(dir, file!).length, 5, "with all its versions");
    });

    it("skips corrupt, foreign and half-written files", () => {
        const writer = new SubmissionJournal(dir, () => undefined);
        writer.update(writer.begin(fields("k")), { instanceId: "FI-00000000000000OK" });
        fs.writeFileSync(path.join(dir, "broken.json"), "{ not json");
        fs.writeFileSync(path.join(dir, "1-broken.jsonl"), "{ not json\n[1]\nnull\n");
        fs.writeFileSync(path.join(dir, "other-version.json"), JSON.stringify({ v: 2, entryId: "x", projectId: PROJECT, flowId: FLOW, instanceId: "FI-000000000000000X", updatedAt: Date.now() }));
        fs.writeFileSync(path.join(dir, "no-id.json"), JSON.stringify({ v: 1, projectId: PROJECT, flowId: FLOW, instanceId: "FI-000000000000000Y", updatedAt: Date.now() }));
        fs.writeFileSync(path.join(dir, "notes.txt"), JSON.stringify({ v: 1, entryId: "t", projectId: PROJECT, flowId: FLOW, instanceId: "FI-000000000000000Z", updatedAt: Date.now() }));
        const reader = new SubmissionJournal(dir, () => undefined);
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW)], ["FI-00000000000000OK"]);
        // Not ours to interpret, so not ours to remove either.
        for (const name of ["broken.json", "1-broken.jsonl", "other-version.json", "no-id.json", "notes.txt"]) assert.ok(fs.existsSync(path.join(dir, name)), name);
    });

    it("keeps the last whole version of an entry: a version cut off mid-write leaves the one before it", () => {
        const writer = new SubmissionJournal(dir, () => undefined);
        const entry = writer.begin(fields("cut"));
        writer.update(entry, { instanceId: "FI-0000000000000CUT" });
        const file = path.join(dir, segments(dir)[0]!);
        assert.equal(fs.readFileSync(file, "utf8").trim().split("\n").length, 2, "one line per version, in the process's file");
        // As if the process died while appending the finishing version.
        fs.appendFileSync(file, JSON.stringify({ ...entry, instanceId: "FI-0000000000000CUT", done: true }).slice(0, 40));
        const reader = new SubmissionJournal(dir, () => undefined);
        const [left] = reader.interrupted("cut");
        assert.equal(left?.instanceId, "FI-0000000000000CUT", "the version before the cut one");
        assert.notEqual(left?.done, true);
        // A file cut off during its first version holds no entry at all (SubmitFlow was not called yet).
        fs.writeFileSync(path.join(dir, "first-cut.json"), JSON.stringify({ ...entry, entryId: "first-cut" }).slice(0, 30));
        assert.deepEqual(new SubmissionJournal(dir, () => undefined).interrupted("cut").map((e) => e.entryId), [entry.entryId]);
    });

    it("reads an entry written as one JSON document without a newline, and continues it in its own file when it takes it over", () => {
        const entry = { v: 1, entryId: "older-format", pid: 2 ** 22 + 1, key: "old-format", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1, updatedAt: Date.now() };
        const file = path.join(dir, "older-format.json");
        fs.writeFileSync(file, JSON.stringify(entry));
        const journal = new SubmissionJournal(dir, () => undefined);
        const [found] = journal.interrupted("old-format");
        assert.equal(found?.entryId, "older-format");
        journal.finish(journal.adoptEntry(found!), { instanceId: "FI-00000000000OLDFMT" });
        const reread = new SubmissionJournal(dir, () => undefined);
        assert.deepEqual(reread.interrupted("old-format"), [], "done");
        assert.deepEqual([...reread.heldInstanceIds(PROJECT, FLOW)], ["FI-00000000000OLDFMT"]);
        assert.equal(fs.readFileSync(file, "utf8"), JSON.stringify(entry), "the older file is left as it was");
        assert.deepEqual(
            linesOf(dir, segments(dir)[0]!).map((l) => JSON.parse(l) as { rev: number; pid: number; done?: boolean }).map((e) => [e.rev, e.pid, e.done ?? false]),
            [
                [1, process.pid, false],
                [2, process.pid, true],
            ],
            "taken over, then finished, each a revision above the one before",
        );
    });

    it("shares one salt between journals of a directory, so keys match across processes", () => {
        const a = new SubmissionJournal(dir, () => undefined);
        const b = new SubmissionJournal(dir, () => undefined);
        assert.equal(a.keyFor({ x: 1, y: [2] }), b.keyFor({ y: [2], x: 1 }), "same salt, and key order does not matter");
        assert.notEqual(a.keyFor({ x: 1 }), a.keyFor({ x: 2 }));
        const other = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"));
        try {
            assert.notEqual(new SubmissionJournal(other, () => undefined).keyFor({ x: 1 }), a.keyFor({ x: 1 }), "another directory has another salt");
        } finally {
            fs.rmSync(other, { recursive: true, force: true });
        }
    });

    it("takes the salt another process wrote first", () => {
        // As if another process created the salt between this one's read and its write.
        fs.writeFileSync(path.join(dir, "salt"), "their-salt\n");
        const theirs = new SubmissionJournal(dir, () => undefined).keyFor({ x: 1 });
        const crypto = require("crypto") as typeof import("crypto");
        assert.equal(theirs, crypto.createHmac("sha256", "their-salt").update(JSON.stringify({ x: 1 })).digest("hex"));
    });

    it("works in memory when the directory cannot be written, warning once", () => {
        const file = path.join(dir, "a-file");
        fs.writeFileSync(file, "");
        const warnings: string[] = [];
        const journal = new SubmissionJournal(path.join(file, "sub"), (l) => warnings.push(l));
        const entry = journal.begin(fields(journal.keyFor({ x: 1 })));
        journal.update(entry, { instanceId: "FI-00000000000000ME" });
        assert.deepEqual([...journal.heldInstanceIds(PROJECT, FLOW)], ["FI-00000000000000ME"]);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, new RegExp(`cannot record submissions under .*Set ${JOURNAL_DIR_ENV} to a writable directory`));
    });

    it("lives where EMR_FLOW_JOURNAL_DIR says, else under the home directory", () => {
        assert.equal(defaultJournalDir({ [JOURNAL_DIR_ENV]: "/somewhere/else" }), "/somewhere/else");
        assert.equal(defaultJournalDir({ [JOURNAL_DIR_ENV]: "  " }), path.join(os.homedir(), ".pulumi-emr-flow", "submissions"));
        assert.equal(defaultJournalDir({}), path.join(os.homedir(), ".pulumi-emr-flow", "submissions"));
    });

    it("leaves entries of another live process alone, and takes over those of a dead one", () => {
        const key = "k";
        const mine = new SubmissionJournal(dir, () => undefined);
        const live = mine.begin(fields(key));
        mine.update(live, { pid: process.ppid });
        const dead = mine.begin({ ...fields(key), startedAt: 0 });
        mine.update(dead, { pid: 2 ** 22 + 12345 });
        const reader = new SubmissionJournal(dir, () => undefined);
        assert.deepEqual(
            reader.interrupted(key).map((e) => e.entryId),
            [dead.entryId],
        );
        // Taking it over appends a new version to the taker's own file, readable only by the user.
        const before = segments(dir);
        const taken = reader.adoptEntry(reader.interrupted(key)[0]!);
        const [own] = segments(dir).filter((n) => !before.includes(n));
        const lines = linesOf(dir, own!);
        assert.equal(lines.length, 1);
        assert.deepEqual(JSON.parse(lines[0]!), { ...dead, pid: process.pid, rev: 3, updatedAt: taken.updatedAt });
        assert.equal(taken.pid, process.pid);
        assert.equal(fs.statSync(path.join(dir, own!)).mode & 0o777, 0o600);
        // Every process after sees the taken-over version, whichever file it reads first.
        assert.deepEqual(
            new SubmissionJournal(dir, () => undefined).interrupted(key).map((e) => [e.entryId, e.pid, e.rev]),
            [[dead.entryId, process.pid, 3]],
        );
    });
});

describe("submission record: entries, ownership and keys", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-entries-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const fields = (key: string, startedAt = 1) => ({ key, projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt });
    // Each process's file holds one JSON line per version it wrote; the highest revision of an entry is the entry as it stands.
    const onDisk2 = (where: string, entryId: string) => {
        const versions = segments(where)
            .flatMap((n) => linesOf(where, n))
            .map((l) => JSON.parse(l) as Record<string, unknown> & { rev: number })
            .filter((e) => e.entryId === entryId);
        return versions.reduce((a, b) => (b.rev >= a.rev ? b : a));
    };
    const onDisk = (entryId: string) => onDisk2(dir, entryId);

    it("writes a new entry at once, readable only by the user, with no temporary file left", () => {
        const journal = new SubmissionJournal(dir, () => undefined, () => 1234);
        const entry = journal.begin(fields("k", 1000));
        assert.match(entry.entryId, /^[0-9a-f-]{36}$/);
        assert.deepEqual(onDisk(entry.entryId), { v: 1, entryId: entry.entryId, pid: process.pid, updatedAt: 1234, key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1000, rev: 1 });
        const [file] = fs.readdirSync(dir);
        assert.match(file!, new RegExp(`^${process.pid}-[0-9a-f-]{36}\\.jsonl$`));
        assert.equal(fs.statSync(path.join(dir, file!)).mode & 0o777, 0o600);
        // Every later version goes to the same file: no file per entry or per version.
        journal.finish(journal.update(entry, { instanceId: "FI-000000000000000F" }));
        journal.finish(journal.begin(fields("k2", 1001)));
        assert.deepEqual(fs.readdirSync(dir), [file]);
        assert.deepEqual(
            linesOf(dir, file!).map((l) => JSON.parse(l) as { entryId: string; rev: number }).map((e) => [e.entryId === entry.entryId, e.rev]),
            [
                [true, 1],
                [true, 2],
                [true, 3],
                [false, 1],
                [false, 2],
            ],
        );
    });

    it("creates its directory and the salt readable only by the user", () => {
        const inner = path.join(dir, "a", "b");
        const journal = new SubmissionJournal(inner, () => undefined);
        journal.keyFor({ x: 1 });
        assert.equal(fs.statSync(inner).mode & 0o777, 0o700);
        assert.equal(fs.statSync(path.join(inner, "salt")).mode & 0o777, 0o600);
        assert.match(fs.readFileSync(path.join(inner, "salt"), "utf8"), /^[0-9a-f]{64}$/);
        fs.rmSync(inner, { recursive: true });
        new SubmissionJournal(inner, () => undefined).begin(fields("k"));
        assert.equal(fs.statSync(inner).mode & 0o777, 0o700);
        // Removed with its parent after the salt was read: the first write makes the whole path again.
        const journal2 = new SubmissionJournal(inner, () => assert.fail("the journal fell back to memory"));
        journal2.keyFor({ x: 1 });
        fs.rmSync(path.join(dir, "a"), { recursive: true });
        const entry = journal2.begin(fields("k"));
        assert.equal(fs.statSync(inner).mode & 0o777, 0o700);
        assert.equal(onDisk2(inner, entry.entryId).entryId, entry.entryId);
    });

    it("stamps every change with the time and marks a finished entry done", () => {
        let now = 10;
        const journal = new SubmissionJournal(dir, () => undefined, () => now);
        const entry = journal.begin(fields("k"));
        now = 20;
        const updated = journal.update(entry, { instanceId: "FI-000000000000000U" });
        assert.deepEqual([updated.updatedAt, onDisk(entry.entryId).updatedAt, onDisk(entry.entryId).instanceId], [20, 20, "FI-000000000000000U"]);
        now = 30;
        journal.finish(updated, { requestId: "R-1" });
        assert.deepEqual([onDisk(entry.entryId).done, onDisk(entry.entryId).updatedAt, onDisk(entry.entryId).requestId], [true, 30, "R-1"]);
    });

    it("keeps an entry updated exactly at the retention's edge", () => {
        let now = Date.UTC(2026, 10, 1);
        const writer = new SubmissionJournal(dir, () => undefined, () => now);
        writer.update(writer.begin(fields("edge")), { instanceId: "FI-00000000000EDGE" });
        now += JOURNAL_RETENTION_MS;
        assert.deepEqual([...new SubmissionJournal(dir, () => undefined, () => now).heldInstanceIds(PROJECT, FLOW)], ["FI-00000000000EDGE"]);
        assert.equal(JOURNAL_RETENTION_MS, 8 * 24 * 3600_000);
    });

    it("hands back a released entry, keeps an adopted one, and lists the interrupted ones of a key oldest first", () => {
        const writer = new SubmissionJournal(dir, () => undefined);
        const late = writer.begin(fields("k", 200));
        const early = writer.begin(fields("k", 100));
        writer.begin(fields("other", 50));
        writer.finish(writer.begin(fields("k", 10)));
        assert.deepEqual(writer.interrupted("k"), [], "this process is working on them");
        writer.release(late);
        writer.release(early);
        assert.deepEqual(writer.interrupted("k").map((e) => e.entryId), [early.entryId, late.entryId]);
        const reader = new SubmissionJournal(dir, () => undefined);
        const found = reader.interrupted("k");
        assert.deepEqual(found.map((e) => e.startedAt), [100, 200]);
        const taken = reader.adoptEntry({ ...found[0]!, pid: 2 ** 22 + 54321 });
        assert.equal(taken.pid, process.pid);
        assert.equal(onDisk(early.entryId).pid, process.pid);
        assert.deepEqual(reader.interrupted("k").map((e) => e.entryId), [late.entryId]);
    });

    it("names the instances a flow's entries hold, leaving out the one asked and other flows", () => {
        const journal = new SubmissionJournal(undefined, () => undefined);
        const a = journal.update(journal.begin(fields("k")), { instanceId: "FI-00000000000000AA" });
        journal.update(journal.begin(fields("k")), { instanceId: "FI-00000000000000BB" });
        journal.begin(fields("k"));
        journal.update(journal.begin({ ...fields("k"), flowId: "F-FFFFFFFFFFFFFFFF" }), { instanceId: "FI-00000000000000CC" });
        journal.update(journal.begin({ ...fields("k"), projectId: "FP-FFFFFFFFFFFFFFFF" }), { instanceId: "FI-00000000000000DD" });
        assert.deepEqual([...journal.heldInstanceIds(PROJECT, FLOW)].sort(), ["FI-00000000000000AA", "FI-00000000000000BB"]);
        assert.deepEqual([...journal.heldInstanceIds(PROJECT, FLOW, a.entryId)], ["FI-00000000000000BB"]);
    });

    it("without a directory keeps entries in memory, with a salt of its own", () => {
        const journal = new SubmissionJournal(undefined, () => undefined);
        const entry = journal.begin(fields("k"));
        journal.release(entry);
        assert.deepEqual(journal.interrupted("k").map((e) => e.entryId), [entry.entryId]);
        assert.equal(journal.keyFor({ x: 1 }), journal.keyFor({ x: 1 }));
        assert.notEqual(journal.keyFor({ x: 1 }), new SubmissionJournal(undefined, () => undefined).keyFor({ x: 1 }));
        const missing = new SubmissionJournal(path.join(dir, "not-yet"), () => undefined);
        assert.deepEqual(missing.interrupted("k"), [], "a directory that does not exist yet holds nothing");
    });

    it("makes a fresh salt when the salt file is empty", () => {
        fs.writeFileSync(path.join(dir, "salt"), "\n");
        const crypto = require("crypto") as typeof import("crypto");
        const key = new SubmissionJournal(dir, () => undefined).keyFor({ x: 1 });
        assert.notEqual(key, crypto.createHmac("sha256", "").update(JSON.stringify({ x: 1 })).digest("hex"));
        assert.match(key, /^[0-9a-f]{64}$/);
    });

    it("keys by content: object keys in any order at any depth, arrays in their order", () => {
        fs.writeFileSync(path.join(dir, "salt"), "fixed-salt");
        const journal = new SubmissionJournal(dir, () => undefined);
        const crypto = require("crypto") as typeof import("crypto");
        const sorted = { a: 1, b: { c: [3, { d: 4, e: 5 }], f: null }, g: "h" };
        const expected = crypto.createHmac("sha256", "fixed-salt").update(JSON.stringify(sorted)).digest("hex");
        assert.equal(journal.keyFor({ g: "h", b: { f: null, c: [3, { e: 5, d: 4 }] }, a: 1 }), expected);
        assert.equal(journal.keyFor({ b: { c: [3, { d: 4, e: 5 }], f: null }, g: "h", a: 1 }), expected);
        assert.notEqual(journal.keyFor({ a: [1, 2] }), journal.keyFor({ a: [2, 1] }));
        assert.equal(journal.keyFor(undefined), crypto.createHmac("sha256", "fixed-salt").update("undefined").digest("hex"));
    });

    it("stamps entries with the real time by default", () => {
        const before = Date.now();
        const entry = new SubmissionJournal(dir, () => undefined).begin(fields("k"));
        assert.ok(entry.updatedAt >= before && entry.updatedAt <= Date.now(), String(entry.updatedAt));
        assert.equal(onDisk(entry.entryId).updatedAt, entry.updatedAt);
    });

    it("without a directory never warns", () => {
        const warnings: string[] = [];
        const journal = new SubmissionJournal(undefined, (l) => warnings.push(l));
        journal.finish(journal.update(journal.begin(fields("k")), { instanceId: "FI-00000000000000ME" }));
        assert.deepEqual(warnings, []);
    });

    it("reads the directory once: what another process records later is not mixed in", () => {
        const reader = new SubmissionJournal(dir, () => undefined);
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW)], []);
        const writer = new SubmissionJournal(dir, () => undefined);
        writer.update(writer.begin(fields("k")), { instanceId: "FI-0000000000LATER" });
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW)], []);
        assert.deepEqual([...new SubmissionJournal(dir, () => undefined).heldInstanceIds(PROJECT, FLOW)], ["FI-0000000000LATER"]);
    });

    it("takes the salt of a process that wrote it between this one's read and write, and leaves it as it is", () => {
        fs.writeFileSync(path.join(dir, "salt"), "their-salt\n");
        // The module object itself (not the import's namespace copy), which the journal reads through.
        const nodeFs = require("fs") as { readFileSync: unknown };
        const realRead = fs.readFileSync;
        let failed = false;
        nodeFs.readFileSync = (file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
            if (!failed && String(file).endsWith("salt")) {
                failed = true;
                throw Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
            }
            return (realRead as (...a: unknown[]) => unknown)(file, ...rest);
        };
        let key: string;
        try {
            key = new SubmissionJournal(dir, () => undefined).keyFor({ x: 1 });
        } finally {
            nodeFs.readFileSync = realRead;
        }
        assert.ok(failed, "the first read saw no salt");
        const crypto = require("crypto") as typeof import("crypto");
        assert.equal(key, crypto.createHmac("sha256", "their-salt").update(JSON.stringify({ x: 1 })).digest("hex"));
        assert.equal(fs.readFileSync(path.join(dir, "salt"), "utf8"), "their-salt\n");
    });

    it("never hands out a file without an entry ID", () => {
        fs.writeFileSync(path.join(dir, "no-id.json"), JSON.stringify({ v: 1, key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, pid: 2 ** 22 + 99, startedAt: 1, instanceId: "FI-000000000000000Y", updatedAt: Date.now() }));
        const reader = new SubmissionJournal(dir, () => undefined);
        assert.deepEqual(reader.interrupted("k"), []);
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW, "some-entry")], []);
    });

    it("takes an entry of a process it may not signal (EPERM) as alive, and of a missing one as dead", () => {
        const writer = new SubmissionJournal(dir, () => undefined);
        const entry = writer.update(writer.begin(fields("k")), { pid: 2 ** 22 + 777 });
        const kill = process.kill;
        try {
            (process as { kill: unknown }).kill = () => {
                throw Object.assign(new Error("kill EPERM"), { code: "EPERM" });
            };
            assert.deepEqual(new SubmissionJournal(dir, () => undefined).interrupted("k"), []);
            (process as { kill: unknown }).kill = () => {
                throw Object.assign(new Error("kill ESRCH"), { code: "ESRCH" });
            };
            assert.deepEqual(new SubmissionJournal(dir, () => undefined).interrupted("k").map((e) => e.entryId), [entry.entryId]);
        } finally {
            process.kill = kill;
        }
    });
});

describe("submission record: files of several processes", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-files-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const version = (rev: number | undefined, pid: number, extra: Record<string, unknown> = {}) =>
        JSON.stringify({ v: 1, entryId: "e-1", key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, pid, startedAt: 1, updatedAt: Date.now(), ...(rev === undefined ? {} : { rev }), ...extra });

    it("takes the highest revision of an entry, whichever file holds it and whatever order they are read in", () => {
        const dead = 2 ** 22 + 4242;
        for (const [first, second] of [
            ["a.jsonl", "b.jsonl"],
            ["b.jsonl", "a.jsonl"],
        ]) {
            fs.writeFileSync(path.join(dir, first!), `${version(3, dead, { instanceId: "FI-0000000000000NEW" })}\n`);
            fs.writeFileSync(path.join(dir, second!), `${version(1, dead)}\n${version(2, dead, { instanceId: "FI-0000000000000OLD" })}\n`);
            const found = new SubmissionJournal(dir, () => undefined).interrupted("k");
            assert.deepEqual(found.map((e) => [e.rev, e.instanceId]), [[3, "FI-0000000000000NEW"]], `${first} then ${second}`);
            for (const n of fs.readdirSync(dir)) fs.rmSync(path.join(dir, n));
        }
        // An entry of the older form has no revision: any version that has one is newer.
        fs.writeFileSync(path.join(dir, "e-1.json"), `${version(undefined, dead, { done: true })}\n`);
        fs.writeFileSync(path.join(dir, "1-x.jsonl"), `${version(1, dead, { instanceId: "FI-00000000000000R1" })}\n`);
        assert.deepEqual(new SubmissionJournal(dir, () => undefined).interrupted("k").map((e) => e.instanceId), ["FI-00000000000000R1"]);
        // Within one file, of two versions with the same revision the later line stands.
        fs.writeFileSync(path.join(dir, "1-x.jsonl"), `${version(1, dead, { instanceId: "FI-00000000000000R1" })}\n${version(1, dead, { instanceId: "FI-00000000000000R2" })}\n`);
        assert.deepEqual(new SubmissionJournal(dir, () => undefined).interrupted("k").map((e) => e.instanceId), ["FI-00000000000000R2"]);
    });

    it("counts revisions on from the highest it has seen, even when handed an older copy of the entry", () => {
        const journal = new SubmissionJournal(dir, () => undefined);
        const first = journal.begin({ key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });
        const second = journal.update(first, { instanceId: "FI-000000000000000A" });
        assert.equal(second.rev, 2);
        // `first` is the copy from before the update: the finishing version must still come after.
        journal.finish(first, { instanceId: "FI-000000000000000A" });
        const [file] = fs.readdirSync(dir).filter((n) => n.endsWith(".jsonl"));
        const revs = linesOf(dir, file!).map((l) => (JSON.parse(l) as { rev: number }).rev);
        assert.deepEqual(revs, [1, 2, 3]);
        assert.deepEqual(new SubmissionJournal(dir, () => undefined).interrupted("k"), [], "the finished version stands");
    });

    it("gives a version of an entry it has not seen the revision after the one it carries", () => {
        const one = new SubmissionJournal(dir, () => undefined);
        const entry = one.update(one.begin({ key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 }), { windowEnd: 2 });
        const other = new SubmissionJournal(undefined, () => undefined);
        assert.equal(other.update(entry, { windowEnd: 3 }).rev, 3);
        assert.equal(other.update(entry, { windowEnd: 4 }).rev, 4, "then the one after the highest it has seen");
        assert.equal(new SubmissionJournal(undefined, () => undefined).update({ ...entry, rev: undefined }, { windowEnd: 5 }).rev, 1, "an entry of the older form counts from 0");
    });

    it("after a failed write, writes to a new file, so that no whole line follows a partial one", () => {
        const warnings: string[] = [];
        const journal = new SubmissionJournal(dir, (l) => warnings.push(l));
        const entry = journal.begin({ key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });
        const [first] = fs.readdirSync(dir).filter((n) => n.endsWith(".jsonl"));
        // The module object itself (not the import's namespace copy), which the journal writes through.
        const nodeFs = require("fs") as { writeSync: unknown };
        const realWrite = fs.writeSync;
        nodeFs.writeSync = (fd: number, data: Buffer) => {
            // As a full disk does: part of the line reaches the file, then the write fails.
            (realWrite as (f: number, d: Buffer) => number)(fd, data.subarray(0, 25));
            throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        };
        try {
            journal.update(entry, { instanceId: "FI-0000000000000LOST" });
        } finally {
            nodeFs.writeSync = realWrite;
        }
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, /ENOSPC/);
        journal.update(entry, { instanceId: "FI-0000000000000KEPT", pid: 2 ** 22 + 31 });
        const files = fs.readdirSync(dir).filter((n) => n.endsWith(".jsonl"));
        assert.equal(files.length, 2, "a second file");
        const [second] = files.filter((n) => n !== first);
        assert.equal(linesOf(dir, second!).length, 1);
        if (process.platform === "linux") assert.deepEqual(openFilesUnder(dir).map((f) => path.basename(f)), [second], "the first file is closed");
        const found = new SubmissionJournal(dir, () => undefined).interrupted("k");
        assert.deepEqual(found.map((e) => [e.instanceId, e.rev]), [["FI-0000000000000KEPT", 3]]);
    });

    /** The files under `where` this process holds open (Linux: /proc/self/fd). */
    const openFilesUnder = (where: string) =>
        fs.readdirSync("/proc/self/fd").flatMap((fd) => {
            try {
                const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
                return target.startsWith(fs.realpathSync(where)) ? [target] : [];
            } catch {
                return [];
            }
        });

    (process.platform === "linux" ? it : it.skip)("opens its file once, and keeps it open for every later version", () => {
        const journal = new SubmissionJournal(dir, () => undefined);
        // The module object itself (not the import's namespace copy), which the journal opens through.
        const nodeFs = require("fs") as { openSync: unknown };
        const realOpen = fs.openSync;
        let opened = 0;
        nodeFs.openSync = (...args: unknown[]) => {
            opened++;
            return (realOpen as (...a: unknown[]) => number)(...args);
        };
        let held: string | undefined;
        try {
            const a = journal.begin({ key: "a", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });
            [held] = openFilesUnder(dir);
            assert.ok(held && SEGMENT.test(path.basename(held)), "its file, open");
            journal.finish(a);
            journal.release(journal.begin({ key: "b", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 }));
        } finally {
            nodeFs.openSync = realOpen;
        }
        assert.equal(opened, 1, "one open for three versions");
        assert.deepEqual(openFilesUnder(dir), [held], "the same file, still open: no open per write");
        assert.equal(linesOf(dir, path.basename(held!)).length, 3, "every version written through it");
        const other = new SubmissionJournal(dir, () => undefined);
        other.begin({ key: "c", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });
        assert.equal(openFilesUnder(dir).length, 2, "another journal has a file of its own");
    });

    it("writes to a new file when its open file was removed under it", () => {
        const journal = new SubmissionJournal(dir, () => assert.fail("the journal fell back to memory"));
        const entry = journal.begin({ key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });
        fs.rmSync(dir, { recursive: true });
        journal.update(entry, { instanceId: "FI-0000000000AGAIN", pid: 2 ** 22 + 32 });
        assert.deepEqual(
            new SubmissionJournal(dir, () => undefined).interrupted("k").map((e) => e.instanceId),
            ["FI-0000000000AGAIN"],
        );
        assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    });

    (process.platform === "linux" ? it : it.skip)("closes the file of a journal that is collected", async () => {
        // A provider process keeps one journal for its life; a test process makes many.
        const v8 = require("v8") as typeof import("v8");
        v8.setFlagsFromString("--expose-gc");
        const gc = (require("vm") as typeof import("vm")).runInNewContext("gc") as () => void;
        (() => {
            const journal = new SubmissionJournal(dir, () => undefined);
            journal.begin({ key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });
        })();
        assert.equal(openFilesUnder(dir).length, 1);
        for (let i = 0; i < 100 && openFilesUnder(dir).length > 0; i++) {
            gc();
            await new Promise((r) => setTimeout(r, 10));
        }
        assert.deepEqual(openFilesUnder(dir), []);
    });
});
