// Why a task definition or service cannot take (or give back) the sensor. Each check returns a reason the user
// can act on, or null when the change is safe. Pure functions over described resources.
import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import { sensorContainersOf } from './sidecar.js';

/** "family:revision" of a described task definition, for messages. */
export function revisionLabel(td: TaskDefinition): string {
  return `${td.family ?? '?'}:${td.revision ?? '?'}`;
}

/** `bridge` gives each container its own network namespace: the sidecar would see none of the app's traffic. */
export function refuseNetworkMode(td: TaskDefinition): string | null {
  if (td.networkMode !== 'bridge') return null;
  return `${revisionLabel(td)} uses the "bridge" network mode: each container gets its own network namespace, so ` +
    'the sensor would see none of the application\'s traffic. Switch the task definition to "awsvpc" ' +
    '(the mode Fargate uses) or "host", then run this again.';
}

/** A definition that already carries the sensor gets no second one. */
export function refuseAlreadyInstrumented(td: TaskDefinition): string | null {
  const sensors = sensorContainersOf(td);
  if (sensors.length === 0) return null;
  return `${revisionLabel(td)} already carries the sensor (container "${sensors[0]?.name}", image ` +
    `${sensors[0]?.image}). Run "ecs remove" first to take it out, or edit that container.`;
}

/** Container memory as ECS accounts it against the task: hard limit, else soft reservation, else 0 (MiB). */
function containerMemory(c: { memory?: number; memoryReservation?: number }): number {
  return c.memory ?? c.memoryReservation ?? 0;
}

/**
 * With task-level cpu/memory (always so on Fargate) the containers' sum must fit: refuse when adding the sensor
 * would exceed it, instead of letting RegisterTaskDefinition fail halfway through the flow.
 */
export function refuseResources(td: TaskDefinition, sensorCpu: number, sensorMemory: number): string | null {
  const containers = td.containerDefinitions ?? [];
  const taskMemory = td.memory !== undefined ? Number(td.memory) : NaN;
  if (Number.isFinite(taskMemory)) {
    const used = containers.reduce((sum, c) => sum + containerMemory(c), 0);
    if (used + sensorMemory > taskMemory) {
      return `${revisionLabel(td)} has ${taskMemory} MiB of task memory and its containers reserve ${used} MiB; ` +
        `the sensor's ${sensorMemory} MiB does not fit. Pass a smaller --memory (at most ${Math.max(0, taskMemory - used)}) ` +
        'or raise the task memory.';
    }
  }
  const taskCpu = td.cpu !== undefined ? Number(td.cpu) : NaN;
  if (Number.isFinite(taskCpu)) {
    const used = containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
    if (used + sensorCpu > taskCpu) {
      return `${revisionLabel(td)} has ${taskCpu} CPU units and its containers claim ${used}; the sensor's ` +
        `${sensorCpu} does not fit. Pass a smaller --cpu (at most ${Math.max(0, taskCpu - used)}) or raise the task cpu.`;
    }
  }
  return null;
}

/** Removal needs something to remove. */
export function refuseNotInstrumented(td: TaskDefinition): string | null {
  if (sensorContainersOf(td).length > 0) return null;
  return `${revisionLabel(td)} does not carry the sensor: nothing to remove.`;
}

/** Only the ECS deployment controller rolls out a new task definition through UpdateService. */
export function refuseDeploymentController(service: Service): string | null {
  const type = service.deploymentController?.type ?? 'ECS';
  if (type === 'ECS') return null;
  return `service "${service.serviceName}" is deployed by ${type}, not by ECS: UpdateService cannot roll out a new ` +
    'task definition for it. Register the revision with --dry-run output and deploy it through ' +
    (type === 'CODE_DEPLOY' ? 'CodeDeploy.' : 'your external deployment controller.');
}

/** Family of a task definition ARN or "family:revision" reference ("arn:...:task-definition/web:3" -> "web"). */
export function familyOf(taskDefinitionRef: string | undefined): string | undefined {
  if (taskDefinitionRef === undefined) return undefined;
  const afterSlash = taskDefinitionRef.includes(':task-definition/')
    ? taskDefinitionRef.slice(taskDefinitionRef.indexOf(':task-definition/') + ':task-definition/'.length)
    : taskDefinitionRef;
  return afterSlash.split(':')[0];
}
