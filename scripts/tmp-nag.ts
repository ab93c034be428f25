import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildDefaultApp } from '../bin/main';
const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
buildDefaultApp(app);
try { app.synth(); console.log('OK'); } catch (e) { console.log((e as Error).message.slice(0, 6000)); }
