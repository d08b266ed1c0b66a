export * from "./users";
export * from "./providers";
export * from "./audit";
export * from "./notifications";
export * from "./relations";
