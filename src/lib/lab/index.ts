/** The strategy lab's pure parts (issue 19): the backtest job the worker runs, and its equity downsampling. */
export * from "./job";
export * from "./abtest";
