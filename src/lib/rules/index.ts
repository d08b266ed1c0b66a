/**
 * JSON rules (issue 19): the document schema and its validation (./schema), the evaluator that runs a document as
 * an engine Strategy (./evaluator), canonical JSON import/export (./io) and example documents (./examples).
 */
export * from "./schema";
export { compileRules, RulesStrategy } from "./evaluator";
export { exportRules, importRules } from "./io";
export { BOLLINGER_BREAKOUT_RULES, EXAMPLE_RULES, RSI_REVERSION_RULES, SMA_CROSS_RULES } from "./examples";
