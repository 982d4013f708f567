// The few functions of jStat (npm `jstat`, MIT, no types published) that ops/compare uses.
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  export const studentt: Distribution;
  export const normal: Distribution;
}
