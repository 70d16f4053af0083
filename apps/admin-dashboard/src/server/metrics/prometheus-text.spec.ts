import { describe, expect, it } from 'vitest';
import { PromParseError, parsePrometheusText } from './prometheus-text';

const plain = (text: string) =>
  parsePrometheusText(text).map((s) => ({ name: s.name, labels: { ...s.labels }, value: s.value }));

describe('parsePrometheusText', () => {
  it('reads what prom-client writes: comments skipped, labels unescaped, special values', () => {
    const text = [
      '# HELP http_requests_total HTTP requests by route pattern, method and status',
      '# TYPE http_requests_total counter',
      'http_requests_total{route="/a",method="GET",status="200"} 12',
      'http_requests_total{route="/b\\\\c",method="POST",status="500",} 3 1700000000000',
      'weird{msg="say \\"hi\\"\\nbye"} -1.5e3',
      '',
      'process_start_time_seconds 1.7e9',
      'nan_metric NaN',
      'inf_metric{le="+Inf"} +Inf',
      'neg_inf -Inf',
      '\r',
    ].join('\n');
    expect(plain(text)).toEqual([
      { name: 'http_requests_total', labels: { route: '/a', method: 'GET', status: '200' }, value: 12 },
      { name: 'http_requests_total', labels: { route: '/b\\c', method: 'POST', status: '500' }, value: 3 },
      { name: 'weird', labels: { msg: 'say "hi"\nbye' }, value: -1500 },
      { name: 'process_start_time_seconds', labels: {}, value: 1.7e9 },
      { name: 'nan_metric', labels: {}, value: NaN },
      { name: 'inf_metric', labels: { le: '+Inf' }, value: Infinity },
      { name: 'neg_inf', labels: {}, value: -Infinity },
    ]);
  });

  it('keeps a label called __proto__ as a label', () => {
    const [sample] = parsePrometheusText('m{__proto__="x"} 1');
    expect(sample?.labels['__proto__']).toBe('x');
    expect(Object.keys(sample?.labels ?? {})).toEqual(['__proto__']);
  });

  it.each([
    ['1bad 1', 'line 1: metric name expected'],
    ['m', 'line 1: blank and value expected after m'],
    ['m{a="1" 2', "line 1: ',' or '}' expected after label a"],
    ['m{a="1} 2', 'line 1: unterminated value of label a'],
    ['m{a=1} 2', 'line 1: quoted value expected for label a'],
    ['m{a"1"} 2', "line 1: '=' expected after label a"],
    ['m{="1"} 2', 'line 1: label name expected'],
    ['m{a="\\t"} 2', 'line 1: bad escape in label a'],
    ['m{a="1",a="2"} 2', 'line 1: label a given twice'],
    ['m twelve', 'line 1: not a number: "twelve"'],
    ['m 1 2 3', 'line 1: more than a value and a timestamp'],
    ['m 1 soon', 'line 1: not a timestamp: "soon"'],
    ['# ok\nm 1\n<html>', 'line 3: metric name expected'],
  ])('refuses %j (%s) rather than read half an answer', (text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(PromParseError);
    expect(() => parsePrometheusText(text)).toThrow(message);
  });
});
