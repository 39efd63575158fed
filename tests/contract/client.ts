// client.ts - compiled (never run) against the types openapi-typescript
// generates from the served document (tests/contract/run.sh): what a
// client author would write. A change of the document that breaks such a
// client (a field renamed or retyped, a status or body gone) fails here.
import type { components, paths } from '../../build/contract/api';

type Task = components['schemas']['Task'];
type Problem = components['schemas']['Problem'];
type CreateBody = paths['/api/tasks']['post']['requestBody']['content']['application/json'];
type Created = paths['/api/tasks']['post']['responses'][201]['content']['application/json'];
type Page = paths['/api/tasks']['get']['responses'][200]['content']['application/json'];
type Patch = NonNullable<paths['/api/tasks/{id}']['patch']['requestBody']>['content']['application/json'];
type Invalid = paths['/api/tasks']['post']['responses'][422]['content']['application/problem+json'];
type Login = paths['/api/auth/login']['post']['requestBody']['content']['application/json'];
type Session = paths['/api/auth/login']['post']['responses'][200]['content']['application/json'];
type ListQuery = NonNullable<paths['/api/tasks']['get']['parameters']['query']>;

export const body: CreateBody = {
  title: 'File the tax return',
  description: 'Receipts are in the blue folder.',
  priority: 'high',
  due_at: '2026-12-01T18:00:00+01:00',
  tags: ['admin', 'money'],
};

export function titles(page: Page): string[] {
  return page.map((t: Task) => `${t.id} ${t.title}${t.completed ? ' (done)' : ''}`);
}

export function dueAt(task: Created): Date | null {
  return task.due_at === null ? null : new Date(task.due_at);
}

export const patch: Patch = { description: null, completed: true };

export function fieldErrors(p: Invalid): string[] {
  return (p.errors ?? []).map((e) => `${e.field}: ${e.message}`);
}

export function detail(p: Problem): string {
  return `${p.status} ${p.title}: ${p.detail}`;
}

export const login: Login = { email: 'ada@example.org', password: 'correct horse' };

export function bearer(s: Session): string {
  return `${s.token_type} ${s.token}`;
}

export const query: ListQuery = { status: 'pending', sort: 'due_at', order: 'asc', limit: 50, tag: ['home'] };
