import { describe, expect, test } from 'bun:test';
import { canonicalQuery, normaliseList, QueryError } from '../../src/cache/keys.ts';

describe('canonicalQuery', () => {
  test('order, %2C vs comma and + vs %20 give one string', () => {
    const variants = [
      'language=en-US&append_to_response=credits%2Calternative_titles&query=the+office',
      'query=the%20office&append_to_response=credits,alternative_titles&language=en-US',
      'append_to_response=alternative_titles,credits&query=the office&language=en-US',
      'append_to_response=%20credits%20,alternative_titles,credits&language=en-US&query=the+office&api_key=abc',
    ];
    const keys = new Set(variants.map((query) => canonicalQuery(query)));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toBe('append_to_response=alternative_titles%2Ccredits&language=en-US&query=the%20office');
  });

  test('drops api_key in any case and empty parameters', () => {
    expect(canonicalQuery('api_key=secret&API_KEY=x&page=&language=de&flag')).toBe('language=de');
    expect(canonicalQuery('api%5Fkey=secret&page=2')).toBe('page=2');
  });

  test('duplicate parameter is an error, not a guess', () => {
    expect(() => canonicalQuery('page=1&page=2')).toThrow(QueryError);
  });

  test('malformed percent-encoding is an error', () => {
    expect(() => canonicalQuery('query=%E0%A4%A')).toThrow(QueryError);
  });

  test('values are re-encoded, so nothing can break out of its parameter', () => {
    expect(canonicalQuery('query=a%26b%3Dc%23d')).toBe('query=a%26b%3Dc%23d');
    expect(canonicalQuery('query=%2F..%2Fmovie')).toBe('query=%2F..%2Fmovie');
  });

  test('more parameters than allowed is an error', () => {
    const many = Array.from({ length: 33 }, (_, i) => `p${i}=1`).join('&');
    expect(() => canonicalQuery(many, 32)).toThrow(QueryError);
    expect(canonicalQuery(many, 40)).toContain('p32=1');
  });

  test('odd names, control characters and huge values are refused', () => {
    expect(() => canonicalQuery('na%20me=1')).toThrow(QueryError);
    expect(() => canonicalQuery('x%3Cscript%3E=1')).toThrow(QueryError);
    expect(() => canonicalQuery('language=en%0d%0aX-Evil:%201')).toThrow(QueryError);
    expect(() => canonicalQuery('language=%00')).toThrow(QueryError);
    expect(() => canonicalQuery(`query=${'a'.repeat(513)}`)).toThrow(QueryError);
    expect(canonicalQuery('vote_average.gte=7&with-dash=1')).toBe('vote_average.gte=7&with-dash=1');
  });

  test('empty query stays empty', () => {
    expect(canonicalQuery('')).toBe('');
    expect(canonicalQuery('&&')).toBe('');
  });
});

describe('normaliseList', () => {
  test('trims, dedupes and sorts', () => {
    expect(normaliseList(' videos,credits ,,credits,images')).toBe('credits,images,videos');
  });
});
