import { describe, expect, it } from 'vitest';
import { colourByMetric, rampColour } from '../../src/ui/colour-modes.ts';

describe('colour modes', () => {
  it('maps values onto the ramp with a log scale when they span decades, unknowns grey', () => {
    const { colours, legend, scale } = colourByMetric([0, 10, 1000, 100_000, NaN], { unknown: [0, 0, 0, 0, 0] });
    expect(scale).toBe('log');
    expect(colours[1]).toBe(rampColour(0));
    expect(colours[3]).toBe(rampColour(1));
    expect(colours[2]).toBe(rampColour(0.5));
    expect(colours[4]).toBe(0x9aa3b5);
    expect(legend).toHaveLength(5);
    expect(legend[0].label).toBe('10');
    expect(legend[4].label).toBe('100 k');
    const lin = colourByMetric([1, 2, 4], { scale: 'linear', ramp: 'viridis' });
    expect(lin.colours[2]).toBe(0xfde725);
    expect(lin.legend[4].label).toBe('4');
  });
});
