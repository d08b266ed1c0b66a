/** Test-only: the acceptance protocol of issue 20 on a test function (imported by *.test.ts only). */
import { BayesianSearch, bestTrial, RandomSearch, type Search, type Trial } from "./search";
import type { TestFunction } from "./test-functions";

export const SEEDS = 10;
export const BUDGET = 100;

/** Runs `search` for `budget` trials on `fn` (maximising −f) and returns the lowest f found. */
export function minimise(fn: TestFunction, search: Search, budget = BUDGET): number {
  const trials: Trial[] = [];
  for (let k = 0; k < budget; k++) {
    const p = search.ask();
    if (!p) break;
    const value = -fn.f(p);
    search.tell(p, value);
    trials.push({ params: p, value });
  }
  return -bestTrial(trials)!.value!;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function acceptanceRun(fn: TestFunction) {
  const range = fn.maximum - fn.minimum;
  const bayes: number[] = [];
  const random: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    bayes.push(minimise(fn, new BayesianSearch(fn.space, { seed })));
    random.push(minimise(fn, new RandomSearch(fn.space, seed)));
  }
  const bayesMedian = median(bayes);
  const randomMedian = median(random);
  return {
    bayes,
    random,
    bayesMedian,
    randomMedian,
    bayesRegretShare: (bayesMedian - fn.minimum) / range,
    randomRegretShare: (randomMedian - fn.minimum) / range,
  };
}
