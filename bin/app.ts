#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildDefaultApp } from './main';

buildDefaultApp(new App());
