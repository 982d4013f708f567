export { maximumZProjection } from './maximum-z-projection';
