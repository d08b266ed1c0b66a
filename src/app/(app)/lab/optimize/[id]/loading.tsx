/** While the run is read on the server: the page's outline in grey, announced once. */
export default function OptimizationLoading() {
  return (
    <div aria-busy="true">
      <p className="sr-only" role="status">
        Loading the optimisation…
      </p>
      <div aria-hidden="true" className="animate-pulse space-y-6">
        <div className="space-y-2">
          <div className="h-7 w-72 max-w-full rounded bg-slate-200" />
          <div className="h-4 w-96 max-w-full rounded bg-slate-100" />
        </div>
        <div className="h-10 rounded-md bg-amber-50" />
        <div className="h-28 rounded-lg border border-slate-200 bg-white" />
        <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
          <div className="h-80 rounded-lg border border-slate-200 bg-white" />
          <div className="h-80 rounded-lg border border-slate-200 bg-white" />
        </div>
      </div>
    </div>
  );
}
