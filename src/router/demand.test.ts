import { QuantityError } from '../api/quantity.js';
import { InvalidSelectorError } from './errors.js';
import { taskDemand } from './demand.js';

describe('taskDemand', () => {
  it('defaults to the PROCESS executor and no resources', () => {
    expect(taskDemand({})).toEqual({ executor: 'PROCESS', cpuMillis: 0, memoryBytes: 0 });
  });

  it('turns quantities into millicores and bytes', () => {
    const d = taskDemand({ executor: 'SHELL', resources: { cpu: '250m', memory: '64Mi' } });
    expect(d).toEqual({ executor: 'SHELL', cpuMillis: 250, memoryBytes: 64 * 1024 * 1024 });
  });

  it('keeps the selector', () => {
    const selector = { matchLabels: { zone: 'a' } };
    expect(taskDemand({ agentSelector: selector }).selector).toEqual(selector);
  });

  it('names the field of a bad quantity', () => {
    expect(() => taskDemand({ resources: { cpu: 'lots' } })).toThrow(QuantityError);
    expect(() => taskDemand({ resources: { cpu: 'lots' } })).toThrow(/spec\.resources\.cpu/);
  });

  it('refuses a malformed selector', () => {
    expect(() =>
      taskDemand({ agentSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }),
    ).toThrow(InvalidSelectorError);
  });
});
