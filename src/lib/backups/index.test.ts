import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BACKUP_SCHEDULES, compareFingerprints, planRetention, portableSqlFor, slotFor, type BackupKind, type RetentionCandidate } from ".";

const HOUR = 60 * 60 * 1000;
const now = new Date("2026-12-07T05:00:00Z");

describe("slotFor", () => {
  it("names the day, the week's Sunday and the month, in UTC", () => {
    expect(slotFor("daily", new Date("2026-12-07T02:00:00Z"))).toBe("daily:2026-12-07");
    expect(slotFor("daily", new Date("2026-12-07T23:59:59Z"))).toBe("daily:2026-12-07");
    // 2026-12-06 is a Sunday: the whole week from it shares the slot, the Saturday before does not.
    expect(slotFor("weekly", new Date("2026-12-06T03:00:00Z"))).toBe("weekly:2026-12-06");
    expect(slotFor("weekly", new Date("2026-12-12T22:00:00Z"))).toBe("weekly:2026-12-06");
    expect(slotFor("weekly", new Date("2026-12-05T03:00:00Z"))).toBe("weekly:2026-11-29");
    expect(slotFor("weekly", new Date("2027-01-01T03:00:00Z"))).toBe("weekly:2026-12-27");
    expect(slotFor("monthly", new Date("2026-12-01T04:00:00Z"))).toBe("monthly:2026-12");
  });
});

function backup(id: string, kind: BackupKind, startedAt: Date, status: RetentionCandidate["status"] = "completed", prunedAt: Date | null = null): RetentionCandidate {
  return { id, kind, status, startedAt, prunedAt };
}

describe("planRetention", () => {
  it("keeps the newest 7 daily, 4 weekly and 12 monthly, and every manual backup", () => {
    const list: RetentionCandidate[] = [];
    for (let i = 0; i < 10; i++) list.push(backup(`d${i}`, "daily", new Date(now.getTime() - i * 24 * HOUR)));
    for (let i = 0; i < 6; i++) list.push(backup(`w${i}`, "weekly", new Date(now.getTime() - i * 7 * 24 * HOUR)));
    for (let i = 0; i < 14; i++) list.push(backup(`m${i}`, "monthly", new Date(now.getTime() - i * 30 * 24 * HOUR)));
    for (let i = 0; i < 20; i++) list.push(backup(`x${i}`, "manual", new Date(now.getTime() - i * 40 * 24 * HOUR)));
    const pruned = planRetention(list, now);
    expect(pruned.filter((id) => id.startsWith("d")).sort()).toEqual(["d7", "d8", "d9"]);
    expect(pruned.filter((id) => id.startsWith("w")).sort()).toEqual(["w4", "w5"]);
    expect(pruned.filter((id) => id.startsWith("m")).sort()).toEqual(["m12", "m13"]);
    expect(pruned.filter((id) => id.startsWith("x"))).toEqual([]);
  });

  it("does not count failed, running or already-pruned backups among those kept", () => {
    const list = [
      ...Array.from({ length: 7 }, (_, i) => backup(`d${i}`, "daily", new Date(now.getTime() - (i + 1) * 24 * HOUR))),
      backup("failed-new", "daily", new Date(now.getTime() - HOUR), "failed"),
      backup("running-now", "daily", new Date(now.getTime() - HOUR), "running"),
      backup("running-stale", "daily", new Date(now.getTime() - 30 * HOUR), "running"),
      backup("gone", "daily", new Date(now.getTime() - 2 * HOUR), "completed", now),
    ];
    // 7 completed: none pruned; the abandoned attempt (a day old) goes, the recent ones stay for their retries.
    expect(planRetention(list, now)).toEqual(["running-stale"]);
  });

  const kinds = fc.constantFrom<BackupKind>("daily", "weekly", "monthly", "manual");
  const candidates = fc.uniqueArray(
    fc.record({
      id: fc.stringMatching(/^bkp_[a-z0-9]{6}$/),
      kind: kinds,
      status: fc.constantFrom<RetentionCandidate["status"]>("completed", "completed", "completed", "failed", "running"),
      startedAt: fc.integer({ min: 0, max: 400 * 24 }).map((h) => new Date(now.getTime() - h * HOUR)),
      prunedAt: fc.option(fc.constant(now), { freq: 6 }),
    }),
    { selector: (b) => b.id, maxLength: 60 },
  );

  it("never removes the newest N of a kind, and leaves exactly N when there are more (property)", () => {
    fc.assert(
      fc.property(candidates, (list) => {
        const pruned = new Set(planRetention(list, now));
        for (const kind of ["daily", "weekly", "monthly"] as const) {
          const keep = BACKUP_SCHEDULES[kind].keep;
          const live = list
            .filter((b) => b.kind === kind && b.status === "completed" && !b.prunedAt)
            .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1));
          for (const b of live.slice(0, keep)) expect(pruned.has(b.id)).toBe(false);
          expect(live.filter((b) => !pruned.has(b.id))).toHaveLength(Math.min(keep, live.length));
        }
        for (const b of list) {
          if (b.kind === "manual" && b.status === "completed") expect(pruned.has(b.id)).toBe(false);
          if (b.prunedAt) expect(pruned.has(b.id)).toBe(false);
        }
      }),
    );
  });
});

describe("compareFingerprints", () => {
  it("names each table that differs, is missing or is extra", () => {
    const expected = { users: { rows: 2, checksum: "a" }, signals: { rows: 5, checksum: "b" }, payments: { rows: 1, checksum: "c" } };
    expect(compareFingerprints(expected, { ...expected })).toEqual([]);
    expect(compareFingerprints(expected, { users: { rows: 1, checksum: "a" }, signals: { rows: 5, checksum: "z" }, extra: { rows: 0, checksum: "" } })).toEqual([
      "payments: missing from the restored copy",
      "signals: checksum differs (5 rows)",
      "users: 1 rows restored, 2 recorded",
      "extra: in the restored copy but not in the manifest",
    ]);
  });
});

describe("portableSqlFor", () => {
  it("drops the settings and meta-commands an older PostgreSQL or psql rejects, and nothing else", () => {
    const dump = ["\\restrict abc", "SET statement_timeout = 0;", "SET transaction_timeout = 0;", "CREATE TABLE t (a int);", "\\unrestrict abc", ""].join("\n");
    expect(portableSqlFor(dump)).toBe(["SET statement_timeout = 0;", "CREATE TABLE t (a int);", ""].join("\n"));
  });
});
