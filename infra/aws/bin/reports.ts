import { App } from "aws-cdk-lib";
import { ReportsStack } from "../lib/reports-stack";
import { settingsFromContext } from "../lib/settings";

const app = new App();
new ReportsStack(app, "Reports", {
  settings: settingsFromContext(app.node),
  description: "Reports: API on Lambda, files on S3, queue, database, cache, dashboard and alarms",
});
app.synth();
