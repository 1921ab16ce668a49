// A stateful stand-in for the ECS (JSON 1.1) and EC2 (query) endpoints, for the real AWS SDK clients.
// Listens on 127.0.0.1 only. Speaks exactly the calls the installer uses, with the API's constraints:
//  - X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Action>; body and reply application/x-amz-json-1.1;
//    errors as HTTP 400 + {"__type","message"}; timestamps as epoch seconds.
//  - EC2 DescribeRegions as a form POST (Action=DescribeRegions) with an XML reply; errors as <Response><Errors>.
//  - DescribeServices: more than 10 services -> InvalidParameterException. List*: maxResults <= 100, pages.
//  - RegisterTaskDefinition: family, containerDefinitions (name, image), one essential container, Fargate's
//    awsvpc + task cpu/memory, container memory within task memory, no aws: tags, no unknown fields.
//  - Access denial per access key id and IAM action ("ecs:UpdateService"), read from the SigV4 Authorization header.
//  - Rollouts: UpdateService starts an IN_PROGRESS deployment; every DescribeServices of the service is one poll;
//    after `rollout.polls` polls the deployment is COMPLETED (old ones drained) or FAILED.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, any>;
interface Tag { key: string; value?: string }
export interface FakeRevision { td: Json; tags: Tag[] }
export interface FakeService { cluster: string; json: Json; tags: Tag[]; polls: number }

const ACCOUNT = '123456789012';
const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const REGISTRABLE = new Set(['family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'containerDefinitions', 'volumes',
  'placementConstraints', 'requiresCompatibilities', 'cpu', 'memory', 'tags', 'pidMode', 'ipcMode', 'proxyConfiguration',
  'inferenceAccelerators', 'ephemeralStorage', 'runtimePlatform', 'enableFaultInjection']);

class ApiError extends Error {
  constructor(readonly type: string, message: string) { super(message); }
}

export class FakeAws {
  readonly region = 'us-west-2';
  readonly clusters = new Map<string, Json>();
  readonly families = new Map<string, FakeRevision[]>();
  readonly services = new Map<string, FakeService>();
  /** access key id -> IAM actions refused for it. */
  readonly denied = new Map<string, Set<string>>();
  readonly regions = ['eu-west-1', 'us-east-1', 'us-west-2'];
  /** How rollouts end, and after how many DescribeServices polls. */
  rollout: { polls: number; outcome: 'COMPLETED' | 'FAILED' } = { polls: 2, outcome: 'COMPLETED' };
  /** Server-side page cap of List* calls (AWS: 100), lowered to exercise pagination. */
  maxPageSize = 100;
  /** Every request: IAM action and whether it was refused. */
  readonly calls: { action: string; denied: boolean; body: Json }[] = [];
  private server?: Server;

  arn(kind: string, rest: string): string { return `arn:aws:ecs:${this.region}:${ACCOUNT}:${kind}/${rest}`; }

  addCluster(name: string): void {
    this.clusters.set(name, { clusterArn: this.arn('cluster', name), clusterName: name, status: 'ACTIVE' });
  }

  /** Registers like the API does (same validation); returns the stored task definition. */
  register(input: Json): Json {
    for (const k of Object.keys(input)) if (!REGISTRABLE.has(k)) throw new ApiError('ClientException', `Unknown field ${k}`);
    const family = input['family'];
    if (typeof family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(family)) throw new ApiError('ClientException', 'family is required');
    const containers = input['containerDefinitions'];
    if (!Array.isArray(containers) || containers.length === 0) throw new ApiError('ClientException', 'containerDefinitions is required');
    const names = new Set<string>();
    for (const c of containers) {
      if (!c.name || !c.image) throw new ApiError('ClientException', 'Container.name and Container.image should not be null or empty.');
      if (names.has(c.name)) throw new ApiError('ClientException', `Duplicate container name ${c.name}`);
      names.add(c.name);
    }
    if (!containers.some((c: Json) => c.essential !== false)) throw new ApiError('ClientException', 'At least one essential container is required.');
    if ((input['requiresCompatibilities'] ?? []).includes('FARGATE')) {
      if (input['networkMode'] !== 'awsvpc') throw new ApiError('ClientException', 'Fargate requires network mode awsvpc.');
      if (!input['cpu'] || !input['memory']) throw new ApiError('ClientException', 'Fargate requires task definition to have cpu and memory.');
    }
    if (input['memory']) {
      const used = containers.reduce((s: number, c: Json) => s + (c.memory ?? c.memoryReservation ?? 0), 0);
      if (used > Number(input['memory'])) throw new ApiError('ClientException', 'Container memory exceeds task memory.');
    }
    const tags: Tag[] = input['tags'] ?? [];
    if (tags.some((t) => t.key.toLowerCase().startsWith('aws:'))) throw new ApiError('ClientException', 'aws: tags are reserved');
    const revisions = this.families.get(family) ?? [];
    const revision = revisions.length + 1;
    const td: Json = structuredClone(input);
    delete td['tags'];
    Object.assign(td, { taskDefinitionArn: this.arn('task-definition', `${family}:${revision}`), revision, status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'], requiresAttributes: [], registeredAt: 1700000000 + revision, registeredBy: 'fake' });
    revisions.push({ td, tags: structuredClone(tags) });
    this.families.set(family, revisions);
    return td;
  }

  addService(cluster: string, name: string, taskDefinitionArn: string, opts: { desiredCount?: number; controller?: string } = {}): FakeService {
    const desired = opts.desiredCount ?? 1;
    const svc: FakeService = { cluster, tags: [], polls: 0, json: {
      serviceArn: this.arn('service', `${cluster}/${name}`), serviceName: name, clusterArn: this.arn('cluster', cluster),
      status: 'ACTIVE', desiredCount: desired, runningCount: desired, pendingCount: 0, launchType: 'FARGATE',
      taskDefinition: taskDefinitionArn, deploymentController: { type: opts.controller ?? 'ECS' },
      deployments: [{ id: `ecs-svc/${name}-1`, status: 'PRIMARY', taskDefinition: taskDefinitionArn, desiredCount: desired,
        runningCount: desired, pendingCount: 0, failedTasks: 0, rolloutState: 'COMPLETED', createdAt: 1700000000 }],
    } };
    this.services.set(`${cluster}/${name}`, svc);
    return svc;
  }

  deny(accessKeyId: string, ...actions: string[]): void {
    const set = this.denied.get(accessKeyId) ?? new Set();
    for (const a of actions) set.add(a);
    this.denied.set(accessKeyId, set);
  }

  /** Count of calls of one IAM action that reached the state (were not denied). */
  count(action: string): number { return this.calls.filter((c) => c.action === action && !c.denied).length; }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const key = /Credential=([^/]+)\//.exec(String(req.headers['authorization'] ?? ''))?.[1] ?? '';
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.startsWith(ECS_TARGET_PREFIX)) return this.handleEcs(target.slice(ECS_TARGET_PREFIX.length), raw, key, res);
    return this.handleEc2(new URLSearchParams(raw), key, res);
  }

  private handleEc2(form: URLSearchParams, key: string, res: ServerResponse): void {
    const action = `ec2:${form.get('Action')}`;
    const denied = this.denied.get(key)?.has(action) ?? false;
    this.calls.push({ action, denied, body: Object.fromEntries(form) });
    const xml = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
    };
    if (denied || form.get('Action') !== 'DescribeRegions') {
      const code = denied ? 'UnauthorizedOperation' : 'InvalidAction';
      return xml(denied ? 403 : 400, `<Response><Errors><Error><Code>${code}</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r1</RequestID></Response>`);
    }
    const items = this.regions.map((r) => `<item><regionName>${r}</regionName><regionEndpoint>ec2.${r}.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>`).join('');
    xml(200, `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r1</requestId><regionInfo>${items}</regionInfo></DescribeRegionsResponse>`);
  }

  private handleEcs(op: string, raw: string, key: string, res: ServerResponse): void {
    const action = `ecs:${op}`;
    let body: Json;
    const reply = (status: number, payload: Json) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(status >= 400 ? { 'x-amzn-errortype': payload['__type'] } : {}) });
      res.end(JSON.stringify(payload));
    };
    try { body = raw ? JSON.parse(raw) : {}; } catch { return reply(400, { __type: 'SerializationException', message: 'bad JSON' }); }
    const denied = this.denied.get(key)?.has(action) ?? false;
    this.calls.push({ action, denied, body });
    if (denied) {
      return reply(400, { __type: 'AccessDeniedException',
        message: `User: arn:aws:iam::${ACCOUNT}:user/test is not authorized to perform: ${action} on resource: *` });
    }
    try {
      reply(200, this.dispatch(op, body));
    } catch (err) {
      if (err instanceof ApiError) return reply(400, { __type: err.type, message: err.message });
      reply(500, { __type: 'ServerException', message: String(err) });
    }
  }

  private page<T>(items: T[], body: Json, defaultSize: number): { page: T[]; nextToken?: string } {
    const max = body['maxResults'] ?? defaultSize;
    if (max < 1 || max > 100) throw new ApiError('InvalidParameterException', 'maxResults must be between 1 and 100');
    const start = body['nextToken'] ? Number(body['nextToken']) : 0;
    const size = Math.min(max, this.maxPageSize);
    const page = items.slice(start, start + size);
    return start + size < items.length ? { page, nextToken: String(start + size) } : { page };
  }

  private revision(ref: string): FakeRevision {
    const short = ref.includes(':task-definition/') ? ref.split(':task-definition/')[1]! : ref;
    const [family, rev] = short.split(':');
    const revisions = this.families.get(family!) ?? [];
    const found = rev ? revisions[Number(rev) - 1] : [...revisions].reverse().find((r) => r.td['status'] === 'ACTIVE');
    if (!found) throw new ApiError('ClientException', 'Unable to describe task definition.');
    return found;
  }

  private service(cluster: string, name: string): FakeService | undefined {
    const short = name.includes(':service/') ? name.split('/').pop()! : name;
    return this.services.get(`${cluster}/${short}`);
  }

  private clusterName(body: Json): string {
    const c = String(body['cluster'] ?? 'default');
    const name = c.includes(':cluster/') ? c.split(':cluster/')[1]! : c;
    if (!this.clusters.has(name)) throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
    return name;
  }

  /** One poll of a service's newest deployment. */
  private advance(svc: FakeService): void {
    const deployments = svc.json['deployments'] as Json[];
    const primary = deployments[0]!;
    if (primary['rolloutState'] !== 'IN_PROGRESS') return;
    svc.polls++;
    if (svc.polls < this.rollout.polls) {
      Object.assign(primary, { pendingCount: primary['desiredCount'], runningCount: 0 });
    } else if (this.rollout.outcome === 'COMPLETED') {
      Object.assign(primary, { rolloutState: 'COMPLETED', rolloutStateReason: 'ECS deployment completed.', runningCount: primary['desiredCount'], pendingCount: 0 });
      svc.json['deployments'] = [primary];
    } else {
      Object.assign(primary, { rolloutState: 'FAILED', failedTasks: primary['desiredCount'], pendingCount: 0, runningCount: 0,
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });
    }
  }

  private dispatch(op: string, body: Json): Json {
    switch (op) {
      case 'ListClusters': {
        const { page, nextToken } = this.page([...this.clusters.values()].map((c) => c['clusterArn']), body, 100);
        return { clusterArns: page, nextToken };
      }
      case 'DescribeClusters': {
        const refs: string[] = body['clusters'] ?? ['default'];
        if (refs.length > 100) throw new ApiError('InvalidParameterException', 'at most 100 clusters');
        const found = refs.map((r) => this.clusters.get(r.split(':cluster/').pop()!)).filter((c): c is Json => !!c);
        return { clusters: found.map((c) => ({ ...c, activeServicesCount: [...this.services.values()].filter((s) => s.cluster === c['clusterName']).length, runningTasksCount: 0 })), failures: [] };
      }
      case 'ListTaskDefinitionFamilies': {
        const fams = [...this.families.entries()].filter(([, revs]) => body['status'] !== 'ACTIVE' || revs.some((r) => r.td['status'] === 'ACTIVE')).map(([f]) => f).sort();
        const { page, nextToken } = this.page(fams, body, 100);
        return { families: page, nextToken };
      }
      case 'DescribeTaskDefinition': {
        if (!body['taskDefinition']) throw new ApiError('ClientException', 'taskDefinition is required');
        const r = this.revision(body['taskDefinition']);
        return { taskDefinition: structuredClone(r.td), ...((body['include'] ?? []).includes('TAGS') ? { tags: structuredClone(r.tags) } : {}) };
      }
      case 'RegisterTaskDefinition': {
        const td = this.register(body);
        return { taskDefinition: structuredClone(td), tags: structuredClone(body['tags'] ?? []) };
      }
      case 'ListServices': {
        const cluster = this.clusterName(body);
        const arns = [...this.services.values()].filter((s) => s.cluster === cluster).map((s) => s.json['serviceArn']);
        const { page, nextToken } = this.page(arns, body, 10);
        return { serviceArns: page, nextToken };
      }
      case 'DescribeServices': {
        const cluster = this.clusterName(body);
        const names: string[] = body['services'] ?? [];
        if (names.length === 0) throw new ApiError('InvalidParameterException', 'services is required');
        if (names.length > 10) throw new ApiError('InvalidParameterException', 'services can have at most 10 items.');
        const services: Json[] = [];
        const failures: Json[] = [];
        for (const n of names) {
          const svc = this.service(cluster, n);
          if (!svc) { failures.push({ arn: n, reason: 'MISSING' }); continue; }
          this.advance(svc);
          services.push(structuredClone(svc.json));
        }
        return { services, failures };
      }
      case 'UpdateService': {
        const cluster = this.clusterName(body);
        const svc = body['service'] ? this.service(cluster, body['service']) : undefined;
        if (!svc) throw new ApiError('ServiceNotFoundException', 'Service not found.');
        const r = this.revision(body['taskDefinition'] ?? svc.json['taskDefinition']);
        const arn = r.td['taskDefinitionArn'];
        const deployments = svc.json['deployments'] as Json[];
        for (const d of deployments) d['status'] = 'ACTIVE';
        deployments.unshift({ id: `ecs-svc/${svc.json['serviceName']}-${deployments.length + 1}`, status: 'PRIMARY', taskDefinition: arn,
          desiredCount: svc.json['desiredCount'], runningCount: 0, pendingCount: 0, failedTasks: 0, rolloutState: 'IN_PROGRESS',
          rolloutStateReason: 'ECS deployment in progress.', createdAt: 1700001000 });
        svc.json['taskDefinition'] = arn;
        svc.polls = 0;
        return { service: structuredClone(svc.json) };
      }
      case 'TagResource':
      case 'UntagResource': {
        const arn = body['resourceArn'];
        const svc = [...this.services.values()].find((s) => s.json['serviceArn'] === arn);
        if (!svc) throw new ApiError('InvalidParameterException', 'The specified resource is not found.');
        if (op === 'TagResource') {
          const tags: Tag[] = body['tags'] ?? [];
          if (tags.length === 0) throw new ApiError('InvalidParameterException', 'tags is required');
          svc.tags = [...svc.tags.filter((t) => !tags.some((n) => n.key === t.key)), ...tags];
        } else {
          const keys: string[] = body['tagKeys'] ?? [];
          if (keys.length === 0) throw new ApiError('InvalidParameterException', 'tagKeys is required');
          svc.tags = svc.tags.filter((t) => !keys.includes(t.key));
        }
        return {};
      }
      default:
        throw new ApiError('InvalidAction', `fake does not implement ${op}`);
    }
  }
}
