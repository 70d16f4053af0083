// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Sparkline, formatValue, sparklinePath, type Point } from './Sparkline';

afterEach(cleanup);

describe('sparklinePath', () => {
  it('scales from zero to the highest value across the time span', () => {
    const points: Point[] = [
      [0, 0],
      [1000, 5],
      [2000, 10],
    ];
    expect(sparklinePath(points, 104, 24)).toBe('M2.0 22.0L52.0 12.0L102.0 2.0');
  });

  it('leaves gaps where the service was not scraped, and dots a lone point', () => {
    const points: Point[] = [
      [0, 4],
      [1000, 4],
      [2000, null],
      [3000, 2],
      [4000, null],
    ];
    expect(sparklinePath(points, 104, 24)).toBe('M2.0 2.0L27.0 2.0M77.0 12.0h0');
  });

  it('draws nothing without a value, and a flat zero line at the bottom', () => {
    expect(sparklinePath([[0, null]])).toBe('');
    expect(sparklinePath([], 104, 24)).toBe('');
    expect(
      sparklinePath(
        [
          [0, 0],
          [1000, 0],
        ],
        104,
        24,
      ),
    ).toBe('M2.0 22.0L102.0 22.0');
  });
});

describe('Sparkline', () => {
  it('names the chart with its latest value and span, for screen readers and as a tooltip', () => {
    render(
      <Sparkline
        label="Requests"
        unit="per second"
        points={[
          [0, 1],
          [60_000, null],
          [120_000, 0.4567],
        ]}
      />,
    );
    const name = 'Requests: 0.46 per second (last 2 min, 2 points)';
    const chart = screen.getByRole('img', { name });
    expect(chart.querySelector('title')?.textContent).toBe(name);
    expect(chart.querySelector('path.spark-line')?.getAttribute('d')).toMatch(/^M.*h0M.*h0$/);
    expect(screen.getByText('0.46')).toBeTruthy();
    expect(chart.closest('figure')?.getAttribute('data-series-points')).toBe('2');
  });

  it('says when there is no value yet, and draws no line', () => {
    render(<Sparkline label="Pollers" unit="loops" points={[[0, null]]} />);
    const chart = screen.getByRole('img', { name: 'Pollers: no value yet (last under a minute, 0 points)' });
    expect(chart.querySelector('path')).toBeNull();
  });

  it('writes counts whole and rates to two digits', () => {
    expect(formatValue(12)).toBe('12');
    expect(formatValue(0.012345)).toBe('0.012');
    expect(formatValue(3.14159)).toBe('3.1');
    expect(formatValue(1234.5)).toBe('1235');
  });
});
