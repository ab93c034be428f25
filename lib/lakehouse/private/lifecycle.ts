import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EnvironmentProfile } from '../../core/environment';
import { LAKEHOUSE_DEFAULTS, ZoneLifecycle } from '../data-lakehouse-props';
import { LakehouseZone } from '../zone';

/** A zone lifecycle with every default filled in (undefined = that step is off). */
export interface ResolvedLifecycle {
  readonly infrequentAccessAfter?: Duration;
  readonly glacierAfter?: Duration;
  readonly expireAfter?: Duration;
  readonly noncurrentVersionExpiration: Duration;
  readonly abortIncompleteMultipartUploadAfter: Duration;
}

/** Merges a zone's lifecycle props over its documented defaults and the profile. */
export function resolveLifecycle(zone: LakehouseZone, props: ZoneLifecycle | undefined, profile: EnvironmentProfile): ResolvedLifecycle {
  const zoneDefaults = LAKEHOUSE_DEFAULTS.lifecycle[zone];
  return {
    infrequentAccessAfter: props?.infrequentAccessAfter ?? zoneDefaults.infrequentAccessAfter,
    glacierAfter: props?.glacierAfter ?? zoneDefaults.glacierAfter,
    expireAfter: props?.expireAfter,
    noncurrentVersionExpiration: props?.noncurrentVersionExpiration ?? profile.noncurrentVersionRetention,
    abortIncompleteMultipartUploadAfter: props?.abortIncompleteMultipartUploadAfter ?? LAKEHOUSE_DEFAULTS.abortIncompleteMultipartUploadAfter,
  };
}

/** Renders a resolved lifecycle as S3 lifecycle rules. */
export function renderLifecycleRules(l: ResolvedLifecycle, versioned: boolean): s3.LifecycleRule[] {
  const transitions: s3.Transition[] = [];
  if (l.infrequentAccessAfter) transitions.push({ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: l.infrequentAccessAfter });
  if (l.glacierAfter) transitions.push({ storageClass: s3.StorageClass.GLACIER, transitionAfter: l.glacierAfter });
  return [{
    id: 'Tiering',
    enabled: true,
    transitions: transitions.length > 0 ? transitions : undefined,
    expiration: l.expireAfter,
    noncurrentVersionExpiration: versioned ? l.noncurrentVersionExpiration : undefined,
    abortIncompleteMultipartUploadAfter: l.abortIncompleteMultipartUploadAfter,
  }];
}
