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
const FLOW = "F-0123456789ABCDEF";
const REGION = "cn-hangzhou";

describe("submission record: retention, corrupt entries, salt, directory", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const fields = (key: string) => ({ key, projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });

    it("removes entries older than the retention and keeps the others", () => {
        let now = Date.UTC(2026, 10, 1);
        const writer = new SubmissionJournal(dir, () => undefined, () => now);
        writer.update(writer.begin(fields("old")), { instanceId: "FI-0000000000000OLD" });
        now += JOURNAL_RETENTION_MS - 1;
        writer.update(writer.begin(fields("recent")), { instanceId: "FI-000000000000000R" });
        now += 2;
        const reader = new SubmissionJournal(dir, () => undefined, () => now);
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW)], ["FI-000000000000000R"]);
        assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith(".json")).length, 1, "the old entry's file is gone");
    });

    it("skips corrupt, foreign and half-written files", () => {
        const writer = new SubmissionJournal(dir, () => undefined);
        writer.update(writer.begin(fields("k")), { instanceId: "FI-00000000000000OK" });
        fs.writeFileSync(path.join(dir, "broken.json"), "{ not json");
        fs.writeFileSync(path.join(dir, "other-version.json"), JSON.stringify({ v: 2, entryId: "x", projectId: PROJECT, flowId: FLOW, instanceId: "FI-000000000000000X", updatedAt: Date.now() }));
        fs.writeFileSync(path.join(dir, "no-id.json"), JSON.stringify({ v: 1, projectId: PROJECT, flowId: FLOW, instanceId: "FI-000000000000000Y", updatedAt: Date.now() }));
        fs.writeFileSync(path.join(dir, "notes.txt"), JSON.stringify({ v: 1, entryId: "t", projectId: PROJECT, flowId: FLOW, instanceId: "FI-000000000000000Z", updatedAt: Date.now() }));
        const reader = new SubmissionJournal(dir, () => undefined);
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW)], ["FI-00000000000000OK"]);
    });

    it("keeps the last whole version of an entry: a version cut off mid-write leaves the one before it", () => {
        const writer = new SubmissionJournal(dir, () => undefined);
        const entry = writer.begin(fields("cut"));
        const file = path.join(dir, `${entry.entryId}.json`);
        writer.update(entry, { instanceId: "FI-0000000000000CUT" });
        assert.equal(fs.readFileSync(file, "utf8").trim().split("\n").length, 2, "one line per version, in the entry's own file");
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

    it("reads an entry written as one JSON document without a newline, and rewrites it whole when it takes it over", () => {
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
        for (const line of fs.readFileSync(file, "utf8").trim().split("\n")) JSON.parse(line);
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
        // Taking it over rewrites its file whole: still readable only by the user, no temporary file left.
        const taken = reader.adoptEntry(reader.interrupted(key)[0]!);
        const lines = fs.readFileSync(path.join(dir, `${dead.entryId}.json`), "utf8").trimEnd().split("\n");
        assert.equal((JSON.parse(lines[lines.length - 1]!) as { pid: number }).pid, process.pid);
        assert.equal(taken.pid, process.pid);
        assert.equal(fs.statSync(path.join(dir, `${dead.entryId}.json`)).mode & 0o777, 0o600);
        assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);
    });
});

describe("submission record: entries, ownership and keys", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-entries-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const fields = (key: string, startedAt = 1) => ({ key, projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt });
    // An entry's file holds one JSON line per version; the last line is the entry as it stands.
    const onDisk2 = (where: string, entryId: string) => JSON.parse(fs.readFileSync(path.join(where, `${entryId}.json`), "utf8").trimEnd().split("\n").pop()!) as Record<string, unknown>;
    const onDisk = (entryId: string) => onDisk2(dir, entryId);

    it("writes a new entry at once, readable only by the user, with no temporary file left", () => {
        const journal = new SubmissionJournal(dir, () => undefined, () => 1234);
        const entry = journal.begin(fields("k", 1000));
        assert.match(entry.entryId, /^[0-9a-f-]{36}$/);
        assert.deepEqual(onDisk(entry.entryId), { v: 1, entryId: entry.entryId, pid: process.pid, updatedAt: 1234, key: "k", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1000 });
        assert.equal(fs.statSync(path.join(dir, `${entry.entryId}.json`)).mode & 0o777, 0o600);
        assert.deepEqual(fs.readdirSync(dir), [`${entry.entryId}.json`]);
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
