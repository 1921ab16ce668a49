import t from 'tap';
import { compilePatterns, expandPatternValues, matchesAny } from '../../src/policy/patterns.js';
import { PolicyConfigError } from '../../src/policy/errors.js';

t.test('a value with commas is one regex, never split', async (t) => {
  const res = compilePatterns('path-allow', ['^/v\\d{1,3}/users$']);
  t.equal(res.length, 1);
  t.ok(matchesAny(res, '/v12/users'));
  t.notOk(matchesAny(res, '/v1234/users'));
  const alt = compilePatterns('host-allow', 'a,b');
  t.equal(alt.length, 1);
  t.ok(matchesAny(alt, 'xa,by'), 'the comma is a literal character of the regex');
  t.notOk(matchesAny(alt, 'a'));
});

t.test('list forms: array of strings and JSON list string', async (t) => {
  t.same(expandPatternValues('host-allow', ['a', 'b']), ['a', 'b']);
  t.same(expandPatternValues('host-allow', '["^a\\\\d{1,2}$","b"]'), ['^a\\d{1,2}$', 'b']);
  t.same(expandPatternValues('host-allow', ['x', '["y","z"]']), ['x', 'y', 'z']);
  t.same(expandPatternValues('host-allow', undefined), []);
  t.same(expandPatternValues('host-allow', null), []);
  // bracket expressions that are not JSON lists of strings stay one regex
  t.same(expandPatternValues('path-allow', '[0-9]+'), ['[0-9]+']);
  t.same(expandPatternValues('path-allow', '[1]'), ['[1]']);
  t.same(expandPatternValues('path-allow', '[ab]'), ['[ab]']);
  t.throws(() => expandPatternValues('path-allow', [{ a: 1 }]), PolicyConfigError);
});

t.test('invalid regex: error names the flag and the pattern', async (t) => {
  try {
    compilePatterns('path-exclusions', ['^/ok$', '^/(unclosed']);
    t.fail('should throw');
  } catch (err) {
    t.type(err, PolicyConfigError);
    const e = err as PolicyConfigError;
    t.equal(e.flag, 'path-exclusions');
    t.equal(e.pattern, '^/(unclosed');
    t.match(e.message, /^--path-exclusions: /);
    t.match(e.message, '"^/(unclosed"');
  }
  t.throws(() => compilePatterns('host-allow', ['']), { flag: 'host-allow', message: /empty pattern/ });
  t.throws(() => compilePatterns('exclude-user-agent', '["a","("]'), { name: 'PolicyConfigError', flag: 'exclude-user-agent', pattern: '(' });
});

t.test('matching is unanchored; (?i) and ignoreCase', async (t) => {
  t.ok(matchesAny(compilePatterns('path-allow', 'users'), '/api/users/1'));
  t.notOk(matchesAny(compilePatterns('path-allow', '^users'), '/api/users/1'));
  t.ok(matchesAny(compilePatterns('path-allow', '(?i)^/API'), '/api/x'));
  t.notOk(matchesAny(compilePatterns('path-allow', '^/API'), '/api/x'));
  t.ok(matchesAny(compilePatterns('host-allow', 'EXAMPLE\\.com', { ignoreCase: true }), 'api.example.com:443'));
});

t.test('compiled patterns keep no state between tests (no g/y flag)', async (t) => {
  const [re] = compilePatterns('path-allow', 'a');
  t.equal(re.flags, '');
  for (let i = 0; i < 5; i++) t.ok(re.test('/a'));
});
