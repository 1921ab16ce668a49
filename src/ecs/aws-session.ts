// Credentials, region and SDK clients for one run of the installer.
//
// Shared files: AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE when set; else /aws/credentials and /aws/config when
// the container has the folder mounted; else ~/.aws/credentials and ~/.aws/config.
// Region order: --region, the profile's `region` (config file, then credentials file), LEVO_AWS_REGION, AWS_REGION;
// the first one set is checked by the parser of --region, wherever it came from (a refusal names its source).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { fromIni } from '@aws-sdk/credential-providers';
import { InstallerError } from './aws-errors.js';
import { awsRegion } from './cli-flags.js';
import { withSource } from '../config/usage-error.js';

type AwsCredentialIdentityProvider = ReturnType<typeof fromIni>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

/** Folder mounted into the sensor's container for `docker run -v ~/.aws:/aws`. */
export const MOUNTED_AWS_FOLDER = '/aws';

export interface SharedFiles { credentialsFile: string; configFile: string }

export function sharedFiles(env: NodeJS.ProcessEnv = process.env, mountedFolder = MOUNTED_AWS_FOLDER): SharedFiles {
  const pick = (envName: string, base: string): string => {
    const fromEnv = env[envName];
    if (fromEnv) return fromEnv;
    const mounted = join(mountedFolder, base);
    if (existsSync(mounted)) return mounted;
    return join(homedir(), '.aws', base);
  };
  return { credentialsFile: pick('AWS_SHARED_CREDENTIALS_FILE', 'credentials'), configFile: pick('AWS_CONFIG_FILE', 'config') };
}

/** Sections of an INI file: "[name]" -> key -> value. Comments (# ;) and malformed lines are ignored. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const name = header[1] as string;
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

function readIni(path: string): Map<string, Map<string, string>> {
  try { return parseIni(readFileSync(path, 'utf8')); } catch { return new Map(); }
}

/** A region and where it was set, as a message names it: `command line`, `set by LEVO_AWS_REGION`, ... */
interface FoundRegion { value: string; source: string }

/** The profile's region: config file section "[profile X]" (or "[default]"), then credentials file "[X]". */
function profileRegion(profile: string, files: SharedFiles): FoundRegion | undefined {
  const config = readIni(files.configFile);
  const section = config.get(profile === 'default' ? 'default' : `profile ${profile}`) ?? config.get(profile);
  const inConfig = section?.get('region');
  if (inConfig) return { value: inConfig, source: `set in ${files.configFile}, profile "${profile}"` };
  const inCredentials = readIni(files.credentialsFile).get(profile)?.get('region');
  return inCredentials ? { value: inCredentials, source: `set in ${files.credentialsFile}, profile "${profile}"` } : undefined;
}

/** Variables that give the region when neither the flag nor the profile does, in order (blank counts as unset). */
const REGION_VARIABLES = ['LEVO_AWS_REGION', 'AWS_REGION'];

/** Why no region was found, for the message asking for --region. */
export function noRegionReason(profile: string): string {
  return `profile "${profile}" has none, and neither ${REGION_VARIABLES.join(' nor ')} is set`;
}

/**
 * Region from the flag, the profile, then the environment; undefined when none says. The value found is checked
 * as --region is: a UsageError (exit 2) naming where it came from, so the installer never writes a region name
 * it would refuse on the command line into a sidecar.
 */
export function resolveRegion(flag: string | undefined, profile: string, files: SharedFiles,
  env: NodeJS.ProcessEnv = process.env): string | undefined {
  const variable = REGION_VARIABLES.find((name) => (env[name] ?? '').trim() !== '');
  const found: FoundRegion | undefined = flag ? { value: flag, source: 'command line' } : profileRegion(profile, files) ??
    (variable !== undefined ? { value: env[variable]!, source: `set by ${variable}` } : undefined);
  if (found === undefined) return undefined;
  return withSource(found.source, () => awsRegion(found.value));
}

export interface AwsSessionOptions {
  profile: string;
  /** Custom endpoint for both ECS and EC2 (tests, LocalStack); undefined = AWS. */
  endpoint?: string;
  /** SDK attempts per call; the installer is interactive, so few. */
  maxAttempts?: number;
  /** Dry run: the ECS clients refuse, before sending, every command but Describe* and List*. */
  readOnly?: boolean;
}

/**
 * The SDK warns on stderr, once per process, that its releases after January 2027 need Node.js 22. That notice is
 * for whoever upgrades the SDK in this package, not for the person running the installer: it is turned off (an
 * explicit setting of the variable is kept).
 */
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** Commands a read-only session may send. */
const READ_ONLY_COMMAND = /^(Describe|List)[A-Za-z]*Command$/;

/** Makes `client` throw instead of sending any command that is not a read (see AwsSessionOptions.readOnly). */
function refuseWrites(client: ECSClient): ECSClient {
  client.middlewareStack.add((next, context) => async (args) => {
    const command = String(context.commandName ?? '');
    if (!READ_ONLY_COMMAND.test(command)) {
      throw new InstallerError(`dry run: refusing to send ${command.replace(/Command$/, '')} (it would change AWS resources).`);
    }
    return next(args);
  }, { step: 'initialize', name: 'pcapSensorReadOnly' });
  return client;
}

/** Credentials of one profile, resolved once (and proved present) before any call is made. */
export class AwsSession {
  private constructor(readonly profile: string, readonly files: SharedFiles,
    private readonly credentials: AwsCredentialIdentityProvider, private readonly opts: AwsSessionOptions) {}

  /** Loads the profile; a missing file or profile gives an InstallerError saying how to fix it. */
  static async open(opts: AwsSessionOptions, files: SharedFiles = sharedFiles()): Promise<AwsSession> {
    const provider = fromIni({
      profile: opts.profile, filepath: files.credentialsFile, configFilepath: files.configFile, ignoreCache: true,
    });
    let identity: AwsCredentialIdentity;
    try {
      identity = await provider();
    } catch (err) {
      throw new InstallerError(noCredentialsMessage(opts.profile, files, err), 2);
    }
    const fixed: AwsCredentialIdentityProvider = async () => identity;
    return new AwsSession(opts.profile, files, identity.expiration ? provider : fixed, opts);
  }

  ecs(region: string): ECSClient {
    const client = new ECSClient({ region, credentials: this.credentials, endpoint: this.opts.endpoint, maxAttempts: this.opts.maxAttempts ?? 2 });
    return this.opts.readOnly ? refuseWrites(client) : client;
  }

  ec2(region: string): EC2Client {
    return new EC2Client({ region, credentials: this.credentials, endpoint: this.opts.endpoint, maxAttempts: this.opts.maxAttempts ?? 2 });
  }
}

function noCredentialsMessage(profile: string, files: SharedFiles, err: unknown): string {
  const why = err instanceof Error ? err.message : String(err);
  const haveFile = existsSync(files.credentialsFile) || existsSync(files.configFile);
  const where = `${files.credentialsFile}${existsSync(files.configFile) ? ` or ${files.configFile}` : ''}`;
  if (!haveFile) {
    return `no AWS credentials: ${files.credentialsFile} does not exist. Create it with "aws configure --profile ${profile}" ` +
      `(or mount your ~/.aws folder at ${MOUNTED_AWS_FOLDER} when running in a container).`;
  }
  const known = [...readIni(files.credentialsFile).keys()];
  return `no usable credentials for AWS profile "${profile}" in ${where} (${why}).\n` +
    (known.length > 0 ? `Profiles found: ${known.join(', ')}. Pass one with --profile, or ` : '') +
    `add aws_access_key_id and aws_secret_access_key under [${profile}].`;
}
