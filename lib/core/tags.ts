import { IAspect, TagManager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PlatformSettings } from './environment';

/** Tag keys applied to every taggable resource. */
export const TAG_KEYS = {
  project: 'Project',
  environment: 'Environment',
  owner: 'Owner',
  costCentre: 'CostCenter',
} as const;

/** Characters AWS accepts in tag values across services. */
export const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/**
 * Aspect that tags every taggable resource with project, environment, owner and cost centre.
 *
 * Add it with `Aspects.of(scope).add(new StandardTags(settings))`; `Platform.configure` callers
 * normally use `applyPlatform`, which does both.
 */
export class StandardTags implements IAspect {
  private readonly tags: Record<string, string>;

  constructor(settings: PlatformSettings) {
    this.tags = {
      [TAG_KEYS.project]: settings.project,
      [TAG_KEYS.environment]: settings.profile.name,
      [TAG_KEYS.owner]: settings.owner,
      [TAG_KEYS.costCentre]: settings.costCentre,
    };
  }

  public visit(node: IConstruct): void {
    // Older L1s carry `tags`, newer ones (EventBridge rules, MLflow servers...) `cdkTagManager`.
    const manager = TagManager.isTaggable(node) ? node.tags : TagManager.isTaggableV2(node) ? node.cdkTagManager : undefined;
    if (!manager) return;
    for (const [key, value] of Object.entries(this.tags)) {
      // Priority 50: below explicit Tags.of(...).add (100), so a user can still override a value.
      manager.setTag(key, value, 50, true);
    }
  }
}
