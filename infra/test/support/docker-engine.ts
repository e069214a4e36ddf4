import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { INFRA } from "./paths";

/** A running dockerd and the `node:22-bookworm-slim` base image, made once and kept (engine.sh). */
export default function setup() {
  execFileSync("bash", [join(INFRA, "docker/test/engine.sh")], { stdio: "inherit", timeout: 900_000 });
}
