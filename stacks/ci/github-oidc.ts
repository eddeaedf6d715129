/**
 * GitHub Actions' OpenID Connect provider in the account, and roles that only workflows of one
 * repository can assume, narrowed by the token's exact `sub` claim. No AWS key is stored in GitHub.
 */
import type { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** GitHub Actions' token issuer. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The audience `aws-actions/configure-aws-credentials` asks GitHub for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** Props of {@link GitHubOidc}. */
export interface GitHubOidcProps {
  /** `owner/name` of the repository whose workflows may assume the roles. */
  readonly repository: string;
}

/** Options of {@link GitHubOidc.role}. */
export interface GitHubRoleOptions {
  readonly roleName: string;
  readonly description: string;
  /**
   * What follows `repo:<owner/name>:` in the token's `sub` claim, matched exactly, e.g. `environment:prod`
   * (a job that declares `environment: prod`). No wildcards: a pattern is how one role ends up trusted
   * by more jobs than anyone meant.
   */
  readonly subjects: readonly string[];
  /** @default one hour */
  readonly maxSessionDuration?: Duration;
}

/** The provider, and roles trusted through it. */
export class GitHubOidc extends Construct {
  readonly provider: iam.OidcProviderNative;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: GitHubOidcProps,
  ) {
    super(scope, id);
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/.test(props.repository)) {
      throw new Error(`GitHubOidc repository must be "owner/name", got "${props.repository}"`);
    }
    // IAM validates GitHub's certificate against its own trusted CAs: no thumbprint to pin or rotate.
    this.provider = new iam.OidcProviderNative(this, 'Provider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIds: [GITHUB_OIDC_AUDIENCE],
    });
  }

  /** A role that only tokens of this repository with one of `subjects` can assume. */
  role(id: string, options: GitHubRoleOptions): iam.Role {
    if (options.subjects.length === 0) {
      throw new Error(`GitHubOidc role ${options.roleName} needs at least one subject, got none`);
    }
    const pattern = options.subjects.find((s) => /[*?]/.test(s));
    if (pattern !== undefined) {
      throw new Error(`GitHubOidc role ${options.roleName} takes exact subjects only, got "${pattern}"`);
    }
    return new iam.Role(this, id, {
      roleName: options.roleName,
      description: options.description,
      maxSessionDuration: options.maxSessionDuration,
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: options.subjects.map((s) => `repo:${this.props.repository}:${s}`),
        },
      }),
    });
  }
}
