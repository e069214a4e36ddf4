import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { ReportsStack } from "../../aws/lib/reports-stack";
import { settingsFromContext } from "../../aws/lib/settings";

/** Synthesizes the stack with `context` over cdk.json's defaults; returns its template and assembly directory. */
export function synthesize(context: Record<string, unknown> = {}) {
  const app = new App({ context: Object.fromEntries(Object.entries(context).map(([k, v]) => [`reports:${k}`, v])) });
  const stack = new ReportsStack(app, "Reports", { settings: settingsFromContext(app.node) });
  const template = Template.fromStack(stack);
  return { template, json: template.toJSON() as Record<string, unknown>, outdir: app.outdir };
}
