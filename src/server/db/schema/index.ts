export * from "./users";
export * from "./providers";
export * from "./audit";
export * from "./notifications";
export * from "./signals";
export * from "./subscriptions";
export * from "./market-data";
export * from "./relations";
