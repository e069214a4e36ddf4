import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { ReportsStack } from "../../aws/lib/reports-stack";
import { settingsFromContext } from "../../aws/lib/settings";

/**
 * Synthesizes the stack with `context` over cdk.json's defaults, without packaging the Lambda
 * (aws-synth.int.test.ts runs the real `cdk synth`); returns its template.
 */
export function synthesize(context: Record<string, unknown> = {}) {
  const settings = Object.fromEntries(Object.entries(context).map(([k, v]) => [`reports:${k}`, v]));
  const app = new App({ context: { ...settings, "aws:cdk:bundling-stacks": [] } });
  const stack = new ReportsStack(app, "Reports", { settings: settingsFromContext(app.node) });
  const template = Template.fromStack(stack);
  return { template, json: template.toJSON() as Record<string, unknown> };
}
