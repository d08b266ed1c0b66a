import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { appBaseUrl } from "@/server/http/base-url";
import { VerifyClient } from "./client";
import { getProviderBySlug } from "../provider";

export const dynamic = "force-dynamic";

type Params = Promise<{ slug: string }>;


export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const provider = await getProviderBySlug((await params).slug);
  if (!provider) return { title: "Provider not found" };
  return {
    title: `Verify ${provider.displayName}'s track record`,
    description: `Recompute ${provider.displayName}'s sha256 hash chain of signals in your browser, or with a short Node script.`,
  };
}

/** Kept in step with README "Verifying a track record yourself". */
const script = (url: string) => `// verify-chain.mjs: node verify-chain.mjs ${url}
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

const { provider, entries } = await (await fetch(process.argv[2])).json();
let prev = "0".repeat(64);
let problems = 0;
const fail = (seq, why) => (problems++, console.log(\`seq \${seq}: \${why}\`));
entries.forEach(({ hash, ...entry }, i) => {
  if (entry.seq !== i + 1) fail(entry.seq, \`gap in seq (expected \${i + 1})\`);
  if (entry.prevHash !== prev) fail(entry.seq, "broken link (prevHash is not the previous hash)");
  const hidden = entry.data === null && entry.nonce === null; // signal still open: only the link can be checked
  if (!hidden && createHash("sha256").update(canonicalize(entry)).digest("hex") !== hash) fail(entry.seq, "hash mismatch");
  prev = hash;
});
const hidden = entries.filter((e) => e.data === null).length;
console.log(problems ? \`\${provider.displayName}: \${problems} problem(s)\` : \`\${provider.displayName}: OK, \${entries.length} entries (\${hidden} hidden while open), latest hash \${prev}\`);
process.exitCode = problems ? 1 : 0;`;

const CHECKS: [string, string][] = [
  ["Hash", "Each revealed entry is encoded as canonical JSON (RFC 8785) and hashed with sha256; the result must equal the hash it was published with."],
  ["Link", "Each entry names the hash of the one before it (the first names 64 zeros), so changing, removing or inserting an old entry breaks every link after it."],
  ["Sequence", "Entries are numbered 1, 2, 3… without gaps, so a deleted entry shows up as a missing number."],
  ["Format", "Hashes are 64 hex characters, nonces 32, and times are UTC with milliseconds, exactly as hashed."],
  ["Stored state", "Each revealed signal's entry, stop, targets, fill and exit must match what the site shows for it, so a signal edited in the database fails too."],
];

export default async function VerifyPage({ params }: { params: Params }) {
  const { slug } = await params;
  const provider = await getProviderBySlug(slug);
  if (!provider) notFound();

  const chainPath = `/api/v1/providers/${encodeURIComponent(provider.slug)}/chain`;
  const chainUrl = new URL(chainPath, appBaseUrl(await headers())).toString();

  return (
    <>
      <Link href={`/providers/${provider.slug}`} className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
        <span aria-hidden="true">←</span> {provider.displayName}
      </Link>
      <div className="mt-4">
        <PageHeader
          title={`Verify ${provider.displayName}'s track record`}
          description={
            <>
              Every signal {provider.displayName} publishes, and every later change to it, is an entry in a sha256 hash chain sealed the moment
              it reaches us. This page downloads the chain and recomputes it on your device.
            </>
          }
        />
      </div>

      <div className="space-y-6">
        <VerifyClient chainUrl={chainPath} displayName={provider.displayName} />

        <div className="grid items-start gap-6 lg:grid-cols-2">
          <Card>
            <CardHeader title="What is checked" />
            <CardBody className="space-y-4 text-sm text-slate-700">
              <dl className="space-y-3">
                {CHECKS.map(([term, text]) => (
                  <div key={term}>
                    <dt className="font-semibold text-slate-900">{term}</dt>
                    <dd className="mt-0.5">{text}</dd>
                  </div>
                ))}
              </dl>
              <p className="rounded-md bg-slate-50 px-3 py-3 text-slate-600">
                <strong className="font-semibold text-slate-900">Hidden while open.</strong> Signals that are still pending or open are
                listed with their contents withheld, so subscribers keep their edge. Their hash is already public and commits to the
                contents plus a random nonce, so the contents cannot be guessed now or changed later: they are revealed, and checked, when
                the signal closes, is cancelled or expires.
              </p>
            </CardBody>
          </Card>

          <Card>
            <CardHeader title="Check it yourself" description="Don't trust this page either: the same check in about 15 lines of Node.js." />
            <CardBody className="space-y-3 text-sm text-slate-700">
              <ol className="list-decimal space-y-1 pl-5">
                <li>
                  In an empty folder with Node.js 20 or later, run <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs">npm install canonicalize</code>.
                </li>
                <li>
                  Save the script below as <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs">verify-chain.mjs</code>.
                </li>
                <li>
                  Run <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs break-all">node verify-chain.mjs {chainUrl}</code>. It
                  prints each problem with its seq, or OK with the latest hash.
                </li>
              </ol>
              <pre className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-5 text-slate-100">
                <code>{script(chainUrl)}</code>
              </pre>
              <p>
                The raw chain is public JSON:{" "}
                <a href={chainPath} className="font-medium break-all text-brand-700 underline hover:text-brand-800">
                  {chainUrl}
                </a>
              </p>
            </CardBody>
          </Card>
        </div>
      </div>
    </>
  );
}
