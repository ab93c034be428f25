// Unit tests skip aws-cdk-lib's CloudFormation schema validation for speed (about 4 s per app);
// test/app.test.ts turns it back on to synthesize the default app with zero errors.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
process.env.CHECKPOINT_DISABLE = '1';
