"use client";

/** The document as JSON: view it, paste or upload a document to replace it (checked first), download it. */
import { useState } from "react";
import { exportRules, importRules, type RuleError, type RulesDocument } from "@/lib/rules";
import { Button } from "@/components/ui/button";

export function JsonPanel({ doc, onImport }: { doc: RulesDocument; onImport: (d: RulesDocument) => void }) {
  const [text, setText] = useState("");
  const [importErrors, setImportErrors] = useState<RuleError[]>([]);
  const exported = exportRules(doc);

  const tryImport = (t: string) => {
    const r = importRules(t);
    if (r.ok) {
      setImportErrors([]);
      setText("");
      onImport(r.rules);
    } else setImportErrors(r.errors);
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([exported], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${(doc.name ?? "strategy").replace(/[^\w-]+/g, "-").toLowerCase() || "strategy"}.json`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div className="space-y-3">
      <pre className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100" data-testid="rules-json">
        {exported}
      </pre>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" size="sm" onClick={download}>
          Export JSON
        </Button>
        <label className="inline-flex h-8 cursor-pointer items-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-900 hover:bg-slate-50">
          Upload JSON
          <input type="file" accept="application/json,.json" className="sr-only" onChange={(e) => void e.target.files?.[0]?.text().then(tryImport)} />
        </label>
      </div>
      <label className="block text-sm font-medium text-slate-800" htmlFor="import-json">
        Paste a document
      </label>
      <textarea id="import-json" rows={5} className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs" value={text} onChange={(e) => setText(e.target.value)} placeholder='{ "version": 1, "rules": [ … ] }' />
      <Button type="button" variant="secondary" size="sm" disabled={!text.trim()} onClick={() => tryImport(text)}>
        Import
      </Button>
      {importErrors.length ? (
        <ul className="list-disc pl-5 text-xs text-red-700" role="alert">
          {importErrors.slice(0, 10).map((e, i) => (
            <li key={i}>
              <code>{e.path || "document"}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
