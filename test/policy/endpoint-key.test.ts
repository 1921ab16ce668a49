import t from 'tap';
import { endpointKey, normaliseEndpointPath, ENDPOINT_KEY_MAX_LENGTH } from '../../src/policy/endpoint-key.js';

t.test('identifier segments become {id}', async (t) => {
  const cases: Array<[string, string]> = [
    ['/orders/123', '/orders/{id}'],
    ['/orders/123/items/7', '/orders/{id}/items/{id}'],
    ['/users/550e8400-e29b-41d4-a716-446655440000', '/users/{id}'],
    ['/users/550E8400-E29B-41D4-A716-446655440000/x', '/users/{id}/x'],
    ['/objects/507f1f77bcf86cd799439011', '/objects/{id}'], // 24-hex object id
    ['/blobs/da39a3ee5e6b4b0d3255bfef95601890afd80709', '/blobs/{id}'], // sha1
    ['/t/dGhpcyBpcyBhIHRva2VuMTIz', '/t/{id}'], // base64
    ['/t/aB3_x-Yz9QwErTyUiOp12', '/t/{id}'], // base64url
    ['/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/runs/{id}'], // ULID
    ['/123', '/{id}'],
    ['123', '{id}'],
  ];
  for (const [input, want] of cases) t.equal(normaliseEndpointPath(input), want, input);
});

t.test('ordinary segments are kept as sent', async (t) => {
  const same = [
    '/', '', '/health', '/api/v1/users', '/user-preferences-settings-page', '/deadbeefdeadbeefdead',
    '/a1b2c3', '/files/report.2024.pdf', '/x/%41%42', '//double//slash/', '/caf\u00e9/123abc',
    '/orders/123abc',
  ];
  for (const p of same) t.equal(normaliseEndpointPath(p), p, p);
  t.equal(normaliseEndpointPath('/a//123/'), '/a//{id}/', 'empty segments and trailing slash kept');
});

t.test('endpointKey joins the method and is length-capped', async (t) => {
  t.equal(endpointKey('GET', '/orders/42'), 'GET /orders/{id}');
  t.not(endpointKey('GET', '/orders/42'), endpointKey('POST', '/orders/42'));
  const long = '/' + 'seg/'.repeat(200);
  t.equal(endpointKey('GET', long).length, ENDPOINT_KEY_MAX_LENGTH);
});
