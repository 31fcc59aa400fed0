export * from "./sites";
export * from "./rule-sets";
export * from "./visitors";
export * from "./events";
export * from "./prospect-lists";
export * from "./api-tokens";
export * from "./erased-visitors";
export * from "./lead-models";
