import { Aspects } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Platform, PlatformSettings } from './environment';
import { StandardTags } from './tags';

/**
 * Configures a scope (an App, Stage or Stack) for one environment: validates and attaches the
 * settings every construct below reads, and adds the standard tagging aspect.
 */
export function applyPlatform(scope: IConstruct, settings: PlatformSettings): void {
  Platform.configure(scope, settings);
  Aspects.of(scope).add(new StandardTags(settings));
}
