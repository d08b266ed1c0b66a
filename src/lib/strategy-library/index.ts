/**
 * The curated strategy library (issue 19): the catalogue of platform strategies as code with metadata, backtesting
 * one, similarity between backtested runs and recommendations by a trader's profile. Pure: no I/O, no database.
 */
export * from "./catalogue";
export { backtestCurated, LIBRARY_CONFIG, type CuratedBacktest } from "./backtest";
export * from "./similarity";
export * from "./recommend";
