export { connectedComponentsLabeling } from './connected-components';
