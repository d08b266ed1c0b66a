/**
 * The strategy lab's optimiser (issue 20): parameter spaces, grid / random / Bayesian search, objectives, the async
 * driver, walk-forward validation and parameter importance. Pure: the worker pool and storage are in
 * src/server/services/lab.
 */
export * from "./driver";
export * from "./importance";
export * from "./objective";
export * from "./search";
export * from "./space";
export * from "./strategy";
export * from "./walk-forward";
export { createRng, type Rng } from "./rng";
