#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { assertWithinCloudFormationLimits } from '../lib';
import { buildDefaultApp } from './main';

const app = new App();
buildDefaultApp(app);
// Fails `cdk synth` when a template is over CloudFormation's size or resource limit.
assertWithinCloudFormationLimits(app.synth());
