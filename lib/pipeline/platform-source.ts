import { Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { CodePipelineSource } from 'aws-cdk-lib/pipelines';
import type { Validator } from '../core/errors';

/**
 * ARN of a connection: `arn:aws:codestar-connections:region-id:aws-account_id:connection/connection-id`
 * (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/codegurureviewer/aws.sdk.kotlin.services.codegurureviewer.model/-repository-association/connection-arn.html);
 * connections created since the service was renamed AWS CodeConnections use the `codeconnections` prefix.
 */
const CONNECTION_ARN = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;
/** `owner/name` of a repository behind a connection (GitHub, GitLab, Bitbucket). */
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+$/;
/** A git branch name, conservatively: no spaces, no `..`, no leading or trailing slash. */
const BRANCH = /^(?!\/)(?!.*\.\.)(?!.*\/$)[A-Za-z0-9._/-]{1,255}$/;

/**
 * Where the delivery pipeline reads the platform's source code: a repository behind an AWS
 * CodeConnections connection (GitHub, GitLab, Bitbucket) or an AWS CodeCommit repository.
 *
 * @example
 * PlatformSource.connection('acme/ml-platform', 'main', 'arn:aws:codeconnections:eu-west-1:444444444444:connection/1a2b3c4d-5678-90ab-cdef-1234567890ab');
 */
export abstract class PlatformSource {
  /**
   * A repository behind an AWS CodeConnections (formerly CodeStar Connections) connection, created
   * once in the tooling account's console (the provider's authorization is a manual step).
   *
   * @param repository `owner/name` of the repository
   * @param branch the branch whose commits start the pipeline
   * @param connectionArn ARN of the connection, in the tooling account
   */
  public static connection(repository: string, branch: string, connectionArn: string): PlatformSource {
    return new ConnectionSource(repository, branch, connectionArn);
  }

  /**
   * An AWS CodeCommit repository of the tooling account.
   *
   * @param repository the repository
   * @param branch the branch whose commits start the pipeline
   */
  public static codeCommit(repository: codecommit.IRepository, branch: string): PlatformSource {
    return new CodeCommitSource(repository, branch);
  }

  /** The branch whose commits start the pipeline. */
  public abstract readonly branch: string;

  protected constructor() {}

  /** @internal Records every problem of the source's fields under `property`. */
  public abstract _validate(v: Validator, property: string): void;

  /** @internal The CDK Pipelines source step. */
  public abstract _bind(): CodePipelineSource;
}

class ConnectionSource extends PlatformSource {
  constructor(public readonly repository: string, public readonly branch: string, public readonly connectionArn: string) {
    super();
  }

  public _validate(v: Validator, property: string): void {
    if (!Token.isUnresolved(this.repository)) {
      v.check(typeof this.repository === 'string' && REPOSITORY.test(this.repository), `${property}.repository`, this.repository, 'must be owner/name of the repository');
    }
    v.check(typeof this.branch === 'string' && BRANCH.test(this.branch), `${property}.branch`, this.branch, 'must be a branch name (letters, digits, . _ - /; no spaces, no ..)');
    v.check(typeof this.connectionArn === 'string' && CONNECTION_ARN.test(this.connectionArn), `${property}.connectionArn`, this.connectionArn,
      'must be the ARN of a CodeConnections connection: arn:aws:codeconnections:<region>:<account>:connection/<id> (or codestar-connections)');
  }

  public _bind(): CodePipelineSource {
    return CodePipelineSource.connection(this.repository, this.branch, { connectionArn: this.connectionArn });
  }
}

class CodeCommitSource extends PlatformSource {
  constructor(public readonly repository: codecommit.IRepository, public readonly branch: string) {
    super();
  }

  public _validate(v: Validator, property: string): void {
    v.check(typeof this.repository === 'object' && this.repository !== null && typeof this.repository.repositoryName === 'string',
      `${property}.repository`, this.repository === undefined ? undefined : typeof this.repository, 'must be a CodeCommit repository (codecommit.Repository or Repository.fromRepositoryName)');
    v.check(typeof this.branch === 'string' && BRANCH.test(this.branch), `${property}.branch`, this.branch, 'must be a branch name (letters, digits, . _ - /; no spaces, no ..)');
  }

  public _bind(): CodePipelineSource {
    return CodePipelineSource.codeCommit(this.repository, this.branch);
  }
}
