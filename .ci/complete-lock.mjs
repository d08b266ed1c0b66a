// Completes package-lock.json with entries for other platforms' optional binaries (e.g. @next/swc-darwin-arm64).
// The registry this project installs from does not serve every platform build, so `npm install` leaves them out
// of the lock, and `npm ci` then refuses the lock as out of sync. Listing them as optional, with their os/cpu,
// lets `npm ci` accept the lock and skip them here. Run after any `npm install`: `node .ci/complete-lock.mjs`.
import fs from "node:fs";

const lockPath = process.argv[2] ?? "package-lock.json";
const lock = JSON.parse(fs.readFileSync(lockPath, "utf8"));
const pkgs = lock.packages;

function resolves(parentPath, name) {
  // npm looks in <parent>/node_modules, then each ancestor's node_modules, then the root.
  let base = parentPath;
  for (;;) {
    if (pkgs[`${base ? `${base}/` : ""}node_modules/${name}`]) return true;
    if (!base) return false;
    const i = base.lastIndexOf("/node_modules/");
    base = i === -1 ? "" : base.slice(0, i);
  }
}

function platformOf(name) {
  const n = name.split("/").pop();
  const out = {};
  const os = ["darwin", "win32", "linux", "freebsd", "android", "openharmony", "sunos", "netbsd", "openbsd", "aix"].find((o) => n.includes(o));
  if (os) out.os = [os];
  const cpu = ["arm64", "x64", "ia32", "loong64", "ppc64", "riscv64", "s390x", "wasm32", "arm"].find((c) => new RegExp(`(^|-)${c}(-|$)`).test(n));
  if (cpu) out.cpu = [cpu];
  if (n.includes("musl")) out.libc = ["musl"];
  else if (os === "linux" && n.includes("gnu")) out.libc = ["glibc"];
  return out;
}

let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    if (resolves(path, name)) continue;
    const key = `node_modules/${name}`;
    if (pkgs[key]) continue;
    pkgs[key] = { version: String(range).replace(/^[\^~=]/, ""), optional: true, ...platformOf(name) };
    added++;
  }
}
if (added) {
  lock.packages = Object.fromEntries(
    Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
  );
  fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(`complete-lock: added ${added} optional platform entr${added === 1 ? "y" : "ies"}`);
