// Turning AWS SDK failures into messages that say what to do. Every AWS call of the installer goes through
// `awsCall`, which names the IAM action it needs, so an AccessDenied can name the permission to add.

/** IAM actions the installer uses (the seed's permission table, plus ecs:UntagResource for `ecs remove`). */
export type IamAction =
  | 'ec2:DescribeRegions' | 'ecs:ListClusters' | 'ecs:DescribeClusters' | 'ecs:ListTaskDefinitionFamilies'
  | 'ecs:DescribeTaskDefinition' | 'ecs:RegisterTaskDefinition' | 'ecs:ListServices' | 'ecs:DescribeServices'
  | 'ecs:UpdateService' | 'ecs:TagResource' | 'ecs:UntagResource';

/** A failure with a user-facing message; the command prints `message` and exits with `exitCode`. */
export class InstallerError extends Error {
  constructor(message: string, readonly exitCode = 1, readonly awsErrorName?: string) {
    super(message);
    this.name = 'InstallerError';
  }
}

/** Error names AWS services use for a missing permission (ECS: AccessDeniedException, EC2: UnauthorizedOperation). */
const ACCESS_DENIED_NAMES = new Set([
  'AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnauthorizedException', 'AuthFailure',
]);

interface AwsLikeError { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } }

export function isAccessDenied(err: unknown): boolean {
  const e = err as AwsLikeError | null;
  if (e === null || typeof e !== 'object') return false;
  return ACCESS_DENIED_NAMES.has(e.name ?? '') || ACCESS_DENIED_NAMES.has(e.code ?? '');
}

/** Signature/credential rejections: the keys themselves are wrong, not a permission. */
const BAD_CREDENTIAL_NAMES = new Set([
  'UnrecognizedClientException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredTokenException',
  'ExpiredToken', 'InvalidSignatureException',
]);

/** Network failures below HTTP. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH']);

export function accessDeniedMessage(action: IamAction, err: unknown): string {
  const detail = (err as AwsLikeError).message ?? '';
  return `AWS refused ${action}${detail ? ` (${detail})` : ''}.\n` +
    `Add the IAM permission "${action}" to the policy of this profile's user or role ` +
    '(the AmazonECS_FullAccess managed policy includes all the ecs: permissions the installer uses).';
}

/** A user-facing InstallerError for any failure of the AWS call that needed `action`. */
export function describeAwsFailure(action: IamAction, err: unknown): InstallerError {
  if (err instanceof InstallerError) return err;
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name ?? 'Error';
  if (isAccessDenied(err)) return new InstallerError(accessDeniedMessage(action, err), 1, name);
  if (BAD_CREDENTIAL_NAMES.has(name)) {
    return new InstallerError(`AWS rejected the profile's credentials while calling ${action} (${name}: ` +
      `${e.message ?? ''}). Check the access key in the credentials file, or refresh expired session credentials.`, 1, name);
  }
  if (NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(name)) {
    return new InstallerError(`could not reach AWS for ${action} (${e.code ?? name}: ${e.message ?? ''}). ` +
      'Check the network, the region, and any proxy settings.', 1, name);
  }
  return new InstallerError(`${action} failed: ${name}: ${e.message ?? String(err)}`, 1, name);
}

/** Runs one AWS call; any failure becomes an InstallerError naming `action`. */
export async function awsCall<T>(action: IamAction, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw describeAwsFailure(action, err);
  }
}
