export { startEmbedded } from "./embedded";
export { readStandaloneEnv, type StandaloneEnv, standaloneEnv } from "./env";
