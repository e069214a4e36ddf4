export * from "./env";
export * from "./errors";
export * from "./limits";
export * from "./message";
export * from "./retry";
export * from "./spec";
export * from "./status";
