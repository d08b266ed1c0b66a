#!/usr/bin/env node
/**
 * Sums the CI run: tests passed and failed from the Vitest and Playwright JSON reports, plus one failure for each
 * stage that failed without a test to blame (typecheck, lint, build, a runner that crashed or exited non-zero with
 * every test green). Prints a table of stages and timings, then `N passed, N failed` as the very last line.
 * Exits 1 when anything failed.
 *
 * Input: the tab-separated stage log written by .ci/run, one line per stage:
 *   name  kind(check|vitest|playwright)  exit-code(or "skip:<reason>")  seconds  report-path
 */
import fs from "node:fs";

const stagesFile = process.argv[2];
if (!stagesFile) {
  console.error("usage: node .ci/count.mjs <stages.tsv>");
  process.exit(2);
}

const lines = fs.existsSync(stagesFile) ? fs.readFileSync(stagesFile, "utf8").split("\n").filter(Boolean) : [];

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function relative(file) {
  const cwd = `${process.cwd()}/`;
  return String(file).startsWith(cwd) ? String(file).slice(cwd.length) : String(file);
}

/** Titles of the Playwright tests whose final result is unexpected (failed after their retries). */
function failedPlaywrightTests(suites, path) {
  const out = [];
  for (const suite of suites) {
    const here = suite.title ? [...path, suite.title] : path;
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status === "unexpected") out.push([...here, spec.title].join(" › "));
      }
    }
    out.push(...failedPlaywrightTests(suite.suites ?? [], here));
  }
  return out;
}

/** Vitest's JSON reporter (Jest-compatible shape). */
function countVitest(report) {
  let passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const notes = [];
  const failedTests = [];
  // A file that failed to load or whose hooks threw has no failed assertion of its own: count the file.
  for (const file of report.testResults ?? []) {
    const failedHere = (file.assertionResults ?? []).filter((a) => a.status === "failed");
    const anyFailed = failedHere.length > 0;
    // Name each failed test and its first message line, so the summary at the end of a long log says what broke.
    for (const a of failedHere.slice(0, 10)) {
      const message = String(a.failureMessages?.[0] ?? "").split("\n")[0].slice(0, 200);
      failedTests.push(`${relative(file.name)} > ${a.fullName ?? a.title}${message ? ` (${message})` : ""}`);
    }
    if (file.status === "failed" && !anyFailed) {
      failed += 1;
      notes.push(`file error: ${file.name}${file.message ? ` (${String(file.message).split("\n")[0]})` : ""}`);
    }
  }
  if (report.success === false && failed === 0) {
    failed += 1;
    notes.push("the run reported errors outside any test (see the log above)");
  }
  return { passed, failed, skipped, notes, failedTests };
}

/** Playwright's JSON reporter. A test that passed on its retry is flaky: it counts as passed, and is named. */
function countPlaywright(report) {
  const stats = report.stats ?? {};
  const passed = (stats.expected ?? 0) + (stats.flaky ?? 0);
  let failed = stats.unexpected ?? 0;
  const notes = [];
  const failedTests = failedPlaywrightTests(report.suites ?? [], []).slice(0, 10);
  if (stats.flaky) notes.push(`${stats.flaky} flaky (passed on retry)`);
  const errors = report.errors ?? [];
  if (errors.length && failed === 0) {
    failed += 1;
    notes.push(`run error: ${String(errors[0]?.message ?? "").split("\n")[0]}`);
  }
  return { passed, failed, skipped: stats.skipped ?? 0, notes, failedTests };
}

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
const failures = [];

for (const line of lines) {
  const [name, kind, status, seconds, report] = line.split("\t");
  const row = { name, time: `${seconds}s`, result: "ok", detail: "" };
  if (status.startsWith("skip")) {
    // A stage skipped because an earlier one broke its precondition still counts: nothing it guards was checked.
    row.result = "SKIPPED";
    row.detail = status.slice(5);
    failed += 1;
    failures.push(`${name}: skipped (${row.detail})`);
  } else if (kind === "check") {
    if (status !== "0") {
      row.result = "FAILED";
      row.detail = `exit ${status}`;
      failed += 1;
      failures.push(`${name}: exit ${status}`);
    }
  } else {
    const json = report ? readJson(report) : undefined;
    if (!json) {
      row.result = "FAILED";
      row.detail = `no report at ${report} (exit ${status})`;
      failed += 1;
      failures.push(`${name}: ${row.detail}`);
    } else {
      const c = kind === "vitest" ? countVitest(json) : countPlaywright(json);
      if (status !== "0" && c.failed === 0) {
        c.failed = 1;
        c.notes.push(`exited ${status} with no failed test`);
      }
      passed += c.passed;
      failed += c.failed;
      skipped += c.skipped;
      row.result = c.failed ? "FAILED" : "ok";
      row.detail = [`${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""}`, ...c.notes].join("; ");
      if (c.failed) failures.push([`${name}: ${row.detail}`, ...(c.failedTests ?? [])].join("\n      "));
    }
  }
  rows.push(row);
}

if (rows.length === 0) {
  failed += 1;
  failures.push("no stage ran");
}

const width = Math.max(8, ...rows.map((r) => r.name.length));
console.log("");
console.log(`${"stage".padEnd(width)}  ${"result".padEnd(7)}  ${"time".padStart(6)}  detail`);
for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.result.padEnd(7)}  ${r.time.padStart(6)}  ${r.detail}`);
const total = rows.reduce((s, r) => s + (Number.parseInt(r.time, 10) || 0), 0);
console.log(`${"total".padEnd(width)}  ${"".padEnd(7)}  ${`${total}s`.padStart(6)}`);
if (failures.length) {
  console.log("");
  console.log("Failed:");
  for (const f of failures) console.log(`  - ${f}`);
}
if (skipped) console.log(`(${skipped} tests skipped)`);
console.log("");
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
