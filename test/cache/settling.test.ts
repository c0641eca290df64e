import { describe, expect, test } from 'bun:test';
import { isUnsettled } from '../../src/cache/settling.ts';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const day = (offset: number) => new Date(NOW + offset * 86_400_000).toISOString().slice(0, 10);

describe('isUnsettled', () => {
  test('TMDB season with every episode long aired and named is settled', () => {
    const season = { season_number: 1, episodes: [{ episode_number: 1, name: 'Pilot', air_date: day(-400) }] };
    expect(isUnsettled(season, NOW)).toBe(false);
  });

  test('an episode airing in the future, or within 14 days back, unsettles a season', () => {
    expect(isUnsettled({ episodes: [{ name: 'Pilot', air_date: day(-400) }, { name: 'Finale', air_date: day(3) }] }, NOW)).toBe(true);
    expect(isUnsettled({ episodes: [{ name: 'Pilot', air_date: day(-10) }] }, NOW)).toBe(true);
    expect(isUnsettled({ episodes: [{ name: 'Pilot', air_date: day(-15) }] }, NOW)).toBe(false);
  });

  test('placeholder names and missing dates unsettle', () => {
    for (const name of ['TBA', 'tbd', '', 'Episode 8', 'Episode #12']) {
      expect(isUnsettled({ episodes: [{ name, air_date: day(-400) }] }, NOW)).toBe(true);
    }
    expect(isUnsettled({ episodes: [{ name: 'Pilot', air_date: null }] }, NOW)).toBe(true);
    expect(isUnsettled({ episodes: [{ name: 'Episode Eight Strikes Back', air_date: day(-400) }] }, NOW)).toBe(false);
  });

  test('TVDB envelopes: season extended, episode list and single episode', () => {
    expect(isUnsettled({ status: 'success', data: { episodes: [{ name: 'A', aired: day(-100) }] } }, NOW)).toBe(false);
    expect(isUnsettled({ status: 'success', data: { series: {}, episodes: [{ name: 'TBA', aired: day(-100) }] } }, NOW)).toBe(true);
    expect(isUnsettled({ status: 'success', data: { id: 1, name: 'A', aired: day(2), number: 3 } }, NOW)).toBe(true);
  });

  test('bodies without episodes are settled', () => {
    expect(isUnsettled({ id: 1, name: 'Show' }, NOW)).toBe(false);
    expect(isUnsettled(null, NOW)).toBe(false);
    expect(isUnsettled([1, 2], NOW)).toBe(false);
  });
});
